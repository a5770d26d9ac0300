#!/usr/bin/env bash
#
# bench/idlemem.sh - client memory per idle IMAP connection, ours against
# go-imap v2, plaintext and implicit TLS, against a throwaway Dovecot.
#
#   ./bench/idlemem.sh            N=1000 connections per run
#   IDLEMEM_N=500 ./bench/idlemem.sh
#
# Starts the rig's Dovecot (scripts/dovecot.sh), runs cmd/idlemem once per
# library and mode (one process each), prints the JSON lines and a table
# with the ratio ours/go-imap, and stops Dovecot.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/dovecot.sh
source scripts/dovecot.sh

n=${IDLEMEM_N:-1000}
rig_dir=""
bin=""
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	dovecot_stop || true
	[ -z "$rig_dir" ] || rm -rf "$rig_dir" 2>/dev/null || true
	[ -z "$bin" ] || rm -f "$bin"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dovecot_ensure_installed
rig_dir=$(mktemp -d /tmp/imaptest-idlemem.XXXXXX)
DOVECOT_RIG_QUOTA=0 dovecot_start "$rig_dir" >&2

bin=$(mktemp /tmp/idlemem.XXXXXX)
(cd bench && go build -o "$bin" ./cmd/idlemem)

echo "# $(uname -srm), $(nproc) CPUs, $(go version | cut -d' ' -f3), N=$n, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
results=()
for mode in plain tls; do
	for lib in ours goimap; do
		args=(-lib "$lib" -n "$n")
		if [ "$mode" = tls ]; then
			args+=(-tls -addr "$IMAPTEST_DOVECOT_TLS_ADDR" -ca "$IMAPTEST_CA_FILE")
		else
			args+=(-addr "$IMAPTEST_DOVECOT_ADDR")
		fi
		line=$("$bin" "${args[@]}")
		echo "$line"
		results+=("$line")
		sleep 2 # let Dovecot reap the previous run's processes
	done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

printf '%s\n' "${results[@]}" | python3 -c '
import json, sys
rows = {}
for line in sys.stdin:
    r = json.loads(line)
    rows[(r["lib"], "tls" if r["tls"] else "plain")] = r
print()
print("| mode  | ours heap+stack KB | go-imap heap+stack KB | ratio | ours RSS KB | go-imap RSS KB | ratio |")
print("|-------|-------------------:|----------------------:|------:|------------:|---------------:|------:|")
for mode in ("plain", "tls"):
    o, g = rows[("ours", mode)], rows[("goimap", mode)]
    hs = o["heap_stack_kb_per_conn"] / g["heap_stack_kb_per_conn"]
    rs = o["rss_kb_per_conn"] / g["rss_kb_per_conn"]
    print("| %-5s | %18.1f | %21.1f | %5.2f | %11.1f | %14.1f | %5.2f |" % (mode,
        o["heap_stack_kb_per_conn"], g["heap_stack_kb_per_conn"], hs, o["rss_kb_per_conn"], g["rss_kb_per_conn"], rs))
print()
print("target: ratio <= 0.67 (issue 7)")
'
