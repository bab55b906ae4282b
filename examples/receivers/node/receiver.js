// A Prism webhook receiver in Express 5: verifies each delivery over its raw
// bytes, answers at once, and downloads video_url in the background, once
// per event, with backoff.
//
// Environment: PORT (default 3000), PRISM_WEBHOOK_SECRET (required).
'use strict';

const crypto = require('node:crypto');
const express = require('express');

const secret = process.env.PRISM_WEBHOOK_SECRET;
if (!secret) {
  console.error('PRISM_WEBHOOK_SECRET is not set');
  process.exit(1);
}
const port = Number(process.env.PORT || 3000);
const MAX_ATTEMPTS = 8;

function verifySignature(body, signature) {
  // Prism's documented verifyWebhook hands the header to timingSafeEqual
  // as is; timingSafeEqual throws when the lengths differ, so a short or
  // missing signature becomes a 500 instead of a 401. Check the shape first.
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/i.test(signature)) {
    return false;
  }
  const expected = crypto.createHmac('sha256', secret).update(body).digest();
  return crypto.timingSafeEqual(Buffer.from(signature, 'hex'), expected);
}

// event + data.id of the events taken on. Node runs one handler at a time,
// so checking and adding without an await between them cannot race.
// A real service keeps these in its database.
const seen = new Set();

const app = express();

app.post(
  '/webhooks/prism',
  // The raw bytes, whatever the Content-Type: the signature covers them.
  express.raw({ type: () => true, limit: '1mb' }),
  (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifySignature(body, req.get('X-Prism-Signature'))) {
      return res.status(401).send('invalid signature');
    }
    let event;
    try {
      event = JSON.parse(body.toString('utf8'));
    } catch {
      return res.status(400).send('body is not JSON');
    }
    if (typeof event?.event !== 'string' || typeof event.data?.id !== 'string') {
      return res.status(400).send('not a Prism event');
    }
    if (event.event !== 'video.completed' && event.event !== 'video.failed') {
      return res.status(204).end(); // acknowledge and ignore
    }
    const key = `${event.event}:${event.data.id}`;
    if (seen.has(key)) {
      return res.status(204).end(); // a redelivery: already taken on
    }
    seen.add(key);
    res.status(202).end();
    processEvent(event).catch((err) => {
      seen.delete(key); // let a later delivery try again
      console.error(`${key}: ${err.message}`);
    });
  },
);

// Body too large (413) and other client errors answer with their status.
app.use((err, req, res, next) => {
  const status = err.status >= 400 && err.status < 500 ? err.status : 500;
  res.status(status).send(status === 500 ? 'internal error' : err.message);
});

async function processEvent(event) {
  if (event.event === 'video.failed') {
    console.log(`generation ${event.data.id} failed: ${JSON.stringify(event.data.error)}`);
    return;
  }
  await download(event.data.video_url);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Retries 5xx, 429 and network errors with exponential backoff: each wait
// is at least the server's Retry-After and half as long again as the wait
// before.
async function download(url) {
  let wait = 500;
  for (let attempt = 1; ; attempt++) {
    let res;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      if (attempt === MAX_ATTEMPTS) throw err;
    }
    if (res?.ok) {
      await res.arrayBuffer(); // store the video; this example only reads it
      return;
    }
    await res?.body?.cancel();
    if (res && res.status < 500 && res.status !== 429) {
      throw new Error(`GET ${url}: ${res.status}`);
    }
    if (attempt === MAX_ATTEMPTS) throw new Error(`GET ${url}: ${res.status}`);
    const retryAfter = Number(res?.headers.get('retry-after')) * 1000 || 0;
    wait = Math.max(wait, Math.min(retryAfter, 30_000));
    await sleep(wait);
    wait *= 1.5;
  }
}

app.listen(port, '127.0.0.1', (err) => {
  if (err) throw err;
  console.log(`listening on http://127.0.0.1:${port}/webhooks/prism`);
});
