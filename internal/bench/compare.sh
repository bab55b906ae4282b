#!/usr/bin/env bash
# Side-by-side load comparisons behind docs/benchmarks.md; `make bench-compare`
# runs it from the repository root. It installs what it needs (wrk, hyperfine,
# @stoplight/prism-cli), builds prismhook and the baselines, starts every server
# on a port the kernel chose, measures each pair in the same run with the same
# settings, and prints a Markdown table of results and ratios against the
# product's quality bars. Raw output goes to internal/bench/results/.
#
# wrk, the servers and the senders share this machine's cores, so absolute
# figures mean little; the ratios, measured side by side, are the result.
#
# Settings, from the environment:
#   BENCH_THREADS (2) BENCH_CONNS (32) BENCH_DURATION (10s) BENCH_WARMUP (5s)
#   BENCH_ROUNDS (3) BENCH_SEND_ROUNDS (5)  rounds of each API and sender
#     measurement; ratios are taken per round and their median reported
#   BENCH_SEND_COUNT (20000) BENCH_SEND_CONCURRENCY (32)
#   BENCH_MEM_DELIVERIES (100000) BENCH_DEMO_RUNS (3)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNS:-32}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-5s}
ROUNDS=${BENCH_ROUNDS:-3}
SEND_ROUNDS=${BENCH_SEND_ROUNDS:-5}
SEND_COUNT=${BENCH_SEND_COUNT:-20000}
SEND_CONCURRENCY=${BENCH_SEND_CONCURRENCY:-32}
MEM_DELIVERIES=${BENCH_MEM_DELIVERIES:-100000}
DEMO_RUNS=${BENCH_DEMO_RUNS:-3}

PRISM_CLI_VERSION=5.16.0
PRISM_DIR=internal/bench/node
PRISM=$PRISM_DIR/node_modules/.bin/prism
PRISMHOOK=bin/prismhook
BENCH_BIN=bin/bench
TOKEN=bench-token
SECRET=whsec_benchmark-secret
WEBHOOK_BODY='{"url":"https://example.test/hook","events":["video.completed"]}'
export BENCH_TOKEN=$TOKEN # read by wrk/report.lua

OUT=internal/bench/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- processes --------------------------------------------------------------

PIDS=()

# start NAME CMD...: runs CMD in the background with its output in
# $OUT/NAME.log and sets STARTED_PID. Every process started is stopped on exit.
start() {
	local name=$1
	shift
	"$@" >"$OUT/$name.log" 2>&1 &
	STARTED_PID=$!
	PIDS+=("$STARTED_PID")
}

# stop PID: SIGTERM, then SIGKILL if it is still there after 10 s. The PID is
# forgotten once reaped, so that cleanup never signals a process that reused it.
stop() {
	local pid=$1 i rest=()
	if kill "$pid" 2>/dev/null; then
		for i in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
	for i in "${PIDS[@]}"; do [ "$i" = "$pid" ] || rest+=("$i"); done
	PIDS=("${rest[@]}")
}

cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do stop "$pid"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_http PID NAME URL: waits up to 60 s for URL to answer anything over
# HTTP, failing early if the process died.
wait_http() {
	local pid=$1 name=$2 url=$3 i
	for i in $(seq 600); do
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -20 "$OUT/$name.log" >&2 || true
			die "$name exited during start-up (log: $OUT/$name.log)"
		fi
		if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)" != 000 ]; then
			return 0
		fi
		sleep 0.1
	done
	die "$name did not answer at $url within 60 s"
}

# rss_mib PID: resident memory of a process, in MiB.
rss_mib() {
	awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# --- numbers ----------------------------------------------------------------

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# ratios "A1 A2 …" "B1 B2 …": the ratio of each round, Ai / Bi.
ratios() { awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, " "); split(b, y, " "); for (i = 1; i <= n; i++) printf "%.2f ", (y[i] > 0) ? x[i] / y[i] : 0 }'; }
fmt0() { awk -v a="$1" 'BEGIN { printf "%.0f", a }'; }
# met VALUE OP BOUND: "met" or "NOT met".
met() { awk -v v="$1" -v b="$3" -v op="$2" 'BEGIN { ok = (op == ">=") ? v >= b : v <= b; print ok ? "met" : "NOT met" }'; }
now_ns() { date +%s%N; }

