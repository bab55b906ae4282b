<?php
// A Prism webhook receiver in plain PHP. Under the built-in server
// (`php -S … receiver.php`) it verifies each delivery over its raw bytes,
// takes each event on once, queues it as a file and answers at once;
// `php receiver.php work` processes the queue in the background, downloading
// video_url with backoff.
//
// The built-in server has no fastcgi_finish_request() and sends the answer
// only when the script has ended (shutdown functions included), so the work
// happens in a separate process. Under PHP-FPM the same split holds: swap
// the spool directory for your job queue.
//
// Environment: PRISM_WEBHOOK_SECRET (required), RECEIVER_SPOOL (a directory
// with jobs/, seen/ and tmp/; ./run makes one).

declare(strict_types=1);

const MAX_BODY = 1 << 20;
const MAX_ATTEMPTS = 8;
const WORKERS = 16;

function spool(string $dir = ''): string
{
    $root = getenv('RECEIVER_SPOOL') ?: throw new RuntimeException('RECEIVER_SPOOL is not set');
    return $dir === '' ? $root : "$root/$dir";
}

function answer(int $status, string $text = ''): void
{
    http_response_code($status);
    header('Content-Type: text/plain');
    echo $text;
}

function valid_signature(string $body, mixed $signature, string $secret): bool
{
    if (!is_string($signature) || !preg_match('/\A[0-9a-f]{64}\z/i', $signature)) {
        return false;
    }
    return hash_equals(hash_hmac('sha256', $body, $secret), strtolower($signature));
}

function handle(): void
{
    $secret = getenv('PRISM_WEBHOOK_SECRET') ?: throw new RuntimeException('PRISM_WEBHOOK_SECRET is not set');
    if (parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) !== '/webhooks/prism') {
        answer(404, "not found\n");
        return;
    }
    if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
        header('Allow: POST');
        answer(405, "deliveries are POSTed\n");
        return;
    }
    if ((int) ($_SERVER['CONTENT_LENGTH'] ?? 0) > MAX_BODY) {
        answer(413, "body too large\n");
        return;
    }
    $body = file_get_contents('php://input'); // the raw bytes: the signature covers them
    if (!valid_signature($body, $_SERVER['HTTP_X_PRISM_SIGNATURE'] ?? null, $secret)) {
        answer(401, "invalid signature\n");
        return;
    }
    try {
        $event = json_decode($body, true, 64, JSON_THROW_ON_ERROR);
    } catch (JsonException) {
        answer(400, "body is not JSON\n");
        return;
    }
    if (!is_array($event) || !is_string($event['event'] ?? null) || !is_string($event['data']['id'] ?? null)) {
        answer(400, "not a Prism event\n");
        return;
    }
    if (!in_array($event['event'], ['video.completed', 'video.failed'], true)) {
        answer(204); // acknowledge and ignore
        return;
    }

    // Creating the key file with 'x' (O_EXCL) either succeeds or finds it
    // there: of five copies arriving at once in five server workers, one
    // takes the event on.
    $key = $event['event'] . ':' . $event['data']['id'];
    $claim = @fopen(spool('seen') . '/' . hash('sha256', $key), 'x');
    if ($claim === false) {
        answer(204); // a redelivery: already taken on
        return;
    }
    fclose($claim);
    $tmp = spool('tmp') . '/' . bin2hex(random_bytes(16));
    file_put_contents($tmp, json_encode(['key' => $key, 'event' => $event]));
    rename($tmp, spool('jobs') . '/' . basename($tmp) . '.json'); // the worker sees whole files only
    answer(202);
}

// work runs each queued job in a child process, at most WORKERS at a time,
// until the process that started it (./run) is gone.
function work(): void
{
    $parent = posix_getppid();
    $running = 0;
    while (posix_getppid() === $parent) {
        while (pcntl_waitpid(-1, $status, WNOHANG) > 0) {
            $running--;
        }
        $jobs = glob(spool('jobs') . '/*.json') ?: [];
        if ($jobs === []) {
            usleep(20_000);
            continue;
        }
        foreach ($jobs as $file) {
            if ($running >= WORKERS && pcntl_wait($status) > 0) {
                $running--;
            }
            $job = json_decode((string) file_get_contents($file), true);
            unlink($file);
            if (pcntl_fork() === 0) {
                process($job['key'], $job['event']);
                exit(0);
            }
            $running++;
        }
    }
}

function process(string $key, array $event): void
{
    try {
        if ($event['event'] === 'video.failed') {
            error_log("generation {$event['data']['id']} failed: " . json_encode($event['data']['error'] ?? null));
            return;
        }
        download((string) ($event['data']['video_url'] ?? ''));
    } catch (Throwable $e) {
        @unlink(spool('seen') . '/' . hash('sha256', $key)); // let a later delivery try again
        error_log("$key: " . $e->getMessage());
    }
}

// download fetches $url, retrying 5xx, 429 and network errors with
// exponential backoff: each wait is at least the server's Retry-After and
// half as long again as the wait before.
function download(string $url): void
{
    if (!preg_match('#\Ahttps?://#i', $url)) {
        throw new InvalidArgumentException("video_url '$url' is not an http(s) URL");
    }
    $context = stream_context_create(['http' => ['timeout' => 30, 'ignore_errors' => true]]);
    $wait = 0.5;
    for ($attempt = 1; ; $attempt++) {
        $http_response_header = [];
        $video = @file_get_contents($url, false, $context); // store it; this example only reads it
        [$status, $retryAfter] = response_status($http_response_header);
        if ($video !== false && $status >= 200 && $status < 300) {
            return;
        }
        $retryable = $status === 0 || $status >= 500 || $status === 429;
        if (!$retryable || $attempt === MAX_ATTEMPTS) {
            throw new RuntimeException("GET $url: " . ($status ?: 'no answer'));
        }
        $wait = max($wait, $retryAfter);
        usleep((int) ($wait * 1_000_000));
        $wait *= 1.5;
    }
}

// response_status reads the status code (0 without an answer) and the
// Retry-After seconds of the last response in $headers.
function response_status(array $headers): array
{
    $status = 0;
    $retryAfter = 0.0;
    foreach ($headers as $line) {
        if (preg_match('#\AHTTP/\S+\s+(\d{3})#', $line, $m)) {
            [$status, $retryAfter] = [(int) $m[1], 0.0];
        } elseif (preg_match('/\ARetry-After:\s*(\d+)\s*\z/i', $line, $m)) {
            $retryAfter = min((float) $m[1], 30.0);
        }
    }
    return [$status, $retryAfter];
}

if (PHP_SAPI === 'cli-server') {
    handle();
} elseif (($argv[1] ?? '') === 'work') {
    work();
} else {
    fwrite(STDERR, "usage: ./run (or php -S 127.0.0.1:PORT receiver.php, with php receiver.php work beside it)\n");
    exit(2);
}
