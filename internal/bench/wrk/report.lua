-- Shared by get.lua and post.lua: the Authorization header, and one
-- machine-readable line at the end of a run, which compare.sh parses.
-- Requests that got a non-2xx/3xx answer are counted in "non2xx": a run with
-- any is reported as invalid rather than fast.

wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "bench-token")

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f requests=%d bytes_per_req=%.0f p50_ms=%.3f p99_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests / seconds, summary.requests,
    summary.requests > 0 and summary.bytes / summary.requests or 0,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
