#!/usr/bin/env bash
#
# scripts/bench.sh - the benchmark suite: our client against go-imap v2,
# Python's imaplib and a raw socket reader (the floor), on one throwaway
# Dovecot, one process per library, scenario and repetition. See
# bench/README.md.
#
#   ./scripts/bench.sh                        the full run (100,000 messages)
#   BENCH_MESSAGES=10000 ./scripts/bench.sh   a quicker run on less data
#
# What it does, from the repository root:
#   1. installs Dovecot with apt-get if it is missing (root only);
#   2. builds the runners (bench/cmd/...) into a temp directory;
#   3. seeds the data once into $BENCH_DATA (a cache reused by later runs
#      with the same parameters): BENCH_MESSAGES messages in INBOX, the
#      first BENCH_BODIES of them in folder Bodies, one BENCH_BIG_MB MiB
#      message in folder Big, BENCH_APPEND messages for the APPEND scenario;
#   4. starts a private Dovecot without the quota plugin
#      (DOVECOT_RIG_QUOTA=0: quota costs ~12 ms per APPEND), hard-links the
#      seeded Maildir into its mail directory, warms it up (Dovecot parses
#      every new file on the first FETCH), and starts the latency proxy
#      (bench/cmd/latencyproxy: 10 ms each way, a 20 ms round trip);
#   5. runs every scenario BENCH_REPEAT times for every peer (the peers
#      take turns within each repetition, in an order shuffled afresh for
#      each repetition), collecting one JSON line per run;
#   6. prints the table of medians, the ratios and the targets, and writes
#      them with the machine's description to $BENCH_OUT;
#   7. always stops the proxy and Dovecot and removes the temp directories
#      (the seeded data stays in $BENCH_DATA unless BENCH_KEEP_DATA=0).
#
# Knobs (environment):
#   BENCH_MESSAGES   messages in INBOX (default 100000)
#   BENCH_BODIES     messages in folder Bodies (default 10000; at most BENCH_MESSAGES)
#   BENCH_BIG_MB     size of the streamed message in MiB (default 100)
#   BENCH_APPEND     messages appended by the APPEND scenario (default 1000)
#   BENCH_REPEAT     repetitions of each run; the table shows medians (default 3)
#   BENCH_SHORT      scenarios short enough to repeat more (default "search
#                    bodies stream": each run takes under a second, and one
#                    run's noise is then as large as the differences)
#   BENCH_REPEAT_SHORT  repetitions of those (default 60; never fewer than
#                    BENCH_REPEAT): the targets compare mean wall times,
#                    and over 40 repetitions their ratio moved by about
#                    3% from one benchmark run to the next (15: 5%; three
#                    runs of the same code measured the search at 1.01x,
#                    1.04x and 1.09x the floor); 60 narrow that by a fifth
#   BENCH_MEDIUM     scenarios of a few seconds whose wall time a target
#                    compares (default "metadata": 2-3 s a run, go-imap's 7 s;
#                    its runs vary by 20-30% too)
#   BENCH_REPEAT_MEDIUM  repetitions of those (default 10; never fewer than
#                    BENCH_REPEAT)
#   BENCH_PEERS      peers to run (default "raw ours go-imap imaplib")
#   BENCH_SCENARIOS  scenarios to run (default: all, see below)
#   BENCH_DATA       cache directory of the seeded data (default /var/tmp/imapbench-data)
#   BENCH_KEEP_DATA  0 removes the seeded data at the end (default 1)
#   BENCH_OUT        the results file (default bench/RESULTS.md)
#   BENCH_JSON       also keep the raw JSON lines in this file (default: none)
#   BENCH_DELAY      one-way delay of the latency proxy (default 10ms)
#   BENCH_SLOW       a run whose first repetition takes longer than this many
#                    seconds is not repeated (default 20: the peers that pay a
#                    round trip per APPEND take 40-90 s through the proxy, and
#                    repeating them would push the full run past 15 minutes;
#                    their noise is small next to their length)
#   BENCH_CODEC      0 skips the codec microbenchmarks (default 1)
#
# Scenarios: search metadata metadata+compress bodies stream append
# append@20ms copy copy@20ms move move@20ms (the @20ms ones go through the
# latency proxy; metadata+compress runs only where COMPRESS exists).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
# shellcheck source=scripts/dovecot.sh
source scripts/dovecot.sh

