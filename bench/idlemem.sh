#!/usr/bin/env bash
#
# bench/idlemem.sh - client memory per idle IMAP connection, ours against
# go-imap v2, plaintext and implicit TLS, against a throwaway Dovecot.
#
#   ./bench/idlemem.sh            N=1000 connections per run
#   ./bench/idlemem.sh --check    the same, then fail (exit 1) when ours uses
#                                 more than 0.67 of go-imap's heap+stack per
#                                 connection in either mode (issue 7; CI runs
#                                 this); IDLEMEM_CHECK=1 does the same
#   IDLEMEM_N=500 ./bench/idlemem.sh
#
# Starts the rig's Dovecot (scripts/dovecot.sh), runs cmd/idlemem once per
# library and mode (one process each), prints the JSON lines and a table
# with the ratio ours/go-imap, and stops Dovecot. A run that could not open
# or keep all N connections fails the script, with or without --check.
# IDLEMEM_MAX_RATIO overrides 0.67; IDLEMEM_PAR (20) is how many
# connections cmd/idlemem opens at once.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/dovecot.sh
source scripts/dovecot.sh

check=${IDLEMEM_CHECK:-0}
for arg in "$@"; do
	case $arg in
	--check) check=1 ;;
	*)
		echo "usage: $0 [--check]" >&2
		exit 2
		;;
	esac
done
n=${IDLEMEM_N:-1000}
par=${IDLEMEM_PAR:-20}
max_ratio=${IDLEMEM_MAX_RATIO:-0.67}

# The server, not the client, is what makes opening 1000 connections slow:
# - login processes in high-performance mode (service_count = 0: a couple of
#   imap-login processes serve every connection, TLS included) instead of a
#   process forked per connection;
# - every imap process is a client of the stats service, whose default
#   client_limit of 1000 made the last connections wait 5 s each for it.
# Neither changes what the client holds per connection.
cpus=$(nproc)
export DOVECOT_RIG_EXTRA_CONF="service imap-login {
  service_count = 0
  process_min_avail = $cpus
}
service stats {
  client_limit = 4096
}"

# 1000 connections need more descriptors (here and in Dovecot's login
# processes) than the common soft limit of 1024.
hard=$(ulimit -Hn)
want=65536
[ "$hard" = unlimited ] || [ "$hard" -ge "$want" ] || want=$hard
if [ "$(ulimit -Sn)" != unlimited ] && [ "$(ulimit -Sn)" -lt "$want" ]; then
	ulimit -Sn "$want" || true
fi

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

# imap_procs: how many imap processes our Dovecot has ("" when unknown).
imap_procs() {
	local master f p comm count=0
	master=$(cat "$IMAPTEST_DOVECOT_PID_FILE" 2>/dev/null) || return 0
	f=/proc/$master/task/$master/children
	[ -r "$f" ] || return 0
	for p in $(<"$f"); do
		{ read -r comm <"/proc/$p/comm"; } 2>/dev/null || continue
		[ "$comm" != imap ] || count=$((count + 1))
	done
	echo "$count"
}

# wait_reaped: wait (at most 60 s) until the previous run's imap processes
# have exited, so that the next run does not meet Dovecot's process_limit.
wait_reaped() {
	local left deadline=$((SECONDS + 60))
	while :; do
		left=$(imap_procs)
		if [ -z "$left" ]; then
			sleep 2 # cannot count them
			return
		fi
		[ "$left" -gt 0 ] || return 0
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "idlemem.sh: $left imap processes still running after 60 s" >&2
			return
		fi
		sleep 0.2
	done
}

start=$SECONDS
dovecot_ensure_installed
rig_dir=$(mktemp -d /tmp/imaptest-idlemem.XXXXXX)
DOVECOT_RIG_QUOTA=0 dovecot_start "$rig_dir" >&2

bin=$(mktemp /tmp/idlemem.XXXXXX)
(cd bench && go build -o "$bin" ./cmd/idlemem)

echo "# $(uname -srm), $(nproc) CPUs, $(go version | cut -d' ' -f3), N=$n, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
results=()
failed=0
for mode in plain tls; do
	for lib in ours goimap; do
		wait_reaped
		args=(-lib "$lib" -n "$n" -par "$par")
		if [ "$mode" = tls ]; then
			args+=(-tls -addr "$IMAPTEST_DOVECOT_TLS_ADDR" -ca "$IMAPTEST_CA_FILE")
		else
			args+=(-addr "$IMAPTEST_DOVECOT_ADDR")
		fi
		# A failed run prints its JSON line with "error" and exits 1: keep
		# going, the table reports it.
		line=$("$bin" "${args[@]}") || failed=1
		if [ -z "$line" ]; then
			line="{\"lib\":\"$lib\",\"tls\":$([ "$mode" = tls ] && echo true || echo false),\"n\":$n,\"held\":0,\"error\":\"cmd/idlemem printed no result\"}"
		fi
		echo "$line"
		results+=("$line")
	done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg); $((SECONDS - start)) s in all"
if [ "$failed" = 1 ]; then
	# Errors first: 1000 imap processes log an inotify warning each,
	# which buried the one line that said why a connection was closed.
	echo "idlemem.sh: a run failed; Dovecot's last errors:" >&2
	grep -E ': (Error|Fatal|Panic): ' "$IMAPTEST_DOVECOT_LOG" | tail -n 20 >&2 || true
	echo "idlemem.sh: and its last other warnings:" >&2
	grep -v -E ': (Info|Error|Fatal|Panic): |Inotify instance limit' "$IMAPTEST_DOVECOT_LOG" | tail -n 10 >&2 || true
fi

check_args=()
[ "$check" = 1 ] && check_args=(-check)
printf '%s\n' "${results[@]}" | "$bin" -table -n "$n" -max-ratio "$max_ratio" "${check_args[@]}"
