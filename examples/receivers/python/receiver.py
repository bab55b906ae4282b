"""A Prism webhook receiver in Flask.

Verifies each delivery over its raw bytes, answers at once, and downloads
video_url on a pool of background threads, once per event, with backoff.

Environment: PORT (default 3000), PRISM_WEBHOOK_SECRET (required).
"""

import hashlib
import hmac
import json
import logging
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, request

SECRET = os.environ.get("PRISM_WEBHOOK_SECRET") or sys.exit("PRISM_WEBHOOK_SECRET is not set")
PORT = int(os.environ.get("PORT", "3000"))
SIGNATURE = re.compile(r"[0-9a-fA-F]{64}")
MAX_ATTEMPTS = 8

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 1 << 20  # larger bodies get 413
log = logging.getLogger("receiver")

# Background work runs here, not in the request: the answer goes out first.
workers = ThreadPoolExecutor(max_workers=8)
# event + data.id of the events taken on; a real service keeps these in its
# database. The lock makes "not seen yet, so mine" one step.
seen = set()
seen_lock = threading.Lock()


def verify(body: bytes, signature: str) -> bool:
    if not SIGNATURE.fullmatch(signature):
        return False
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature.lower(), expected)


@app.post("/webhooks/prism")
def webhook():
    body = request.get_data()  # the raw bytes: the signature covers them
    if not verify(body, request.headers.get("X-Prism-Signature", "")):
        return "invalid signature\n", 401
    try:
        event = json.loads(body)
    except ValueError:
        return "body is not JSON\n", 400
    data = event.get("data") if isinstance(event, dict) else None
    if not isinstance(event.get("event"), str) or not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return "not a Prism event\n", 400
    if event["event"] not in ("video.completed", "video.failed"):
        return "", 204  # acknowledge and ignore

    key = event["event"] + ":" + data["id"]
    with seen_lock:
        if key in seen:
            return "", 204  # a redelivery: already taken on
        seen.add(key)
    workers.submit(process, key, event)
    return "", 202


def process(key: str, event: dict) -> None:
    try:
        if event["event"] == "video.failed":
            log.warning("generation %s failed: %s", event["data"]["id"], event["data"].get("error"))
            return
        download(event["data"]["video_url"])
    except Exception as err:
        with seen_lock:
            seen.discard(key)  # let a later delivery try again
        log.error("%s: %s", key, err)


def download(url: str) -> None:
    """Fetches url, retrying 5xx, 429 and network errors with exponential
    backoff: each wait is at least the server's Retry-After and half as long
    again as the wait before."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"video_url {url!r} is not an http(s) URL")
    wait = 0.5
    for attempt in range(1, MAX_ATTEMPTS + 1):
        retry_after = 0.0
        try:
            with urllib.request.urlopen(url, timeout=30) as resp:
                resp.read()  # store the video; this example only reads it
                return
        except urllib.error.HTTPError as err:
            if (err.code < 500 and err.code != 429) or attempt == MAX_ATTEMPTS:
                raise
            retry_after = seconds(err.headers.get("Retry-After"))
        except OSError:
            if attempt == MAX_ATTEMPTS:
                raise
        wait = max(wait, retry_after)
        time.sleep(wait)
        wait *= 1.5


def seconds(value) -> float:
    try:
        return min(max(float(value), 0.0), 30.0)
    except (TypeError, ValueError):
        return 0.0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    log.info("listening on http://127.0.0.1:%d/webhooks/prism", PORT)
    # Werkzeug's threaded server, one thread per request. In production, put
    # the app behind a WSGI server with one process and several threads (the
    # set of seen events lives in this process).
    app.run(host="127.0.0.1", port=PORT, threaded=True)