BENCH_MESSAGES=${BENCH_MESSAGES:-100000}
BENCH_BODIES=${BENCH_BODIES:-10000}
BENCH_BIG_MB=${BENCH_BIG_MB:-100}
BENCH_APPEND=${BENCH_APPEND:-1000}
BENCH_REPEAT=${BENCH_REPEAT:-3}
BENCH_PEERS=${BENCH_PEERS:-raw ours go-imap imaplib}
BENCH_SCENARIOS=${BENCH_SCENARIOS:-search metadata metadata+compress bodies stream append append@20ms copy copy@20ms move move@20ms}
BENCH_DATA=${BENCH_DATA:-/var/tmp/imapbench-data}
BENCH_KEEP_DATA=${BENCH_KEEP_DATA:-1}
BENCH_OUT=${BENCH_OUT:-bench/RESULTS.md}
BENCH_JSON=${BENCH_JSON:-}
BENCH_DELAY=${BENCH_DELAY:-10ms}
BENCH_SLOW=${BENCH_SLOW:-20}
BENCH_CODEC=${BENCH_CODEC:-1}
BENCH_SHORT=${BENCH_SHORT:-search bodies stream}
BENCH_REPEAT_SHORT=${BENCH_REPEAT_SHORT:-60}
BENCH_MEDIUM=${BENCH_MEDIUM:-metadata}
BENCH_REPEAT_MEDIUM=${BENCH_REPEAT_MEDIUM:-10}
case $BENCH_OUT in /*) ;; *) BENCH_OUT=$root/$BENCH_OUT ;; esac
if [ "$BENCH_BODIES" -gt "$BENCH_MESSAGES" ]; then
	BENCH_BODIES=$BENCH_MESSAGES
fi
export DOVECOT_RIG_QUOTA=0

rig_dir="" bin_dir="" proxy_pid="" data_key=""
# shellcheck disable=SC2317 # invoked by the trap
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$proxy_pid" ]; then
		kill -TERM "$proxy_pid" 2>/dev/null || true
		wait "$proxy_pid" 2>/dev/null || true
	fi
	dovecot_stop || true
	if [ -n "$rig_dir" ]; then
		rm -rf "$rig_dir" 2>/dev/null || { sleep 0.5; rm -rf "$rig_dir"; }
	fi
	[ -n "$bin_dir" ] && rm -rf "$bin_dir"
	if [ "$BENCH_KEEP_DATA" = 0 ] && [ -n "$data_key" ]; then
		rm -rf "${BENCH_DATA:?}/$data_key"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "bench: $*" >&2; }
started=$SECONDS

dovecot_ensure_installed
command -v python3 >/dev/null || { log "python3 is missing (the imaplib peer needs it)"; exit 1; }

bin_dir=$(mktemp -d /tmp/imapbench-bin.XXXXXX)
log "building the runners"
(cd bench && go build -o "$bin_dir/" ./cmd/...)

mail_user=mail mail_group=mail
if ! getent passwd mail >/dev/null || ! getent group mail >/dev/null; then
	mail_user=nobody mail_group=nogroup
fi
uid=$(id -u "$mail_user") gid=$(getent group "$mail_group" | cut -d: -f3)

# The seeded data, keyed by everything that shapes it (and the generator's
# source, so a change to it reseeds).
gen_sum=$(cat bench/internal/corpus/corpus.go bench/cmd/seed/main.go | sha256sum | cut -c1-12)
data_key="n$BENCH_MESSAGES-b$BENCH_BODIES-big$BENCH_BIG_MB-a$BENCH_APPEND-$gen_sum"
data=$BENCH_DATA/$data_key
if [ ! -f "$data/.complete" ]; then
	log "seeding $BENCH_MESSAGES messages into $data (once; later runs reuse it)"
	rm -rf "$data"
	mkdir -p "$data"
	chmod 755 "$BENCH_DATA" "$data"
	t0=$SECONDS
	"$bin_dir/seed" -maildir "$data/Maildir" -n "$BENCH_MESSAGES" -bodies "$BENCH_BODIES" \
		-big-mb "$BENCH_BIG_MB" -append-dir "$data/append" -append-count "$BENCH_APPEND" \
		-uid "$uid" -gid "$gid"
	touch "$data/.complete"
	log "seeded in $((SECONDS - t0)) s"
else
	log "reusing the seeded data in $data"
fi

# Under /tmp: Dovecot's UNIX socket paths may not exceed 107 bytes.
rig_dir=$(mktemp -d /tmp/imapbench-dovecot.XXXXXX)
dovecot_start "$rig_dir"
addr=$IMAPTEST_DOVECOT_ADDR
mkdir -p "$rig_dir/mail/alice"
chown "$mail_user:$mail_group" "$rig_dir/mail/alice"
t0=$SECONDS
# Message files are never modified in a maildir, only renamed, linked and
# unlinked: hard links keep the cache intact.
cp -al "$data/Maildir" "$rig_dir/mail/alice/Maildir"
# Linking 100,000 files dirties as many inodes: write them back now, not
# during the first timed runs.
sync
log "linked the Maildir in $((SECONDS - t0)) s"

"$bin_dir/latencyproxy" -upstream "$addr" -delay "$BENCH_DELAY" >"$rig_dir/proxy.addr" 2>"$rig_dir/proxy.log" &
proxy_pid=$!
for _ in $(seq 100); do
	[ -s "$rig_dir/proxy.addr" ] && break
	sleep 0.05
done
proxy_addr=$(cat "$rig_dir/proxy.addr")

# runner PEER: the command line of a peer's runner.
runner() {
	case $1 in
	raw) echo "$bin_dir/rawread" ;;
	ours) echo "$bin_dir/ours" ;;
	go-imap) echo "$bin_dir/goimap" ;;
	imaplib) echo "python3 $root/bench/py/imaplib_bench.py" ;;
	*)
		log "unknown peer $1"
		return 1
		;;
	esac
}

t0=$SECONDS
log "warming up Dovecot (it parses every new message file once)"
for sc in metadata bodies stream metadata; do
	"$bin_dir/rawread" -scenario "$sc" -addr "$addr" >/dev/null
done
log "warmed up in $((SECONDS - t0)) s"
sync # what the warm-up wrote (Dovecot's caches) is not written back while timed

results=$rig_dir/results.jsonl
: >"$results"
declare -A slow=() # "scenario peer" -> 1 once a run took longer than BENCH_SLOW
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for scenario in $BENCH_SCENARIOS; do
	base=${scenario%@*}
	target=$addr
	if [ "$base" != "$scenario" ]; then
		target=$proxy_addr
	fi
	extra=()
	case $base in
	metadata+compress)
		base=metadata
		extra=(-compress)
		;;
	esac
	reps=$BENCH_REPEAT
	case " $BENCH_SHORT " in
	*" $scenario "*) [ "$BENCH_REPEAT_SHORT" -gt "$reps" ] && reps=$BENCH_REPEAT_SHORT ;;
	esac
	case " $BENCH_MEDIUM " in
	*" $scenario "*) [ "$BENCH_REPEAT_MEDIUM" -gt "$reps" ] && reps=$BENCH_REPEAT_MEDIUM ;;
	esac
	read -r -a peers <<<"$BENCH_PEERS"
	for rep in $(seq "$reps"); do
		# The peers take turns in an order shuffled afresh for each
		# repetition (seeded, so a rerun repeats it): no peer always runs
		# first, or right after the same other peer (the run before can
		# leave the machine or the server busier or idler; an order that
		# only rotates keeps every peer's predecessor).
		order=("${peers[@]}")
		RANDOM=$((rep * 7919 + ${#scenario}))
		for ((i = ${#order[@]} - 1; i > 0; i--)); do
			j=$((RANDOM % (i + 1)))
			tmp=${order[i]} order[i]=${order[j]} order[j]=$tmp
		done
		for peer in "${order[@]}"; do
			case "$scenario:$peer" in
			metadata+compress:raw | metadata+compress:go-imap | metadata+compress:imaplib)
				continue # no COMPRESS in these peers (the table says so)
				;;
			esac
			if [ -n "${slow["$scenario $peer"]:-}" ]; then
				continue
			fi
			# shellcheck disable=SC2046 # the runner's command line splits on spaces
			if ! out=$($(runner "$peer") -scenario "$base" -label "$scenario" -addr "$target" \
				-append-dir "$data/append" "${extra[@]}" 2>"$rig_dir/runner.err"); then
				log "$peer $scenario failed: $(tail -n 3 "$rig_dir/runner.err")"
			fi
			if [ -n "$out" ]; then
				echo "$out" >>"$results"
				wall=$(echo "$out" | sed -n 's/.*"wall_s": *\([0-9.]*\).*/\1/p')
				log "$(printf '%-18s %-8s run %s: %s s' "$scenario" "$peer" "$rep" "${wall:-?}")"
				if [ "$rep" = 1 ] && [ -n "$wall" ] && awk -v w="$wall" -v s="$BENCH_SLOW" 'BEGIN { exit !(w > s) }'; then
					slow["$scenario $peer"]=1
				fi
			fi
		done
	done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Codec microbenchmarks: the metadata FETCH of the first 5,000 messages,
