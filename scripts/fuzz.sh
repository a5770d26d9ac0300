#!/usr/bin/env bash
#
# scripts/fuzz.sh - run every fuzz target of the module for a short time.
#
#   bash scripts/fuzz.sh                  every target, FUZZTIME each (10s)
#   FUZZTIME=5s bash scripts/fuzz.sh      a quicker pass
#   bash scripts/fuzz.sh ./imapwire       only the targets of these packages
#
# Targets are discovered, not listed here: every Fuzz* function that
# `go test -list` reports in the module's packages (or the packages given).
# Each runs alone with
#
#   go test -run '^$' -fuzz '^Name$' -fuzztime $FUZZTIME ./pkg
#
# starting from its seed corpus (the f.Add calls and the package's
# testdata/fuzz/Name directory). A crash makes go test write the failing
# input to testdata/fuzz/Name/ in the package, where it stays as a
# regression case that every plain `go test` replays: commit it with the fix.
#
# Environment:
#   FUZZTIME        time per target (go test -fuzztime syntax: 10s, 1m,
#                   500000x); default 10s. About 15 targets at 10s stay well
#                   under CI's 5-minute budget.
#   FUZZ_PARALLEL   fuzzing workers per target (go test -parallel); default
#                   go test's, GOMAXPROCS.
#   FUZZ_TARGET_TIMEOUT  wall-clock bound of one target, build included
#                   (timeout(1) syntax); default 180s. A target that hangs
#                   past it fails the run instead of eating the CI budget.
#
# Exit status: 0 when every target ran its time without a failure; 1 when a
# target failed (a crash, a panic, a hang) or a package could not be listed
# (it does not build: its targets could not run). A summary table is printed
# at the end either way.
#
# Go before 1.27 sometimes fails a target with a bare "context deadline
# exceeded" as -fuzztime runs out (golang/go#75804): nothing was found and
# no input was saved. Such a run is retried once; if it happens again the
# target's corpus is replayed with plain go test instead, and the target
# passes when the replay does. Any other failure fails the run.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

fuzztime=${FUZZTIME:-10s}
target_timeout=${FUZZ_TARGET_TIMEOUT:-180s}
parallel_args=()
if [ -n "${FUZZ_PARALLEL:-}" ]; then
	parallel_args=(-parallel "$FUZZ_PARALLEL")
fi

if [ "$#" -gt 0 ]; then
	pkg_args=("$@")
else
	pkg_args=(./...)
fi

if ! mapfile -t pkgs < <(go list "${pkg_args[@]}"); then
	echo "fuzz.sh: go list ${pkg_args[*]} failed" >&2
	exit 1
fi

logdir=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX")
# shellcheck disable=SC2317 # invoked by the trap
cleanup() { rm -rf "$logdir"; }
trap cleanup EXIT

targets=()     # "pkg name" pairs
list_failed=() # packages whose targets could not be listed
for pkg in "${pkgs[@]}"; do
	out=$(go test -list '^Fuzz' "$pkg" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ]; then
		list_failed+=("$pkg")
		echo "== cannot list the fuzz targets of $pkg:"
		echo "$out" | head -n 20
		continue
	fi
	while read -r name; do
		targets+=("$pkg $name")
	done < <(echo "$out" | grep -E '^Fuzz[A-Za-z0-9_]*$' || true)
done

echo "== ${#targets[@]} fuzz targets, $fuzztime each"

# fuzz_once runs one target into log and returns go test's status.
fuzz_once() {
	local pkg=$1 name=$2 log=$3 rc
	timeout -k 10s "$target_timeout" \
		go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "${parallel_args[@]}" "$pkg" >"$log" 2>&1
	rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "fuzz.sh: $name did not finish within $target_timeout" >>"$log"
	fi
	return "$rc"
}

# boundary_race reports whether a failed run is only Go's fuzz coordinator
# race at the end of a duration -fuzztime (golang/go#75804, fixed in Go
# 1.27): the target fails with a bare "context deadline exceeded", no
# input was saved, nothing panicked and nothing else failed.
boundary_race() {
	local log=$1
	grep -q 'context deadline exceeded' "$log" &&
		! grep -q 'Failing input written' "$log" &&
		! grep -Eq 'panic:|fatal error:|\[build failed\]|fuzz.sh: .* did not finish' "$log" &&
		[ "$(grep -Ec '^ {4}[^ ]' "$log")" -eq 1 ] # one message under --- FAIL
}

results=() # summary lines
failed=0
start_all=$SECONDS
for entry in "${targets[@]}"; do
	pkg=${entry% *}
	name=${entry#* }
	short=${pkg#github.com/imapclient-go/imapclient}
	short=${short#/}
	[ -n "$short" ] || short=.
	log="$logdir/${short//\//_}.$name.log"
	echo "== $short $name"
	start=$SECONDS
	fuzz_once "$pkg" "$name" "$log"
	rc=$?
	note=""
	if [ "$rc" -ne 0 ] && boundary_race "$log"; then
		# Run it again; if the race strikes twice, replay the corpus
		# (seeds and saved inputs) deterministically instead: a real
		# finding always leaves an input behind.
		echo "-- $name: fuzztime boundary race (golang/go#75804), running it again"
		fuzz_once "$pkg" "$name" "$log"
		rc=$?
		note="  (retried after the fuzztime boundary race)"
		if [ "$rc" -ne 0 ] && boundary_race "$log" &&
			go test -count=1 -run "^${name}\$" "$pkg" >>"$log" 2>&1; then
			rc=0
			note="  (boundary race twice; corpus replay passed)"
		fi
	fi
	took=$((SECONDS - start))
	# The last "fuzz: elapsed ..." line holds the execution count.
	execs=$(grep -Eo 'execs: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+' || true)
	if [ "$rc" -eq 0 ]; then
		results+=("$(printf '%-4s %-14s %-24s %6ss %12s execs%s' ok "$short" "$name" "$took" "${execs:-?}" "$note")")
		continue
	fi
	failed=1
	# go test names the input it saved: "Failing input written to testdata/fuzz/..."
	saved=$(grep -Eo 'testdata/fuzz/[^ ]+' "$log" | head -n 1 || true)
	why=crash
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		why="timed out"
	elif grep -q '\[build failed\]' "$log"; then
		why="build failed"
	elif [ -z "$saved" ]; then
		why="failed"
	fi
	results+=("$(printf '%-4s %-14s %-24s %6ss %12s execs  %s%s' FAIL "$short" "$name" "$took" "${execs:-?}" "$why" "${saved:+, input: $short/$saved}")")
	echo "-- $name failed; its output:"
	tail -n 60 "$log"
done

echo
echo "== fuzz summary (FUZZTIME=$fuzztime, $((SECONDS - start_all))s in all)"
for line in "${results[@]}"; do
	echo "$line"
done
for pkg in "${list_failed[@]}"; do
	printf '%-4s %s: the package does not build, its targets did not run\n' FAIL "$pkg"
	failed=1
done
if [ "$failed" -ne 0 ]; then
	echo "FAIL: see above; a saved input is replayed by 'go test -run Name/ID ./pkg'"
	exit 1
fi
echo "ok: ${#targets[@]} targets, no failure"
exit 0
