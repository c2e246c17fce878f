#!/usr/bin/env bash
# bench/run.sh — fetchbench's performance benchmarks (GitHub issue "Performance").
#
# All traffic stays on 127.0.0.1. In order:
#   0. setup: installs missing tools from Debian packages when run as root
#      (nginx-light, hey, wrk, jq, curl, time; `command -v` is checked first),
#      installs vegeta when it is neither on PATH nor in $(go env GOPATH)/bin
#      (`go install github.com/tsenart/vegeta/v12@VEGETA_VERSION`), builds
#      fetchbench once into $OUT/fetchbench (`go build` from the repo root) and
#      bench/rawclient into $OUT/rawclient.
#   1. throughput and client CPU: starts nginx from the template
#      bench/nginx.conf (temporary prefix, pid file, 1 worker, keep-alive, no
#      access log) serving bench/person.json (688 bytes) for every
#      /api/people/<id>/, then ROUNDS interleaved rounds of three clients, the
#      order rotated every round, each under `/usr/bin/time -f '%U %S'`:
#        fetchbench -s semaphore -c C -n N --url-template .../api/people/{id}/ -o json
#        hey -n N -c C .../api/people/1/
#        rawclient -n N -c C .../api/people/1/   (bench/rawclient: the floor of
#          a Go client, C goroutines on one tuned http.Transport)
#      prints req/s and client CPU µs per request ((user+sys)·1e6/N; GNU time
#      counts in centiseconds, so ±10 ms / N) of each per round, their medians
#      and the median ratios fetchbench/hey and fetchbench/rawclient; then
#      wrk -tWRK_THREADS -cC -dWRK_DURATION as the reference ceiling.
#   2. scheduling efficiency (ideal wall / wall, from the JSON summary) against
#      the in-process fake (--offline) at EFF_LATENCY: semaphore c=EFF_C,
#      ratelimit r=EFF_RATE burst 1, unbounded (EFF_N requests each) and
#      sequential (EFF_SEQ_N requests). PASS/FAIL against EFF_TARGET is printed,
#      it does not fail the script.
#   3. memory: peak RSS (/usr/bin/time -v, "Maximum resident set size") of
#      --offline --fake-latency 0 -s semaphore -c MEM_C with --records streamed
#      to an ndjson file and an --html report (its size is reported too), for
#      MEM_SMALL_N and MEM_N requests (flat in N is the
#      goal, target < MEM_TARGET_MB); the records file must have N lines.
#   4. unbounded at scale: -s unbounded -n UNB_N against the fake at
#      EFF_LATENCY, once in-process (--offline) and once against a separate
#      `fetchbench serve` process (the client then needs ~N open files, not ~2N):
#      wall, peak in-flight, latency, or the one-line error it prints.
#   5. pacing against a strict limiter: `fetchbench serve --fake-latency 1ms
#      --fake-rate PACE_RATE --fake-burst 1` answers 429 to any request that
#      arrives sooner than its token bucket allows. After a warm-up burst
#      (hey -n 500 -c 20, its 429s not counted), at 90 % and 100 % of
#      PACE_RATE, PACE_ROUNDS interleaved rounds (alternating which goes first,
#      PACE_GAP seconds between runs so the bucket refills) of PACE_N requests:
#        fetchbench -s ratelimit -r RATE --burst 1 --retries 0 -n PACE_N --url-template ... -o json
#        vegeta attack -rate=RATE -duration=PACE_N/RATE -targets=FILE (ids 1..83 cycled)
#      prints 429s per round and in total, the median achieved start rate
#      ((requests − 1) / (last start − first start): fetchbench's .start_rate,
#      else requests / wall; vegeta's (requests − 1) / .duration) and its ratio
#      to RATE, and fetchbench's late starts and p99 response time when its
#      summary has them. PASS/FAIL (printed, not fatal): at 90 % fetchbench gets
#      no 429; at 100 % fewer 429s than vegeta; achieved ≥ 0.99 × RATE.
#   6. prints one markdown table for the README's "Performance" section (also
#      written to $OUT/RESULTS.md; UPDATE_RESULTS=1 copies it to
#      bench/RESULTS.md) and stops nginx by its pid file and the fakes by their
#      pids (EXIT trap, so also on failure or Ctrl-C).
# Raw outputs of every step (JSON summaries, hey/wrk/rawclient text, time
# outputs, vegeta results) go to $OUT.
# The fake knows people ids 1..83 only; larger ids answer 404 after the same
# latency, which is fine for scheduling, memory and pacing measurements.
#
# Usage (from anywhere; about 4 minutes on 2 cores, QUICK=1 about 1 minute):
#   bash bench/run.sh
#   QUICK=1 bash bench/run.sh
#   N=50000 ROUNDS=5 MEM_N=300000 bash bench/run.sh
#
# Environment knobs [default] (QUICK=1 default):
#   N [20000] (2000)            requests per throughput run (fetchbench, hey, rawclient)
#   C [50]                      connections / concurrency for fetchbench, hey, rawclient, wrk
#   ROUNDS [5] (2)              interleaved throughput rounds
#   WARMUP [2000] (500)         hey requests to warm nginx up, not measured
#   WRK_DURATION [5s] (2s)      wrk run length; WRK_THREADS [2]
#   NGINX_WORKERS [1]           nginx worker_processes (client and server share the cores)
#   PORT [18080]                first port tried for nginx (next free one is used);
#                               PORT+100.. and PORT+200.. for the two fake servers
#   EFF_N [1000] (200)          requests per efficiency run; EFF_SEQ_N [30] (10) for sequential
#   EFF_LATENCY [100ms]         fake latency for efficiency and unbounded runs
#   EFF_C [50] EFF_RATE [200]   semaphore concurrency, ratelimit rate (burst 1)
#   EFF_TARGET [0.97]           efficiency PASS threshold
#   MEM_N [1000000] (20000)     requests of the big memory run
#   MEM_SMALL_N [100000] (2000) requests of the small memory run
#   MEM_C [64]                  semaphore concurrency of the memory runs
#   MEM_TARGET_MB [200]         peak RSS PASS threshold
#   UNB_N [10000] (1000)        requests of the unbounded-at-scale run
#   PACE_RATE [45]              the pacing fake's --fake-rate; runs at 90 % and 100 % of it
#   PACE_N [450] (90)           requests per pacing run
#   PACE_ROUNDS [3]             interleaved pacing rounds per level
#   PACE_GAP [1.1]              seconds of pause before each pacing run (bucket refill)
#   PACE_MAX_WORKERS [100]      vegeta attack -max-workers
#   VEGETA_VERSION [v12.12.0]   version `go install` fetches when vegeta is missing
#   STEP_TIMEOUT [300]          seconds before any single step is killed
#   OUT [bench/out]             output directory (gitignored)
#   FETCHBENCH                  use this binary instead of building one
#   KEEP_RECORDS [0]            1 keeps the memory runs' ndjson files (1M lines ≈ 250 MB)
#   UPDATE_RESULTS [0]          1 copies the final table to bench/RESULTS.md
# Exit status: 0 when every step ran (whatever PASS/FAIL says), 1 when a step
# could not run or produced no result (see the "problems" list at the end).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
export PATH="$PATH:/usr/local/go/bin:/usr/sbin:/sbin"
export LC_ALL=C

QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
	: "${N:=2000}" "${ROUNDS:=2}" "${WARMUP:=500}" "${WRK_DURATION:=2s}"
	: "${EFF_N:=200}" "${EFF_SEQ_N:=10}" "${MEM_N:=20000}" "${MEM_SMALL_N:=2000}" "${UNB_N:=1000}"
	: "${PACE_N:=90}"
fi
: "${N:=20000}" "${C:=50}" "${ROUNDS:=5}" "${WARMUP:=2000}" "${WRK_DURATION:=5s}" "${WRK_THREADS:=2}"
: "${NGINX_WORKERS:=1}" "${PORT:=18080}"
: "${EFF_N:=1000}" "${EFF_SEQ_N:=30}" "${EFF_LATENCY:=100ms}" "${EFF_C:=50}" "${EFF_RATE:=200}" "${EFF_TARGET:=0.97}"
: "${MEM_N:=1000000}" "${MEM_SMALL_N:=100000}" "${MEM_C:=64}" "${MEM_TARGET_MB:=200}"
: "${UNB_N:=10000}" "${STEP_TIMEOUT:=300}" "${OUT:=$here/out}"
: "${PACE_RATE:=45}" "${PACE_N:=450}" "${PACE_ROUNDS:=3}" "${PACE_GAP:=1.1}" "${PACE_MAX_WORKERS:=100}"
: "${VEGETA_VERSION:=v12.12.0}"
: "${KEEP_RECORDS:=0}" "${UPDATE_RESULTS:=0}" "${FETCHBENCH:=}"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
started=$SECONDS
problems=()
ngx=""

# Talk goes to the script's own stderr (fd 9), even from inside a step whose
# stderr is redirected to a file (a trap can fire there).
exec 9>&2
log() { printf '%s\n' "$*" >&9; }
die() { log "bench/run.sh: $*"; exit 1; }
problem() { problems+=("$*"); log "  !! $*"; }