# recorded from this Dovecot, parsed by imapwire, our client and go-imap's
# client (bench/codec_test.go).
codec_out=$rig_dir/codec.txt
: >"$codec_out"
if [ "$BENCH_CODEC" != 0 ]; then
	log "codec microbenchmarks"
	"$bin_dir/rawread" -scenario record -n "$((BENCH_MESSAGES < 5000 ? BENCH_MESSAGES : 5000))" \
		-addr "$addr" -out "$rig_dir/metadata5000.imap"
	(cd bench && BENCH_RECORDED="$rig_dir/metadata5000.imap" go test -run TestStream -bench Metadata \
		-benchtime 5x -count 3 -v . 2>&1 | grep -E '^(Benchmark|    codec_test|ok|FAIL|---)' >"$codec_out") ||
		log "codec benchmarks failed: $(cat "$codec_out")"
fi

[ -n "$BENCH_JSON" ] && cp "$results" "$BENCH_JSON"
cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
(cd bench && go run ./cmd/report -in "$results" -out "$BENCH_OUT" \
	-machine "$(nproc) cores, ${cpu_model:-unknown CPU}, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr)" \
	-go "$(go version | cut -d' ' -f3-)" \
	-dovecot "$("$DOVECOT_BIN" --version)" \
	-python "$(python3 --version 2>&1)" \
	-goimap "$(go list -m -f '{{.Path}} {{.Version}}' github.com/emersion/go-imap/v2)" \
	-load "before: $load_before; after: $load_after (1, 5, 15 min)" \
	-data "INBOX $BENCH_MESSAGES messages, Bodies $BENCH_BODIES messages, Big one $BENCH_BIG_MB MiB message, APPEND $BENCH_APPEND messages" \
	-repeat "$BENCH_REPEAT" -repeat-short "$BENCH_REPEAT_SHORT" -short "$BENCH_SHORT" -repeat-medium "$BENCH_REPEAT_MEDIUM" -medium "$BENCH_MEDIUM" -delay "$BENCH_DELAY" -slow "$BENCH_SLOW" -codec "$codec_out" -notes "$root/bench/analysis.md" \
	-elapsed "$((SECONDS - started))")
log "done in $((SECONDS - started)) s; results in $BENCH_OUT"