# --- tools ------------------------------------------------------------------

APT_UPDATED=
apt_install() {
	log "installing $* with apt-get"
	if [ -z "$APT_UPDATED" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -qq
		APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

install_tools() {
	command -v wrk >/dev/null || apt_install wrk
	command -v curl >/dev/null || apt_install curl
	command -v jq >/dev/null || apt_install jq
	# hyperfine is only nicer timing for the demo; bash can time it too.
	command -v hyperfine >/dev/null || apt_install hyperfine || log "hyperfine unavailable; timing the demo with date"
	command -v npm >/dev/null || apt_install nodejs npm
	local pkg=$PRISM_DIR/node_modules/@stoplight/prism-cli/package.json
	if [ ! -x "$PRISM" ] || [ "$(jq -r .version "$pkg" 2>/dev/null)" != "$PRISM_CLI_VERSION" ]; then
		log "installing @stoplight/prism-cli@$PRISM_CLI_VERSION into $PRISM_DIR"
		npm install --prefix "$PRISM_DIR" --no-save --no-audit --no-fund \
			"@stoplight/prism-cli@$PRISM_CLI_VERSION" >"$OUT/npm-install.log" 2>&1 ||
			{ tail -20 "$OUT/npm-install.log" >&2; die "npm install failed"; }
	fi
}

build() {
	log "building $PRISMHOOK and the baselines"
	make --no-print-directory build >&2
	local p
	for p in bare sink plainclient freeport; do
		go build -o "$BENCH_BIN/$p" "./internal/bench/$p"
	done
}

machine() {
	{
		echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "- cores (nproc): $(nproc)"
		echo "- CPU: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
		echo "- memory (free -h): $(free -h | awk '/^Mem:/ { print $2 " total, " $7 " available" }')"
		echo "- $(go version)"
		echo "- $($PRISMHOOK --version)"
		echo "- $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
		echo "- node $(node --version), @stoplight/prism-cli $PRISM_CLI_VERSION"
		if command -v hyperfine >/dev/null; then echo "- $(hyperfine --version)"; fi
		# Other work on the machine skews absolute figures (ratios less so).
		echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	} >"$OUT/machine.md"
}

# --- API: prismhook serve vs prism-cli vs bare net/http ---------------------

declare -A RPS=() BYTES=() P99=() NOTES=() RSS=()
SERVERS=(prismhook prism-cli bare)

# bench_api ENDPOINT SERVER URL LUA ROUND: one wrk run; records its figures.
bench_api() {
	local endpoint=$1 server=$2 url=$3 lua=$4 round=$5 file line
	file=$OUT/wrk-$endpoint-$server-$round.txt
	wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$lua" "$url" >"$file" 2>&1 || true
	line=$(grep '^RESULT ' "$file") || die "wrk gave no result for $server $endpoint (see $file)"
	local rps bytes p99 non2xx sockerr
	rps=$(sed -E 's/.* rps=([0-9.]+).*/\1/' <<<"$line")
	bytes=$(sed -E 's/.* bytes_per_req=([0-9]+).*/\1/' <<<"$line")
	p99=$(sed -E 's/.* p99_ms=([0-9.]+).*/\1/' <<<"$line")
	non2xx=$(sed -E 's/.* non2xx=([0-9]+).*/\1/' <<<"$line")
	sockerr=$(sed -E 's/.* socket_errors=([0-9]+).*/\1/' <<<"$line")
	RPS[$endpoint,$server]+="$rps "
	BYTES[$endpoint,$server]=$bytes
	P99[$endpoint,$server]+="$p99 "
	if [ "$non2xx" != 0 ]; then NOTES[$endpoint,$server]+="round $round: $non2xx non-2xx answers (INVALID); "; fi
	if [ "$sockerr" != 0 ]; then NOTES[$endpoint,$server]+="round $round: $sockerr socket errors/timeouts; "; fi
	log "$endpoint $server round $round: $(fmt0 "$rps") req/s"
}

# capture METHOD URL FILE [BODY]: saves an answer's body, prints its status.
capture() {
	local method=$1 url=$2 file=$3 body=${4:-}
	local args=(-s -o "$file" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $TOKEN")
	if [ -n "$body" ]; then args+=(-H 'Content-Type: application/json' --data-binary "$body"); fi
	curl "${args[@]}" "$url"
}

# prism_spec writes spec/openapi.yaml without its `callbacks` blocks and
# prints the copy's path. prism-cli runs callbacks: for every webhook created
# it would POST to the URL in the request body, work prismhook does not do at
# creation and traffic that must not leave the machine. Without them prism-cli
# does less, so the ratio against it is, if anything, understated.
prism_spec() {
	local copy=$OUT/openapi-for-prism-cli.yaml
	awk '
		{ match($0, /^ */); indent = RLENGTH }
		skipping && (NF == 0 || indent > block) { next }
		{ skipping = 0 }
		/^ *callbacks:/ { skipping = 1; block = indent; next }
		{ print }
	' spec/openapi.yaml >"$copy"
	echo "$copy"
}

api() {
	local ports
	mapfile -t ports < <("$BENCH_BIN/freeport" -n 3)
	local -A url=(
		[prismhook]=http://127.0.0.1:${ports[0]}
		[prism-cli]=http://127.0.0.1:${ports[1]}
		[bare]=http://127.0.0.1:${ports[2]}
	)
	local -A pid=()

	start prismhook "$PRISMHOOK" serve --addr "127.0.0.1:${ports[0]}"
	pid[prismhook]=$STARTED_PID
	wait_http "${pid[prismhook]}" prismhook "${url[prismhook]}/healthz"

	# The bare baseline answers with the mock's own bytes: one webhook created,
	# then the list that contains it.
	local status
	status=$(capture POST "${url[prismhook]}/v1/webhooks" "$OUT/created.json" "$WEBHOOK_BODY")
	[ "$status" = 201 ] || die "POST /v1/webhooks on prismhook answered $status: $(cat "$OUT/created.json")"
	status=$(capture GET "${url[prismhook]}/v1/webhooks" "$OUT/list.json")
	[ "$status" = 200 ] || die "GET /v1/webhooks on prismhook answered $status: $(cat "$OUT/list.json")"

	start bare "$BENCH_BIN/bare" -addr "127.0.0.1:${ports[2]}" -list "$OUT/list.json" -created "$OUT/created.json"
	pid[bare]=$STARTED_PID
	start prism-cli "$PRISM" mock -h 127.0.0.1 -p "${ports[1]}" "$(prism_spec)"
	pid[prism-cli]=$STARTED_PID
	wait_http "${pid[bare]}" bare "${url[bare]}/v1/webhooks"
	wait_http "${pid[prism-cli]}" prism-cli "${url[prism-cli]}/v1/webhooks"

	# A sample answer of each baseline, for the record. (prismhook's are the
	# captured ones: another POST would change its list.)
	local server
	for server in prism-cli bare; do
		log "$server GET answers $(capture GET "${url[$server]}/v1/webhooks" "$OUT/sample-get-$server.json"), POST answers $(capture POST "${url[$server]}/v1/webhooks" "$OUT/sample-post-$server.json" "$WEBHOOK_BODY")"
	done
	for server in "${SERVERS[@]}"; do RSS[start,$server]=$(rss_mib "${pid[$server]}"); done

	local endpoint lua round
	for endpoint in get post; do
		lua=internal/bench/wrk/$endpoint.lua
		for server in "${SERVERS[@]}"; do
			log "warming up $server for $endpoint ($WARMUP)"
			wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$lua" "${url[$server]}/v1/webhooks" >/dev/null 2>&1 || true
		done
		# Rounds interleave the servers so that a slow moment of the machine
		# does not fall on one of them only.
		for round in $(seq "$ROUNDS"); do
			for server in "${SERVERS[@]}"; do
				bench_api "$endpoint" "$server" "${url[$server]}/v1/webhooks" "$lua" "$round"
			done
		done
		for server in "${SERVERS[@]}"; do RSS[$endpoint,$server]=$(rss_mib "${pid[$server]}"); done
	done
	WEBHOOKS_CREATED=$(curl -s -H "Authorization: Bearer $TOKEN" "${url[prismhook]}/v1/webhooks" | jq '.data | length')

	for server in "${SERVERS[@]}"; do stop "${pid[$server]}"; done
}

# --- sender: prismhook send vs a plain net/http client ----------------------

declare -A SEND_RATE=() SEND_NOTES=()

# bench_send WHO ROUND SINK COUNT: one timed run; records deliveries/s.
bench_send() {
	local who=$1 round=$2 sink=$3 count=$4 before after t0 t1 rate
	local file=$OUT/send-$who-$round.txt
	local cmd
	case $who in
	prismhook) cmd=("$PRISMHOOK" send video.completed --count "$count" --concurrency "$SEND_CONCURRENCY" --url "$sink/hook" --secret "$SECRET") ;;
	plain) cmd=("$BENCH_BIN/plainclient" -count "$count" -concurrency "$SEND_CONCURRENCY" -url "$sink/hook" -secret "$SECRET") ;;
	esac
	before=$(curl -s "$sink/count")
	t0=$(now_ns)
	"${cmd[@]}" >"$file" 2>&1 || SEND_NOTES[$who]+="round $round: exit status $? (see $file); "
	t1=$(now_ns)
	after=$(curl -s "$sink/count")
	if [ $((after - before)) != "$count" ]; then
		SEND_NOTES[$who]+="round $round: the sink received $((after - before)) of $count; "
	fi
	[ "$round" = warm-up ] && return 0
	# Timed from outside the process, the same way for both: the rate
	# includes start-up, which is a few milliseconds of a one-second run.
	rate=$(awk -v n="$count" -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", n / (ns / 1e9) }')
	SEND_RATE[$who]+="$rate "
	log "send $who round $round: $(fmt0 "$rate") deliveries/s ($(tail -1 "$file"))"
}

sender() {
	local port
	port=$("$BENCH_BIN/freeport")
	local sink=http://127.0.0.1:$port
	start sink "$BENCH_BIN/sink" -addr "127.0.0.1:$port"
	local sink_pid=$STARTED_PID
	wait_http "$sink_pid" sink "$sink/count"

	bench_send plain warm-up "$sink" 2000
	bench_send prismhook warm-up "$sink" 2000
	local round
	for round in $(seq "$SEND_ROUNDS"); do
		# Alternate who goes first.
		if ((round % 2)); then
			bench_send plain "$round" "$sink" "$SEND_COUNT"
			bench_send prismhook "$round" "$sink" "$SEND_COUNT"
		else
			bench_send prismhook "$round" "$sink" "$SEND_COUNT"
			bench_send plain "$round" "$sink" "$SEND_COUNT"
		fi
	done
	SINK_URL=$sink
	SINK_PID=$sink_pid
}

# --- memory: prismhook serve under 100k deliveries --------------------------

MEM_SERIES=()
MEM_WEBHOOKS=100 # each generation is delivered to every one of them

# delivered_total BASE: deliveries finished so far (delivered or failed), from /metrics.
delivered_total() {
	curl -s "$1/metrics" | awk '/^prismhook_deliveries_total\{/ { n += $NF } END { printf "%d", n }'
}

# memory pushes MEM_DELIVERIES deliveries through the delivery engine of a
# fresh `prismhook serve` (default retention, queue and workers) and samples
# its RSS. The deliveries are real ones, logged and retained like any: 100
# webhooks pointing at the sink, then generations, each delivered to all of
# them. (POST /_mock/emit would be quicker but bypasses the delivery log,
# which is what must stay bounded.) The generations are paced so that no more
# than half the default queue is waiting at once.
memory() {
	local port
	port=$("$BENCH_BIN/freeport")
	local base=http://127.0.0.1:$port
	start memory-serve "$PRISMHOOK" serve --addr "127.0.0.1:$port" --generation-delay 10ms --log-level warn
	local serve_pid=$STARTED_PID
	wait_http "$serve_pid" memory-serve "$base/healthz"
	MEM_BEFORE=$(rss_mib "$serve_pid")
	log "memory: pushing $MEM_DELIVERIES deliveries through prismhook serve (RSS $MEM_BEFORE MiB)"

	local hook="{\"url\":\"$SINK_URL/hook\",\"events\":[\"video.completed\"]}"
	local video='{"prompt":"benchmark","provider":"runway","duration":4}'
	local auth=(-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json')
	# One curl process, one connection, many requests: options apply to every
	# URL, except -o, which pairs with one URL each.
	local i urls=()
	for i in $(seq "$MEM_WEBHOOKS"); do urls+=(-o /dev/null "$base/v1/webhooks"); done
	curl -s -w '%{http_code}\n' "${auth[@]}" --data-binary "$hook" "${urls[@]}" >"$OUT/memory-webhooks.txt"
	[ "$(grep -c '^201$' "$OUT/memory-webhooks.txt")" = "$MEM_WEBHOOKS" ] ||
		die "creating $MEM_WEBHOOKS webhooks answered: $(sort "$OUT/memory-webhooks.txt" | uniq -c | tr '\n' ' ')"

	local batch=50 # generations per batch: 5000 deliveries
	local per_batch=$((batch * MEM_WEBHOOKS)) step=$((MEM_DELIVERIES / 10))
	urls=()
	for i in $(seq "$batch"); do urls+=(-o /dev/null "$base/v1/videos"); done
	local sent=0 done_n t0 t1 deadline
	t0=$(now_ns)
	while ((sent < MEM_DELIVERIES)); do
		curl -s -w '%{http_code}\n' "${auth[@]}" --data-binary "$video" "${urls[@]}" >"$OUT/memory-videos.txt"
		[ "$(grep -c '^202$' "$OUT/memory-videos.txt")" = "$batch" ] ||
			die "POST /v1/videos answered: $(sort "$OUT/memory-videos.txt" | uniq -c | tr '\n' ' ')"
		sent=$((sent + per_batch))
		deadline=$(($(date +%s) + 120))
		while done_n=$(delivered_total "$base"); ((done_n < sent)); do
			(($(date +%s) < deadline)) || die "only $done_n of $sent deliveries finished after 120 s"
			sleep 0.05
		done
		if ((sent % step == 0)); then MEM_SERIES+=("$sent:$(rss_mib "$serve_pid")"); fi
	done
	t1=$(now_ns)
	MEM_RATE=$(awk -v n="$sent" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }')
	MEM_AFTER=$(rss_mib "$serve_pid")
	log "memory: RSS $MEM_AFTER MiB after $sent deliveries"
	MEM_LOGGED=$(curl -s "$base/_mock/deliveries" | jq '.data | length')
	MEM_FAILED=$(curl -s "$base/metrics" | awk '/^prismhook_deliveries_total\{/ && !/delivered/ { n += $NF } END { printf "%d", n }')
	stop "$serve_pid"
}

# --- check and demo wall time -----------------------------------------------

# timed NAME CMD: runs CMD (a shell command line) DEMO_RUNS times and sets
# TIMED_MEAN and TIMED_MAX in seconds.
timed() {
	local name=$1 cmdline=$2
	if command -v hyperfine >/dev/null; then
		hyperfine --runs "$DEMO_RUNS" --export-json "$OUT/$name.json" --output=pipe "$cmdline" >"$OUT/$name-hyperfine.txt" 2>&1 ||
			{ cat "$OUT/$name-hyperfine.txt" >&2; die "$name failed: $cmdline"; }
		TIMED_MEAN=$(jq '.results[0].mean' "$OUT/$name.json")
		TIMED_MAX=$(jq '.results[0].max' "$OUT/$name.json")
	else
		local times=() i t0 t1
		for i in $(seq "$DEMO_RUNS"); do
			t0=$(now_ns)
			bash -c "$cmdline" >"$OUT/$name-$i.txt" 2>&1 || die "$name failed (see $OUT/$name-$i.txt)"
			t1=$(now_ns)
			times+=("$(awk -v ns=$((t1 - t0)) 'BEGIN { print ns / 1e9 }')")
		done
		TIMED_MEAN=$(printf '%s\n' "${times[@]}" | awk '{ s += $1 } END { print s / NR }')
		TIMED_MAX=$(printf '%s\n' "${times[@]}" | sort -g | tail -1)
	fi
	log "$name: mean $TIMED_MEAN s, max $TIMED_MAX s"
}

# walltime times `prismhook demo` (receiver and check in one process) and
# `prismhook check` against the example receiver running on its own.
walltime() {
	timed demo "$PRISMHOOK demo"
	DEMO_MEAN=$TIMED_MEAN DEMO_MAX=$TIMED_MAX

	local port
	port=$("$BENCH_BIN/freeport")
	start receiver "$PRISMHOOK" receiver --addr "127.0.0.1:$port" --secret "$SECRET"
	local receiver_pid=$STARTED_PID i receiver_url=
	# The receiver logs the URL deliveries go to, path included.
	for i in $(seq 100); do
		receiver_url=$(grep -m1 -o 'http://[^ "]*' "$OUT/receiver.log" || true)
		[ -n "$receiver_url" ] && break
		sleep 0.1
	done
	[ -n "$receiver_url" ] || die "the example receiver printed no URL (log: $OUT/receiver.log)"
	wait_http "$receiver_pid" receiver "$receiver_url"
	timed check "$PRISMHOOK check --url $receiver_url --secret $SECRET"
	CHECK_MEAN=$TIMED_MEAN CHECK_MAX=$TIMED_MAX
	stop "$receiver_pid"
}

# --- report -----------------------------------------------------------------

# bar_row NAME RATES BASELINE_RATES TARGET: one row of the quality-bar table.
# The two runs of a round were made back to back, so the ratio is taken per
# round and the median of those reported: a busy moment of the machine
# shifts both runs of a round rather than the ratio.
bar_row() {
	local per_round r
	per_round=$(ratios "$2" "$3")
	# shellcheck disable=SC2086 # word splitting of the lists is intended
	r=$(median $per_round)
	# shellcheck disable=SC2086
	echo "| $1 | $(fmt0 "$(median $2)") | $(fmt0 "$(median $3)") | $(printf '%.2f' "$r")× | ${per_round% } | ≥ $4× | $(met "$r" '>=' "$4") |"
}

# rounds "R1 R2 …": the per-round figures, rounded.
rounds() { awk -v a="$1" 'BEGIN { n = split(a, x, " "); for (i = 1; i <= n; i++) printf "%s%.0f", (i > 1 ? " " : ""), x[i] }'; }

report() {
	local endpoint server name
	echo "## Results ($(date -u +%Y-%m-%d))"
	echo
	cat "$OUT/machine.md"
	echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	echo "Settings: wrk -t$THREADS -c$CONNS -d$DURATION after a $WARMUP warm-up, $ROUNDS rounds interleaving the servers;"
	echo "send: $SEND_COUNT deliveries, concurrency $SEND_CONCURRENCY, $SEND_ROUNDS rounds alternating who goes first."
	echo
	echo "### Quality bars"
	echo
	echo "| Measure | prismhook (median) | Baseline (median) | Ratio (median of rounds) | Ratio per round | Target | Result |"
	echo "|---|---:|---:|---:|---|---|---|"
	for endpoint in get post; do
		name="${endpoint^^} /v1/webhooks req/s"
		bar_row "$name vs prism-cli" "${RPS[$endpoint,prismhook]}" "${RPS[$endpoint,prism-cli]}" 10
		bar_row "$name vs bare net/http" "${RPS[$endpoint,prismhook]}" "${RPS[$endpoint,bare]}" 0.5
	done
	bar_row "send deliveries/s vs plain net/http client" "${SEND_RATE[prismhook]}" "${SEND_RATE[plain]}" 0.7
	echo "| serve RSS before → after $MEM_DELIVERIES deliveries (MiB) | $MEM_BEFORE → $MEM_AFTER | | | | bounded | see below |"
	echo "| \`prismhook check\` wall time, mean (max) of $DEMO_RUNS | $(printf '%.2f' "$CHECK_MEAN") s ($(printf '%.2f' "$CHECK_MAX") s) | | | | ≤ 10 s | $(met "$CHECK_MAX" '<=' 10) |"
	echo "| \`prismhook demo\` wall time, mean (max) of $DEMO_RUNS | $(printf '%.2f' "$DEMO_MEAN") s ($(printf '%.2f' "$DEMO_MAX") s) | | | | ≤ 10 s | $(met "$DEMO_MAX" '<=' 10) |"
	echo
	echo "### API servers, side by side"
	echo
	echo "| Endpoint | Server | req/s (median) | req/s per round | p99 ms (median) | bytes/answer | RSS after (MiB) | Notes |"
	echo "|---|---|---:|---|---:|---:|---:|---|"
	for endpoint in get post; do
		for server in "${SERVERS[@]}"; do
			# shellcheck disable=SC2086
			echo "| ${endpoint^^} /v1/webhooks | $server | $(fmt0 "$(median ${RPS[$endpoint,$server]})") | $(rounds "${RPS[$endpoint,$server]}") | $(median ${P99[$endpoint,$server]}) | ${BYTES[$endpoint,$server]} | ${RSS[$endpoint,$server]} | ${NOTES[$endpoint,$server]:-} |"
		done
	done
	echo
	echo "RSS at start (MiB): prismhook ${RSS[start,prismhook]}, prism-cli ${RSS[start,prism-cli]}, bare ${RSS[start,bare]}."
	echo "The mock stored every webhook created by the POST runs: $WEBHOOKS_CREATED webhooks at the end."
	echo
	echo "### Sender"
	echo
	echo "| Sender | deliveries/s (median) | per round | Notes |"
	echo "|---|---:|---|---|"
	local who
	for who in prismhook plain; do
		# shellcheck disable=SC2086
		echo "| $who | $(fmt0 "$(median ${SEND_RATE[$who]})") | $(rounds "${SEND_RATE[$who]}") | ${SEND_NOTES[$who]:-} |"
	done
	echo
	echo "### Memory under load"
	echo
	echo "A fresh \`prismhook serve\` (default retention, queue and workers) delivered $MEM_DELIVERIES events to the sink:"
	echo "$MEM_WEBHOOKS webhooks, generations created in paced batches, at $MEM_RATE deliveries/s overall."
	echo "Deliveries in its log at the end: $MEM_LOGGED (retention 10000); deliveries not delivered: $MEM_FAILED."
	echo
	echo "| Deliveries sent | RSS (MiB) |"
	echo "|---:|---:|"
	echo "| 0 | $MEM_BEFORE |"
	local s
	for s in "${MEM_SERIES[@]}"; do echo "| ${s%%:*} | ${s#*:} |"; done
}

install_tools
build
machine
log "results go to $OUT"
api
sender
memory
stop "$SINK_PID"
walltime
report | tee "$OUT/results.md"
cp "$OUT/results.md" internal/bench/results/latest.md