cleanup() {
	local rc=$? pid i
	trap - EXIT INT TERM
	if [[ -n ${step_pid:-} ]]; then
		kill -TERM "$step_pid" 2>/dev/null || true
		wait "$step_pid" 2>/dev/null || true
	fi
	if [[ -n $ngx && -s $ngx/nginx.pid ]]; then
		pid=$(cat "$ngx/nginx.pid")
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		log "==> nginx (pid $pid) stopped"
	fi
	for pid in "${serve_pid:-}" "${pace_pid:-}"; do
		[[ -n $pid ]] || continue
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [[ -n $ngx && -d $ngx ]]; then
		cp "$ngx/error.log" "$OUT/nginx-error.log" 2>/dev/null || true
		rm -rf "$ngx"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- helpers ---------------------------------------------------------------

# run_step SECONDS CMD... runs CMD under timeout(1) and returns its status. CMD
# runs in the background and the script waits for it, so an INT/TERM reaches
# the traps at once (hey, for one, catches Ctrl-C and exits 0, which would make
# a foreground wait carry on); cleanup then stops the step.
step_pid=""
run_step() {
	local t=$1 rc=0
	shift
	timeout -k 5 "$t" "$@" &
	step_pid=$!
	wait "$step_pid" || rc=$?
	step_pid=""
	return "$rc"
}

# fb NAME ARGS... runs fetchbench with a JSON summary into $OUT/NAME.json and
# stderr into $OUT/NAME.err; returns fetchbench's exit status.
fb() {
	local name=$1
	shift
	run_step "$STEP_TIMEOUT" "$fbbin" "$@" -o json --progress never >"$OUT/$name.json" 2>"$OUT/$name.err"
}

# jf NAME FIELD prints .strategies[0].FIELD of $OUT/NAME.json (empty if missing).
jf() { jq -r ".strategies[0].$2 // empty" "$OUT/$1.json" 2>/dev/null || true; }

# first_err NAME prints the last non-empty stderr line of a fetchbench run.
first_err() {
	local l
	l=$(grep -v '^[[:space:]]*$' "$OUT/$1.err" 2>/dev/null | tail -n 1 || true)
	printf '%s' "${l:-(nothing on stderr)}"
}

# timed CPUFILE CMD... runs CMD like run_step under GNU time, which writes
# "USER SYS" (seconds, rusage of CMD and its children) to CPUFILE (its -o file;
# after a "Command exited with non-zero status" line when CMD fails).
timed() {
	local cpufile=$1
	shift
	run_step "$STEP_TIMEOUT" /usr/bin/time -f '%U %S' -o "$cpufile" "$@"
}

# cpu_us CPUFILE N prints (user+sys)·1e6/N from a timed CPUFILE (empty if none).
cpu_us() {
	awk -v n="$2" '$1 ~ /^[0-9.]+$/ && $2 ~ /^[0-9.]+$/ && NF == 2 { t = $1 + $2; got = 1 }
		END { if (got && n > 0) printf "%.2f", t * 1e6 / n }' "$1" 2>/dev/null || true
}

# kv FILE KEY prints the value of the first KEY=VALUE word in FILE (empty if none).
kv() { awk -v k="$2" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' "$1" 2>/dev/null || true; }

num() { [[ ${1:-} =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]; }

# thousands N prints N rounded to an integer with thousands separators.
thousands() {
	if num "${1:-}"; then printf '%.0f' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; else printf 'n/a'; fi
}
# secs MS prints a duration in milliseconds as seconds with 2 decimals.
secs() { if num "${1:-}"; then awk -v m="$1" 'BEGIN { printf "%.2f s", m / 1000 }'; else printf 'n/a'; fi; }
fixed() { if num "${2:-}"; then printf "%.${1}f" "$2"; else printf 'n/a'; fi; }
ratio3() { if num "${1:-}" && num "${2:-}"; then awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "n/a" }'; else printf 'n/a'; fi; }
ratio() { if num "${1:-}" && num "${2:-}"; then awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; else printf 'n/a'; fi; }
median() { printf '%s\n' "$@" | { grep -E '^[0-9.]+$' || true; } | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) printf "%.2f", a[(NR + 1) / 2]; else printf "%.2f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# --- 0. tools and build ----------------------------------------------------

need=()
command -v nginx >/dev/null || need+=(nginx-light)
command -v hey >/dev/null || need+=(hey)
command -v wrk >/dev/null || need+=(wrk)
command -v jq >/dev/null || need+=(jq)
command -v curl >/dev/null || need+=(curl)
command -v timeout >/dev/null || need+=(coreutils)
[[ -x /usr/bin/time ]] || need+=(time)
if ((${#need[@]})); then
	[[ $(id -u) == 0 ]] || die "missing tools; install them first: sudo apt-get install -y ${need[*]}"
	log "==> installing ${need[*]} (log: $OUT/apt.log)"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -qq "${need[@]}" >"$OUT/apt.log" 2>&1; then
		apt-get update -qq >>"$OUT/apt.log" 2>&1 || true
		apt-get install -y -qq "${need[@]}" >>"$OUT/apt.log" 2>&1 || die "apt-get install ${need[*]} failed; see $OUT/apt.log"
	fi
fi

# vegeta for the pacing step: on PATH, else where `go install` puts it.
gobin=$(go env GOBIN 2>/dev/null || true)
[[ -n $gobin ]] || gobin=$(go env GOPATH 2>/dev/null | cut -d: -f1)/bin
vegeta=$(command -v vegeta || true)
[[ -n $vegeta ]] || vegeta=$gobin/vegeta
if [[ ! -x $vegeta ]]; then
	log "==> go install github.com/tsenart/vegeta/v12@$VEGETA_VERSION (log: $OUT/vegeta-install.log)"
	(cd "$OUT" && go install "github.com/tsenart/vegeta/v12@$VEGETA_VERSION") >"$OUT/vegeta-install.log" 2>&1 ||
		die "go install vegeta failed; see $OUT/vegeta-install.log"
	vegeta=$gobin/vegeta
	[[ -x $vegeta ]] || die "go install put no vegeta in $gobin"
fi

if [[ -n $FETCHBENCH ]]; then
	fbbin=$FETCHBENCH
	log "==> using $fbbin"
else
	fbbin=$OUT/fetchbench
	log "==> go build -o $fbbin ."
	(cd "$root" && go build -o "$fbbin" .) || die "go build failed"
fi
[[ -x $fbbin ]] || die "$fbbin is not executable"
rawbin=$OUT/rawclient
log "==> go build -o $rawbin ./bench/rawclient"
(cd "$root" && go build -o "$rawbin" ./bench/rawclient) || die "go build ./bench/rawclient failed"

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
machine="${cpu:-unknown CPU}, $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r)"
vver=$(go version -m "$vegeta" 2>/dev/null | awk '$1 == "mod" { print $3; exit }' || true)
versions="$("$fbbin" --version 2>/dev/null | head -n 1 || true)"
versions="${versions:+$versions, }$(go version 2>/dev/null | awk '{ print $3 }'), $(nginx -v 2>&1 | sed 's/.*: //'), hey $(dpkg-query -W -f='${Version}' hey 2>/dev/null || echo '?'), wrk $(dpkg-query -W -f='${Version}' wrk 2>/dev/null || echo '?'), vegeta ${vver:-?}"
log "    $machine"
log "    $versions"

# --- 1. throughput against nginx --------------------------------------------

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$PORT
while port_busy "$port"; do
	port=$((port + 1))
	((port < PORT + 100)) || die "no free port in $PORT..$((PORT + 99))"
done

ngx=$(mktemp -d /tmp/fetchbench-nginx.XXXXXX)
chmod 755 "$ngx"
mkdir -p "$ngx/html" "$ngx/tmp"
cp "$here/person.json" "$ngx/html/person.json"
chmod 644 "$ngx/html/person.json"
sed -e "s#@PREFIX@#$ngx#g" -e "s#@PORT@#$port#g" -e "s#@WORKERS@#$NGINX_WORKERS#g" \
	-e "s#@USER@#$(id -un)#g" "$here/nginx.conf" >"$ngx/nginx.conf"
cp "$ngx/nginx.conf" "$OUT/nginx.conf"
nginx -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" -t -q || die "nginx -t rejected $OUT/nginx.conf"
nginx -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" || die "nginx did not start; see $ngx/error.log"

url1="http://127.0.0.1:$port/api/people/1/"
tmpl="http://127.0.0.1:$port/api/people/{id}/"
for ((i = 0; i < 100; i++)); do
	curl -fsS -o /dev/null --max-time 1 "$url1" 2>/dev/null && break
	sleep 0.1
done
size=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/api/people/12345/" | wc -c) || die "nginx on 127.0.0.1:$port does not answer; see $OUT/nginx-error.log"
log "==> nginx (pid $(cat "$ngx/nginx.pid"), $NGINX_WORKERS worker) serves $size-byte person.json at $tmpl"

if ((WARMUP > 0)); then
	run_step 60 hey -n "$WARMUP" -c "$C" "$url1" >/dev/null 2>&1 || true
fi

# Three clients per round, the order rotated every round; each runs under GNU
# time for its CPU (user+sys) per request.
rounds_md=""
fb_rps=() hey_rps=() raw_rps=() fb_cpu=() hey_cpu=() raw_cpu=()
q_hey=() q_raw=() qc_hey=() qc_raw=()
tools=(fetchbench hey rawclient)
for ((r = 1; r <= ROUNDS; r++)); do
	k=$(((r - 1) % ${#tools[@]}))
	order="${tools[*]:k} ${tools[*]:0:k}"
	order=${order% }
	f="" h="" x="" fc="" hc="" xc=""
	for tool in $order; do
		rc=0
		case $tool in
		fetchbench)
			timed "$OUT/ab-$r-fetchbench.cpu" "$fbbin" -s semaphore -c "$C" -n "$N" --url-template "$tmpl" \
				-o json --progress never >"$OUT/ab-$r-fetchbench.json" 2>"$OUT/ab-$r-fetchbench.err" || rc=$?
			f=$(jf "ab-$r-fetchbench" req_per_sec)
			fc=$(cpu_us "$OUT/ab-$r-fetchbench.cpu" "$N")
			ok=$(jf "ab-$r-fetchbench" ok)
			if ! num "$f"; then
				problem "round $r: fetchbench (exit $rc) gave no req_per_sec: $(first_err "ab-$r-fetchbench")"
			elif [[ $ok != "$N" ]]; then
				problem "round $r: fetchbench ok=$ok of $N (exit $rc): $(jq -c '.strategies[0] | {status_counts, error_classes}' "$OUT/ab-$r-fetchbench.json")"
			fi
			;;
		hey)
			timed "$OUT/ab-$r-hey.cpu" hey -n "$N" -c "$C" "$url1" >"$OUT/ab-$r-hey.txt" 2>&1 || rc=$?
			h=$(awk '/Requests\/sec:/ { print $2 }' "$OUT/ab-$r-hey.txt")
			hc=$(cpu_us "$OUT/ab-$r-hey.cpu" "$N")
			num "$h" || problem "round $r: hey (exit $rc) gave no Requests/sec; see $OUT/ab-$r-hey.txt"
			grep -q "\[200\][[:space:]]*$N responses" "$OUT/ab-$r-hey.txt" || problem "round $r: hey did not get $N x 200; see $OUT/ab-$r-hey.txt"
			;;
		rawclient)
			timed "$OUT/ab-$r-rawclient.cpu" "$rawbin" -n "$N" -c "$C" "$url1" >"$OUT/ab-$r-rawclient.txt" 2>&1 || rc=$?
			x=$(kv "$OUT/ab-$r-rawclient.txt" req_per_sec)
			xc=$(cpu_us "$OUT/ab-$r-rawclient.cpu" "$N")
			ok=$(kv "$OUT/ab-$r-rawclient.txt" ok)
			if ! num "$x"; then
				problem "round $r: rawclient (exit $rc) gave no req_per_sec; see $OUT/ab-$r-rawclient.txt"
			elif [[ $ok != "$N" ]]; then
				problem "round $r: rawclient ok=$ok of $N (exit $rc); see $OUT/ab-$r-rawclient.txt"
			fi
			;;
		esac
		[[ -s $OUT/ab-$r-$tool.cpu ]] || problem "round $r: /usr/bin/time wrote no CPU times for $tool"
	done
	fb_rps+=("$f") hey_rps+=("$h") raw_rps+=("$x") fb_cpu+=("$fc") hey_cpu+=("$hc") raw_cpu+=("$xc")
	q_hey+=("$(ratio "$f" "$h")") q_raw+=("$(ratio "$f" "$x")") qc_hey+=("$(ratio "$fc" "$hc")") qc_raw+=("$(ratio "$fc" "$xc")")
	log "    round $r (${order// / → }): req/s fetchbench $(thousands "$f"), hey $(thousands "$h"), rawclient $(thousands "$x");" \
		"CPU µs/req $(fixed 1 "$fc"), $(fixed 1 "$hc"), $(fixed 1 "$xc")"
	rounds_md+="| $r | ${order// / → } | $(thousands "$f") | $(thousands "$h") | $(thousands "$x") | $(fixed 1 "$fc") | $(fixed 1 "$hc") | $(fixed 1 "$xc") |"$'\n'
done
med_fb=$(median "${fb_rps[@]}") med_hey=$(median "${hey_rps[@]}") med_raw=$(median "${raw_rps[@]}")
med_fbc=$(median "${fb_cpu[@]}") med_heyc=$(median "${hey_cpu[@]}") med_rawc=$(median "${raw_cpu[@]}")
med_ratio=$(median "${q_hey[@]}") med_ratio_raw=$(median "${q_raw[@]}")
med_cratio=$(median "${qc_hey[@]}") med_cratio_raw=$(median "${qc_raw[@]}")
log "    median req/s: fetchbench $(thousands "$med_fb"), hey $(thousands "$med_hey"), rawclient $(thousands "$med_raw")"
log "    median CPU µs/request: fetchbench $(fixed 1 "$med_fbc"), hey $(fixed 1 "$med_heyc"), rawclient $(fixed 1 "$med_rawc")"
log "    fetchbench/hey: throughput $med_ratio, CPU/request $med_cratio; fetchbench/rawclient: throughput $med_ratio_raw, CPU/request $med_cratio_raw (medians of the per-round ratios)"

rc=0
run_step "$STEP_TIMEOUT" wrk "-t$WRK_THREADS" "-c$C" "-d$WRK_DURATION" "$url1" >"$OUT/wrk.txt" 2>&1 || rc=$?
wrk_rps=$(awk '/^Requests\/sec:/ { print $2 }' "$OUT/wrk.txt")
num "$wrk_rps" || problem "wrk (exit $rc) gave no Requests/sec; see $OUT/wrk.txt"
grep -q 'Non-2xx' "$OUT/wrk.txt" && problem "wrk saw non-2xx responses; see $OUT/wrk.txt"
log "    wrk -t$WRK_THREADS -c$C -d$WRK_DURATION: $(thousands "$wrk_rps") req/s (medians: fetchbench at $(ratio "$med_fb" "$wrk_rps") of it, hey $(ratio "$med_hey" "$wrk_rps"), rawclient $(ratio "$med_raw" "$wrk_rps"))"

# nginx is not needed any more: stop it now so it does not sit on a core.
pid=$(cat "$ngx/nginx.pid")
kill -TERM "$pid" 2>/dev/null || true
for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
cp "$ngx/error.log" "$OUT/nginx-error.log" 2>/dev/null || true
rm -rf "$ngx"
ngx=""
log "==> nginx stopped"

# --- 2. scheduling efficiency against the in-process fake ---------------------

log "==> scheduling efficiency (--offline --fake-latency $EFF_LATENCY)"
eff_md=""
eff_case() {
	local name=$1 label=$2 n=$3 rc=0 e w i p v
	shift 3
	fb "eff-$name" --offline --fake-latency "$EFF_LATENCY" -n "$n" "$@" || rc=$?
	e=$(jf "eff-$name" efficiency) w=$(jf "eff-$name" wall_ms) i=$(jf "eff-$name" ideal_ms) p=$(jf "eff-$name" peak_in_flight)
	if ! num "$e"; then
		problem "efficiency $name (exit $rc) gave no result: $(first_err "eff-$name")"
		v="n/a"
	elif ge "$e" "$EFF_TARGET"; then v="PASS"; else v="FAIL"; fi
	log "    $(printf '%-10s %-22s' "$name" "$label") n=$n wall $(secs "$w") ideal $(secs "$i") efficiency $(fixed 3 "$e") peak in-flight ${p:-n/a}  $v"
	eff_md+="| $name | $label | $(thousands "$n") | $(secs "$w") | $(secs "$i") | $(fixed 3 "$e") | ${p:-n/a} | $v |"$'\n'
}
eff_case semaphore "c=$EFF_C" "$EFF_N" -s semaphore -c "$EFF_C"
eff_case ratelimit "r=$EFF_RATE/s, burst 1" "$EFF_N" -s ratelimit -r "$EFF_RATE" --burst 1
eff_case unbounded "(none)" "$EFF_N" -s unbounded
eff_case sequential "(none)" "$EFF_SEQ_N" -s sequential

# --- 3. memory ----------------------------------------------------------------

log "==> memory (--offline --fake-latency 0 -s semaphore -c $MEM_C, records to ndjson)"
mem_md=""
mem_case() {
	local n=$1 name="mem-$1" rc=0 rec rss mb lines w rps ok v html hkb
	rec=$OUT/records-$n.ndjson
	html=$OUT/report-$n.html
	rm -f "$rec" "$html"
	run_step "$STEP_TIMEOUT" /usr/bin/time -v -o "$OUT/$name.time" \
		"$fbbin" --offline --fake-latency 0 -s semaphore -c "$MEM_C" -n "$n" \
		--records "$rec" --html "$html" --progress never -o json >"$OUT/$name.json" 2>"$OUT/$name.err" || rc=$?
	hkb=n/a
	[[ -f $html ]] && hkb=$(($(wc -c <"$html") / 1024))
	rss=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$OUT/$name.time" 2>/dev/null || true)
	mb=""
	num "$rss" && mb=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
	lines=0
	[[ -f $rec ]] && lines=$(wc -l <"$rec")
	w=$(jf "$name" wall_ms) rps=$(jf "$name" req_per_sec) ok=$(jf "$name" ok)
	((rc == 0)) || problem "memory n=$n: exit $rc: $(first_err "$name")"
	[[ $lines == "$n" ]] || problem "memory n=$n: records file has $lines lines, want $n"
	if ((rc != 0)) || ! num "$mb"; then v="n/a"; elif ge "$MEM_TARGET_MB" "$mb"; then v="PASS"; else v="FAIL"; fi
	log "    n=$n: peak RSS ${mb:-n/a} MB, wall $(secs "$w"), $(thousands "$rps") req/s, ok=${ok:-n/a}, records lines $lines, HTML report $hkb KiB  $v"
	mem_md+="| $(thousands "$n") | ${mb:-n/a} MB | $(secs "$w") | $(thousands "$rps") | $(thousands "$lines") $([[ $lines == "$n" ]] && echo '✓' || echo '✗') | $hkb KiB | $v |"$'\n'
	[[ $KEEP_RECORDS == 1 ]] || rm -f "$rec"
}
mem_case "$MEM_SMALL_N"
mem_case "$MEM_N"

# --- 4. unbounded at scale ------------------------------------------------------

log "==> unbounded at scale (--offline --fake-latency $EFF_LATENCY -s unbounded -n $UNB_N)"
rc=0
fb unb --offline --fake-latency "$EFF_LATENCY" -s unbounded -n "$UNB_N" || rc=$?
uw=$(jf unb wall_ms) up=$(jf unb peak_in_flight) ue=$(jf unb efficiency) uerr=$(jf unb errors)
ul50=$(jf unb latency_p50_ms) ulmax=$(jf unb latency_max_ms)
ucls=$(jq -c '.strategies[0].error_classes // {} | with_entries(select(.key != "" and .key != "none"))' "$OUT/unb.json" 2>/dev/null || true)
if num "$uw"; then
	ures="works (exit $rc)"
	unb_md="| $(thousands "$UNB_N") | $ures | $(secs "$uw") | $up | $(fixed 3 "$ue") | $(fixed 0 "$ul50") / $(fixed 0 "$ulmax") ms | ${uerr:-n/a} ${ucls} |"
else
	ures="fails (exit $rc): $(first_err unb)"
	unb_md="| $(thousands "$UNB_N") | $ures | n/a | n/a | n/a | n/a | n/a |"
fi
log "    $ures; wall $(secs "$uw"), peak in-flight ${up:-n/a}, efficiency $(fixed 3 "$ue"), errors ${uerr:-n/a} $ucls"

# The same run against the fake in its own process (`fetchbench serve`), so the
# client holds only its own side of each connection (about N open files, not 2N).
sport=$((PORT + 100))
while port_busy "$sport"; do
	sport=$((sport + 1))
	((sport < PORT + 200)) || die "no free port in $((PORT + 100))..$((PORT + 199))"
done
"$fbbin" serve --addr "127.0.0.1:$sport" --fake-latency "$EFF_LATENCY" >/dev/null 2>"$OUT/serve.err" &
serve_pid=$!
for ((i = 0; i < 100; i++)); do
	curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$sport/api/" 2>/dev/null && break
	sleep 0.1
done
log "==> unbounded at scale against \`fetchbench serve\` (pid $serve_pid, 127.0.0.1:$sport) -s unbounded -n $UNB_N"
rc=0
fb unbs --url-template "http://127.0.0.1:$sport/api/people/{id}/" -s unbounded -n "$UNB_N" || rc=$?
sw=$(jf unbs wall_ms) sp=$(jf unbs peak_in_flight) se=$(jf unbs efficiency) serr=$(jf unbs errors)
sl50=$(jf unbs latency_p50_ms) slmax=$(jf unbs latency_max_ms)
scls=$(jq -c '.strategies[0].error_classes // {}' "$OUT/unbs.json" 2>/dev/null || true)
curl -fsS --max-time 2 "http://127.0.0.1:$sport/__stats" >"$OUT/serve-stats.json" 2>/dev/null || true
kill -TERM "$serve_pid" 2>/dev/null || true
wait "$serve_pid" 2>/dev/null || true
serve_pid=""
if num "$sw"; then
	sres="works (exit $rc)"
	unbs_md="| $(thousands "$UNB_N") | $sres | $(secs "$sw") | $sp | $(fixed 3 "$se") | $(fixed 0 "$sl50") / $(fixed 0 "$slmax") ms | ${serr:-n/a} ${scls} |"
else
	sres="fails (exit $rc): $(first_err unbs)"
	problem "unbounded against fetchbench serve: $sres"
	unbs_md="| $(thousands "$UNB_N") | $sres | n/a | n/a | n/a | n/a | n/a |"
fi
log "    $sres; wall $(secs "$sw"), peak in-flight ${sp:-n/a}, efficiency $(fixed 3 "$se"), latency p50/max $(fixed 0 "$sl50")/$(fixed 0 "$slmax") ms, errors ${serr:-n/a} $scls"

# --- 5. pacing against a strict limiter ---------------------------------------------

# The fake answers 429 to a request that arrives before its token bucket (rate
# PACE_RATE, burst 1) holds a token; a rejected request takes no token.
pport=$((PORT + 200))
while port_busy "$pport"; do
	pport=$((pport + 1))
	((pport < PORT + 300)) || die "no free port in $((PORT + 200))..$((PORT + 299))"
done
"$fbbin" serve --addr "127.0.0.1:$pport" --fake-latency 1ms --fake-rate "$PACE_RATE" --fake-burst 1 >/dev/null 2>"$OUT/pace-serve.err" &
pace_pid=$!
pace_up=0
for ((i = 0; i < 100; i++)); do
	if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$pport/api/people/1/" 2>/dev/null; then
		pace_up=1
		break
	fi
	sleep 0.1
done
# Warm the fake up (connections accepted, code paths run) so that round 1 does not pay for
# its cold start; the 429s of this burst do not count, and each run waits PACE_GAP first.
run_step 60 hey -n 500 -c 20 "http://127.0.0.1:$pport/api/people/1/" >/dev/null 2>&1 || true
ptmpl="http://127.0.0.1:$pport/api/people/{id}/"
ptargets=$OUT/pace-targets.txt
for ((i = 0; i < PACE_N; i++)); do
	printf 'GET http://127.0.0.1:%s/api/people/%d/\n' "$pport" $((i % 83 + 1))
done >"$ptargets"
log "==> pacing against \`fetchbench serve --fake-latency 1ms --fake-rate $PACE_RATE --fake-burst 1\` (pid $pace_pid, 127.0.0.1:$pport): $PACE_ROUNDS rounds x $PACE_N requests at 90 % and 100 %"
((pace_up)) || problem "the pacing fake on 127.0.0.1:$pport did not answer; see $OUT/pace-serve.err"

# vrate R prints R as vegeta's integer FREQ/PER (40.5 -> 405/10s, 45 -> 45/1s).
vrate() {
	awk -v r="$1" 'BEGIN { for (p = 1; p <= 1000000; p *= 10) { f = r * p; if (f - int(f + 0.5) < 1e-6 && int(f + 0.5) - f < 1e-6) { printf "%d/%ds", int(f + 0.5), p; exit } }
		printf "%d/1000000s", r * 1000000 + 0.5 }'
}
ok99() { if num "${1:-}"; then if ge "$1" 0.99; then echo PASS; else echo FAIL; fi; else echo n/a; fi; }
sum() { printf '%s\n' "$@" | awk '/^[0-9]+$/ { s += $1; n++ } END { if (n) print s; else print "n/a" }'; }
pace_md=""

# pace_level PCT runs PACE_ROUNDS rounds of fetchbench and vegeta at PCT % of
# PACE_RATE and adds a row per tool to pace_md.
pace_level() {
	local pct=$1 rate vr vdur r order tool name rc rej ach req w dur late p99 src=""
	local fb_rej=() fb_ach=() fb_late=() fb_p99=() vg_rej=() vg_ach=() vg_p99=()
	rate=$(awk -v r="$PACE_RATE" -v p="$pct" 'BEGIN { printf "%.6g", r * p / 100 }')
	vr=$(vrate "$rate")
	# vegeta sends its k-th request at k/RATE and checks the duration before
	# each wait: PACE_N/RATE less 1 ms makes the PACE_N-th the last one.
	vdur=$(awk -v n="$PACE_N" -v r="$rate" 'BEGIN { printf "%dms", int(n * 1000 / r) - 1 }')
	log "    $pct % = $rate/s (vegeta -rate=$vr -duration=$vdur)"
	for ((r = 1; r <= PACE_ROUNDS; r++)); do
		if ((r % 2)); then order="fetchbench vegeta"; else order="vegeta fetchbench"; fi
		for tool in $order; do
			name="pace-$pct-$r-$tool" rc=0
			sleep "$PACE_GAP"
			if [[ $tool == fetchbench ]]; then
				fb "$name" -s ratelimit -r "$rate" --burst 1 --retries 0 -n "$PACE_N" --url-template "$ptmpl" || rc=$?
				req=$(jf "$name" requests) w=$(jf "$name" wall_ms)
				rej=$(jq -r '.strategies[0].status_counts["429"] // 0' "$OUT/$name.json" 2>/dev/null || true)
				ach=$(jf "$name" start_rate)
				if num "$ach" && ! ge 0 "$ach"; then
					src=${src:-start_rate}
				elif num "$req" && num "$w"; then
					ach=$(awk -v n="$req" -v w="$w" 'BEGIN { if (w > 0) printf "%.3f", n / (w / 1000) }')
					src="wall"
				fi
				late=$(jf "$name" late_starts) p99=$(jf "$name" response_p99_ms)
				if ! num "$req"; then
					problem "pacing $pct % round $r: fetchbench (exit $rc) gave no summary: $(first_err "$name")"
				elif [[ $req != "$PACE_N" ]]; then
					problem "pacing $pct % round $r: fetchbench made $req requests, want $PACE_N"
				fi
				fb_rej+=("$rej") fb_ach+=("$ach") fb_late+=("${late:-n/a}") fb_p99+=("$p99")
				log "      round $r fetchbench: 429s ${rej:-n/a}, achieved $(fixed 2 "$ach")/s${src:+ ($src)}, late starts ${late:-n/a}, p99 response $(fixed 1 "$p99")$(num "$p99" && echo ' ms')"
			else
				run_step "$STEP_TIMEOUT" "$vegeta" attack -rate="$vr" -duration="$vdur" -targets="$ptargets" \
					-max-workers="$PACE_MAX_WORKERS" -output="$OUT/$name.bin" 2>"$OUT/$name.err" || rc=$?
				"$vegeta" report -type=json "$OUT/$name.bin" >"$OUT/$name.json" 2>>"$OUT/$name.err" || rc=$?
				req=$(jq -r '.requests // empty' "$OUT/$name.json" 2>/dev/null || true)
				dur=$(jq -r '.duration // empty' "$OUT/$name.json" 2>/dev/null || true)
				rej=$(jq -r '.status_codes["429"] // 0' "$OUT/$name.json" 2>/dev/null || true)
				p99=$(jq -r '.latencies["99th"] // empty | . / 1e6' "$OUT/$name.json" 2>/dev/null || true)
				# The same definition as fetchbench's start_rate; vegeta's own
				# .rate is requests / (last start - first start).
				ach=""
				num "$req" && num "$dur" && ach=$(awk -v n="$req" -v d="$dur" 'BEGIN { if (d > 0) printf "%.3f", (n - 1) * 1e9 / d }')
				if ! num "$req"; then
					problem "pacing $pct % round $r: vegeta (exit $rc) gave no report; see $OUT/$name.err"
				elif [[ $req != "$PACE_N" ]]; then
					problem "pacing $pct % round $r: vegeta made $req requests, want $PACE_N"
				fi
				vg_rej+=("$rej") vg_ach+=("$ach") vg_p99+=("$p99")
				log "      round $r vegeta:     429s ${rej:-n/a}, achieved $(fixed 2 "$ach")/s, p99 latency $(fixed 1 "$p99") ms"
			fi
		done
	done
	local fbt vgt fbm vgm fbq vgq v1 v2 v3 want=$((PACE_ROUNDS * PACE_N))
	fbt=$(sum "${fb_rej[@]}") vgt=$(sum "${vg_rej[@]}")
	fbm=$(median "${fb_ach[@]}") vgm=$(median "${vg_ach[@]}")
	fbq=$(ratio3 "$fbm" "$rate") vgq=$(ratio3 "$vgm" "$rate")
	v1=$(ok99 "$fbq") v2=$(ok99 "$vgq")
	if ((pct == 90)); then
		if ! num "$fbt"; then v3="n/a"; elif ((fbt == 0)); then v3="PASS"; else v3="FAIL"; fi
		v3="fetchbench no 429: $v3"
	else
		if ! num "$fbt" || ! num "$vgt"; then v3="n/a"; elif ((fbt < vgt)); then v3="PASS"; else v3="FAIL"; fi
		v3="fetchbench 429s < vegeta's: $v3"
	fi
	log "    $pct % ($rate/s): fetchbench 429s ${fb_rej[*]} (total $fbt of $want), median achieved $(fixed 2 "$fbm")/s = $fbq of rate${src:+ ($src)}"
	log "    $pct % ($rate/s): vegeta     429s ${vg_rej[*]} (total $vgt of $want), median achieved $(fixed 2 "$vgm")/s = $vgq of rate"
	log "    $v3; fetchbench achieved ≥ 0.99: $v1; vegeta achieved ≥ 0.99: $v2"
	local fbl="${fb_rej[*]}" vgl="${vg_rej[*]}" fbp="${fb_late[*]}"
	[[ -n ${fbp//[n\/a ]/} ]] || fbp="n/a"
	pace_md+="| $pct % ($rate/s) | fetchbench | ${fbl// /, } | $fbt / $want | $(fixed 2 "$fbm")$([[ $src == wall ]] && echo ' †') | $fbq | ${fbp// /, } | $(fixed 1 "$(median "${fb_p99[@]}")") | $v3; rate $v1 |"$'\n'
	pace_md+="| $pct % ($rate/s) | vegeta | ${vgl// /, } | $vgt / $want | $(fixed 2 "$vgm") | $vgq | n/a | $(fixed 1 "$(median "${vg_p99[@]}")") ‡ | rate $v2 |"$'\n'
}
if ((pace_up)); then
	pace_level 90
	pace_level 100
fi
curl -s --max-time 2 "http://127.0.0.1:$pport/__stats" >"$OUT/pace-serve-stats.json" 2>/dev/null || true
kill -TERM "$pace_pid" 2>/dev/null || true
wait "$pace_pid" 2>/dev/null || true
pace_pid=""

# --- 6. report -------------------------------------------------------------------

elapsed=$((SECONDS - started))
{
	echo "## Performance"
	echo
	echo "Measured with \`bash bench/run.sh\` on $(date -u +%Y-%m-%d): $machine; $versions."
	echo "Client and server share the same cores; all traffic is on 127.0.0.1. Whole script: ${elapsed} s."
	echo
	echo "### Throughput and client CPU: fetchbench vs hey vs rawclient vs wrk"
	echo
	echo "nginx ($NGINX_WORKERS worker, keep-alive, access log off) serving a $size-byte SWAPI person document."
	echo "fetchbench: \`-s semaphore -c $C -n $N --url-template 'http://127.0.0.1:PORT/api/people/{id}/'\`;"
	echo "hey: \`-n $N -c $C\`; rawclient (\`bench/rawclient\`, the floor of a Go client: $C goroutines on one"
	echo "tuned \`http.Transport\`, bodies read to \`io.Discard\`): \`-n $N -c $C\`. The order rotates every round."
	echo "CPU per request = (user + sys) × 10⁶ / $N from \`/usr/bin/time -f '%U %S'\` (centisecond resolution)."
	echo
	echo "| round | order | fetchbench req/s | hey req/s | rawclient req/s | fetchbench CPU µs/req | hey CPU µs/req | rawclient CPU µs/req |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|"
	printf '%s' "$rounds_md"
	echo "| **median** | | **$(thousands "$med_fb")** | **$(thousands "$med_hey")** | **$(thousands "$med_raw")** | **$(fixed 1 "$med_fbc")** | **$(fixed 1 "$med_heyc")** | **$(fixed 1 "$med_rawc")** |"
	echo
	echo "| fetchbench vs | throughput ratio | CPU/request ratio |"
	echo "|---|---:|---:|"
	echo "| hey | **$med_ratio** | **$med_cratio** |"
	echo "| rawclient | **$med_ratio_raw** | **$med_cratio_raw** |"
	echo
	echo "Ratios are the medians of the per-round ratios."
	echo
	echo "Reference ceiling, \`wrk -t$WRK_THREADS -c$C -d$WRK_DURATION\`: **$(thousands "$wrk_rps") req/s** (medians: fetchbench = $(ratio "$med_fb" "$wrk_rps") of wrk, hey = $(ratio "$med_hey" "$wrk_rps"), rawclient = $(ratio "$med_raw" "$wrk_rps"))."
	echo
	echo "### Scheduling efficiency (ideal wall / wall)"
	echo
	echo "In-process fake (\`--offline --fake-latency $EFF_LATENCY\`); target ≥ $EFF_TARGET."
	echo
	echo "| strategy | settings | requests | wall | ideal | efficiency | peak in-flight | target |"
	echo "|---|---|---:|---:|---:|---:|---:|---|"
	printf '%s' "$eff_md"
	echo
	echo "### Memory (peak RSS)"
	echo
	echo "\`--offline --fake-latency 0 -s semaphore -c $MEM_C --records FILE.ndjson --html FILE.html --progress never\` under \`/usr/bin/time -v\`; target < $MEM_TARGET_MB MB (and an HTML report under ~5 MB)."
	echo
	echo "| requests | peak RSS | wall | req/s | records lines = N | HTML report | target |"
	echo "|---:|---:|---:|---:|---|---:|---|"
	printf '%s' "$mem_md"
	echo
	echo "### Unbounded at scale"
	echo
	echo "\`-s unbounded -n $UNB_N\` against the fake at $EFF_LATENCY latency, in-process (\`--offline\`) and as a separate"
	echo "\`fetchbench serve\` process (\`--url-template\`). Open-file limit here: $(ulimit -Sn) soft / $(ulimit -Hn) hard."
	echo
	echo "| fake | requests | result | wall | peak in-flight | efficiency | latency p50 / max | errors |"
	echo "|---|---:|---|---:|---:|---:|---:|---|"
	echo "| in-process (\`--offline\`) ${unb_md}"
	echo "| \`fetchbench serve\` ${unbs_md}"
	echo
	echo "### Pacing against a strict limiter"
	echo
	echo "\`fetchbench serve --fake-latency 1ms --fake-rate $PACE_RATE --fake-burst 1\` answers 429 to a request arriving before"
	echo "its token bucket allows. $PACE_ROUNDS rounds per level, alternating which tool goes first, $PACE_N requests each:"
	echo "fetchbench \`-s ratelimit -r RATE --burst 1 --retries 0 -n $PACE_N --url-template …/{id}/\` (ids above 83 answer"
	echo "404, not counted) and vegeta \`attack -rate=RATE -duration≈$PACE_N/RATE\` over ids 1–83."
	echo "Achieved = (requests − 1) / (last start − first start), median over rounds."
	echo
	echo "| level | tool | 429s per round | 429s total | achieved req/s | achieved / rate | late starts | p99 ms | checks |"
	echo "|---|---|---|---:|---:|---:|---|---:|---|"
	if [[ -n $pace_md ]]; then printf '%s' "$pace_md"; else echo "| n/a | | | | | | | | the fake did not start |"; fi
	echo
	echo "p99: fetchbench's \`response_p99_ms\`; ‡ vegeta's latency p99.$([[ $pace_md == *†* ]] && echo " † this fetchbench has no \`start_rate\`: requests / wall.")"
} >"$OUT/RESULTS.md"

echo
cat "$OUT/RESULTS.md"
if [[ $UPDATE_RESULTS == 1 ]]; then
	cp "$OUT/RESULTS.md" "$here/RESULTS.md"
	log "==> wrote $here/RESULTS.md"
fi
log "==> done in ${elapsed} s; raw outputs in $OUT"
if ((${#problems[@]})); then
	log "==> problems:"
	for p in "${problems[@]}"; do log "    - $p"; done
	exit 1
fi
