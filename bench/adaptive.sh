#!/usr/bin/env bash
# bench/adaptive.sh — the numbers behind the adaptive strategy's acceptance (issue 25).
#
# All traffic stays on 127.0.0.1: every run is --offline, against the built-in fake. Builds
# fetchbench once into $OUT, then, ROUNDS times each, prints one line per scenario from the
# JSON summary (jq):
#   1. capacity: --fake-workers 8 --fake-latency 50ms, N requests, semaphore -c 8 beside
#      adaptive: adaptive's settled limit (want 6–12), its req/s over semaphore's (≥ 0.9)
#      and its p99 over 50ms (≤ 1.5).
#   2. a rate limit: --fake-rate 50 --fake-burst 5 (429 beyond it), adaptive with and without
#      --respect-quota: the share of 429s (want < 0.5 % with the quota, < 2 % without) and
#      req/s (want ≥ 45).
#   3. a wide server: --fake-workers 1000, the highest limit of the requests started in the
#      first 2 s (want ≥ 64), from the records.
#   4. a server that changes: --fake-workers 8@0s,2@5s,8@10s, the median limit of the
#      requests started in 3–5 s, 8–10 s and 15–16 s (want 6–12, 1–4, 6–12).
# The tests in fetcher/adaptive_test.go check the same on fake time; these are wall-clock
# numbers, noisy on a loaded machine.
set -euo pipefail

N=${N:-2000}
ROUNDS=${ROUNDS:-1}
OUT=${OUT:-$(mktemp -d)}
cd "$(dirname "$0")/.."
go build -o "$OUT/fetchbench" .
fb="$OUT/fetchbench"

for round in $(seq "$ROUNDS"); do
	echo "round $round"
	"$fb" --offline --fake-workers 8 --fake-latency 50ms -n "$N" -s semaphore,adaptive -c 8 -o json >"$OUT/capacity.json"
	jq -r '.strategies as $s | ($s[] | select(.strategy=="semaphore")) as $sem | ($s[] | select(.strategy=="adaptive")) as $a |
		"capacity: settled \($a.limit_settled), req/s \($a.req_per_sec) vs semaphore \($sem.req_per_sec) (ratio \(($a.req_per_sec/$sem.req_per_sec*100|round)/100)), p99 \($a.latency_p99_ms)ms (\(($a.latency_p99_ms/50*100|round)/100)x)"' "$OUT/capacity.json"

	for quota in true false; do
		"$fb" --offline --fake-rate 50 --fake-burst 5 --fake-latency 100ms -n "$N" -s adaptive --respect-quota="$quota" \
			--records "$OUT/rate-$quota.ndjson" -o json >"$OUT/rate-$quota.json" 2>/dev/null
		jq -r --arg q "$quota" '.strategies[0] | "rate 50/s, quota \($q): \(.status_counts["429"] // 0) 429s of \(.requests), req/s \(.req_per_sec), settled \(.limit_settled)"' "$OUT/rate-$quota.json"
		jq -s -r --arg q "$quota" '[.[] | select(.start_ms >= 1000)] | "  after the first second: \([.[] | select(.status==429)] | length) 429s of \(length)"' "$OUT/rate-$quota.ndjson"
	done

	"$fb" --offline --fake-workers 1000 --fake-latency 50ms -n 20000 -s adaptive --records "$OUT/wide.ndjson" -q
	jq -s -r '[.[] | select(.start_ms < 2000) | .limit] | "wide server: highest limit within 2s \(max)"' "$OUT/wide.ndjson"

	"$fb" --offline --fake-workers 8@0s,2@5s,8@10s --fake-latency 50ms -n 2400 -s adaptive --records "$OUT/steps.ndjson" -q
	jq -s -r 'def med(a; b): [.[] | select(.start_ms >= a and .start_ms < b) | .limit] | sort | .[length/2|floor];
		"8→2→8 workers: median limit 3–5s \(med(3000; 5000)), 8–10s \(med(8000; 10000)), 15–16s \(med(15000; 16000))"' "$OUT/steps.ndjson"
done
echo "raw outputs in $OUT"
