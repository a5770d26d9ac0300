#!/usr/bin/env bash
#
# scripts/test.sh - the project's test command (README, .ci/run).
#
#   ./scripts/test.sh                          all checks over the whole module
#   ./scripts/test.sh -run TestX ./imapconn    arguments replace "./..." in the
#                                              go test line: name the packages
#   ./scripts/test.sh -v ./internal/testrig/...
#
# What it does, from the repository root:
#   1. installs Dovecot and Cyrus with apt-get if they are missing (root
#      only; scripts/dovecot.sh, scripts/cyrus.sh);
#   2. starts a private Dovecot on 127.0.0.1 from a mktemp -d directory
#      and a private Cyrus IMAP from another (on tmpfs when there is one),
#      its certificate signed by the Dovecot rig's CA, and exports
#      IMAPTEST_* for internal/testrig;
#   3. gofmt -l . (must list nothing), go vet ./...,
#      go test -race -count=1 ./... (or the given arguments) against Dovecot,
#      then the client's behaviour suite again against the other targets:
#      IMAPTEST_TARGET=cyrus and IMAPTEST_TARGET=memserver (an in-process
#      imapmemserver) run the root package and internal/testrig (or, given
#      arguments, the same arguments);
#   4. always stops both servers (by their pid files) and removes the
#      directories.
#
# IMAPTEST_TARGETS (default "dovecot cyrus memserver") chooses the targets;
# Cyrus is neither installed nor started when it is not among them.
#
# gofmt and vet findings are printed and make the run fail, but the tests
# still run so one run shows everything. Exit status: the first failed go
# test's when one failed, else 1 when gofmt or vet failed, else 0.
#
# CI is passed through unchanged: with CI set (CI=true), tests that need the
# rig fail instead of skipping when IMAPTEST_* is missing. (A test that
# needs a feature a target lacks, see internal/testrig's Lacks table, is
# skipped on that target even under CI.)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/dovecot.sh
source scripts/dovecot.sh
# shellcheck source=scripts/cyrus.sh
source scripts/cyrus.sh

targets=${IMAPTEST_TARGETS:-dovecot cyrus memserver}
for target in $targets; do
	case $target in
	dovecot | cyrus | memserver) ;;
	*)
		echo "test.sh: unknown target $target in IMAPTEST_TARGETS (want dovecot, cyrus, memserver)" >&2
		exit 2
		;;
	esac
done
want() { case " $targets " in *" $1 "*) return 0 ;; esac; return 1; }

rig_dir=""
cyrus_dir=""
# shellcheck disable=SC2317 # invoked by the trap
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	cyrus_stop || true
	dovecot_stop || true
	local d
	for d in "$cyrus_dir" "$rig_dir"; do
		if [ -n "$d" ]; then
			rm -rf "$d" 2>/dev/null || { sleep 0.5; rm -rf "$d"; }
		fi
	done
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Dovecot is always started: its rig also provides the CA the Cyrus
# certificate is signed with.
if ! dovecot_ensure_installed; then
	echo "test.sh: FAIL: Dovecot could not be installed (see above); the tests need it" >&2
	exit 1
fi
if want cyrus && ! cyrus_ensure_installed; then
	echo "test.sh: FAIL: Cyrus IMAP could not be installed (see above); the tests need it" >&2
	echo "test.sh: (to run without Cyrus: IMAPTEST_TARGETS=\"dovecot memserver\" $0)" >&2
	exit 1
fi

# Under /tmp, not $TMPDIR: Dovecot's UNIX sockets live in there and a socket
# path may not exceed 107 bytes.
rig_dir=$(mktemp -d /tmp/imaptest-dovecot.XXXXXX)
dovecot_start "$rig_dir"
if want cyrus; then
	# Cyrus fsyncs every APPEND: tmpfs makes it fast.
	shm=/dev/shm
	[ -d "$shm" ] && [ -w "$shm" ] || shm=/tmp
	cyrus_dir=$(mktemp -d "$shm/imaptest-cyrus.XXXXXX")
	CYRUS_RIG_CA_DIR="$rig_dir/tls" cyrus_start "$cyrus_dir"
fi

lint_failed=0

echo "== gofmt -l ."
if ! unformatted=$(gofmt -l . 2>&1) || [ -n "$unformatted" ]; then
	echo "gofmt: these files need formatting (run gofmt -w):"
	echo "$unformatted"
	lint_failed=1
fi

echo "== go vet ./..."
if ! go vet ./...; then
	echo "go vet failed"
	lint_failed=1
fi

if [ "$#" -gt 0 ]; then
	test_args=("$@")
	suite_args=("$@")
else
	test_args=(./...)
	# The client's behaviour suite, and the rig's own checks.
	suite_args=(. ./internal/testrig)
fi

test_status=0
run_tests() {
	local target=$1
	shift
	local status=0
	echo "== IMAPTEST_TARGET=$target go test -race -count=1 $*"
	IMAPTEST_TARGET=$target go test -race -count=1 "$@" || status=$?
	if [ "$status" -ne 0 ]; then
		case $target in
		dovecot)
			# The rig's directory is about to go: keep the end of the log.
			echo "== last 40 lines of the Dovecot log ($IMAPTEST_DOVECOT_LOG)"
			tail -n 40 "$IMAPTEST_DOVECOT_LOG" 2>/dev/null || true
			;;
		cyrus)
			echo "== Cyrus master's output ($IMAPTEST_CYRUS_LOG; Cyrus logs to syslog)"
			tail -n 40 "$IMAPTEST_CYRUS_LOG" 2>/dev/null || true
			;;
		esac
		[ "$test_status" -ne 0 ] || test_status=$status
	fi
}

if want dovecot; then
	run_tests dovecot "${test_args[@]}"
fi
for target in cyrus memserver; do
	if want "$target"; then
		run_tests "$target" "${suite_args[@]}"
	fi
done

if [ "$test_status" -ne 0 ]; then
	exit "$test_status"
fi
if [ "$lint_failed" -ne 0 ]; then
	echo "FAIL: gofmt or go vet reported problems (see above)"
	exit 1
fi
exit 0
