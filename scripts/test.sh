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
#   1. installs Dovecot with apt-get if it is missing (root only);
#   2. starts a private Dovecot on 127.0.0.1 from a mktemp -d directory
#      (scripts/dovecot.sh) and exports IMAPTEST_* for internal/testrig;
#   3. gofmt -l . (must list nothing), go vet ./...,
#      go test -race -count=1 ./... (or the given arguments);
#   4. always stops that Dovecot (by its master.pid) and removes the directory.
#
# gofmt and vet findings are printed and make the run fail, but go test still
# runs so one run shows everything. Exit status: go test's when it failed,
# else 1 when gofmt or vet failed, else 0.
#
# CI is passed through unchanged: with CI set (CI=true), tests that need the
# rig fail instead of skipping when IMAPTEST_* is missing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/dovecot.sh
source scripts/dovecot.sh

rig_dir=""
# shellcheck disable=SC2317 # invoked by the trap
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	dovecot_stop || true
	if [ -n "$rig_dir" ]; then
		rm -rf "$rig_dir" 2>/dev/null || { sleep 0.5; rm -rf "$rig_dir"; }
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dovecot_ensure_installed

# Under /tmp, not $TMPDIR: Dovecot's UNIX sockets live in there and a socket
# path may not exceed 107 bytes.
rig_dir=$(mktemp -d /tmp/imaptest-dovecot.XXXXXX)
dovecot_start "$rig_dir"

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
else
	test_args=(./...)
fi
echo "== go test -race -count=1 ${test_args[*]}"
test_status=0
go test -race -count=1 "${test_args[@]}" || test_status=$?

if [ "$test_status" -ne 0 ]; then
	# The rig's directory is about to go: keep the end of Dovecot's log.
	echo "== last 40 lines of the Dovecot log ($IMAPTEST_DOVECOT_LOG)"
	tail -n 40 "$IMAPTEST_DOVECOT_LOG" 2>/dev/null || true
	exit "$test_status"
fi
if [ "$lint_failed" -ne 0 ]; then
	echo "FAIL: gofmt or go vet reported problems (see above)"
	exit 1
fi
exit 0
