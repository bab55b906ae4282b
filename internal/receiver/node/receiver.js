// A naive Prism webhook receiver for Node, as Prism's documentation leads one
// to write it: the raw body goes to the documentation's verifyWebhook,
// copied unchanged below. Given a signature of the wrong length,
// crypto.timingSafeEqual throws, and the request ends as a 500.
//
// Environment: PORT (0 = any free port), WEBHOOK_SECRET. Prints
// "listening <port>" on stdout once it accepts connections. No dependencies.
'use strict';

const http = require('http');

// Copied unchanged from Prism's webhook documentation.
const crypto = require('crypto');
function verifyWebhook(payload, signature, secret) {
const hmac = crypto.createHmac('sha256', secret);
const digest = hmac.update(payload).digest('hex');
return crypto.timingSafeEqual(
Buffer.from(signature),
Buffer.from(digest)
);
}
// End of the copy.

const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  console.error('WEBHOOK_SECRET is not set');
  process.exit(1);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    try {
      const payload = Buffer.concat(chunks);
      if (!verifyWebhook(payload, req.headers['x-prism-signature'], secret)) {
        res.writeHead(401, { 'Content-Type': 'text/plain' });
        res.end('invalid signature\n');
        return;
      }
      const event = JSON.parse(payload);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ received: event.event }));
    } catch (err) {
      // What a web framework's default error handler makes of an exception.
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('Internal Server Error\n');
    }
  });
});

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
