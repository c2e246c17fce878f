#!/usr/bin/env bash
# bench/redis.sh — the pool of workers through Redis (issue 21), on this machine.
#
# All traffic stays on 127.0.0.1. It builds fetchbench, starts redis-server on a free port
# (no persistence) and `fetchbench serve --fake-latency LATENCY` (no server cap), then:
#   1. scaling: for K in 1 2 3, starts K workers with --max-in-flight 10 and runs one
#      coordinator `-s unbounded -n N`; prints req/s of each (from the JSON summary) and the
#      ratio to one worker (goal: 3 workers >= 2.7x one), and the same N requests run locally
#      with -s semaphore -c 10 and -c 30 (one process with the capacity of 1 and 3 workers).
#   2. SIGKILL: 3 workers, -s semaphore -c 30 -n KILL_N --redis-lease 2s, one worker killed
#      -9 after the first records; prints the records and distinct seqs (goal: both KILL_N).
#   3. records through Redis into the coordinator and its peak RSS: the Go benchmark
#      BenchmarkRecordsThroughRedis (synthetic workers without HTTP) at RECORDS_N records.
# Everything it starts is stopped by pid on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
LATENCY=${LATENCY:-100ms}
N=${N:-600}
KILL_N=${KILL_N:-600}
RECORDS_N=${RECORDS_N:-1000000}
OUT=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$OUT"; }
trap cleanup EXIT

free_port() {
	for _ in $(seq 1 50); do
		local p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
	done
	return 1
}

go build -o "$OUT/fetchbench" .
FB=$OUT/fetchbench
rport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
pids+=($!)
fport=$(free_port)
"$FB" serve --addr "127.0.0.1:$fport" --fake-latency "$LATENCY" 2>/dev/null &
pids+=($!)
sleep 0.5
REDIS=redis://127.0.0.1:$rport
API=http://127.0.0.1:$fport/api/

rps() { jq -r '.. | objects | select(has("req_per_sec")) | .req_per_sec' | head -1; }

echo "== 1. scaling: -s unbounded -n $N, fake latency $LATENCY, each worker --max-in-flight 10"
workers=()
one=""
for k in 1 2 3; do
	"$FB" worker --redis "$REDIS" --name "w$k" --max-in-flight 10 2>/dev/null &
	workers+=($!)
	pids+=($!)
	sleep 1.5
	r=$("$FB" --redis "$REDIS" --url-template "${API}people/{id}/" -n "$N" -s unbounded -o json 2>/dev/null | rps)
	one=${one:-$r}
	printf '%d worker(s): %8.1f req/s  (%.2fx one)\n' "$k" "$r" "$(echo "$r / $one" | bc -l)"
done
for c in 10 30; do
	r=$("$FB" --url-template "${API}people/{id}/" -n "$N" -s semaphore -c "$c" -o json 2>/dev/null | rps)
	printf 'local -c %-2d:  %8.1f req/s\n' "$c" "$r"
done

echo "== 2. SIGKILL one of 3 workers mid-run: -s semaphore -c 30 -n $KILL_N"
"$FB" --redis "$REDIS" --redis-lease 2s --url-template "${API}people/{id}/" -n "$KILL_N" -s semaphore -c 30 \
	--records "$OUT/kill.ndjson" -q 2>/dev/null &
coord=$!
sleep 1
kill -9 "${workers[0]}"
t0=$(date +%s.%N)
wait "$coord"
printf 'killed w1; coordinator done %.1fs later, exit 0\n' "$(echo "$(date +%s.%N) - $t0" | bc -l)"
echo "records: $(wc -l <"$OUT/kill.ndjson"), distinct seqs: $(jq -r .seq "$OUT/kill.ndjson" | sort -u | wc -l), by worker: $(jq -r .worker "$OUT/kill.ndjson" | sort | uniq -c | tr -s ' ' | tr '\n' ',')"

echo "== 3. records through Redis into the coordinator, $RECORDS_N records"
FETCHBENCH_REDIS_URL=$REDIS go test -run '^$' -bench RecordsThroughRedis -benchtime "${RECORDS_N}x" ./redispool/ | grep Benchmark
