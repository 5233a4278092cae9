#!/usr/bin/env bash
# Runs every fuzzer tests/fuzz/CMakeLists.txt registers, as its generated fuzzers.list names them, each for a
# bounded time on a corpus of its own grown from its seeds; fails when any of them fails (a crash, a leak, an
# input too slow or too large). All of them run even after a failure, so one run shows every finding.
#
#   run_all.sh <fuzzers.list> <work folder>
#
# FUZZ_SECONDS (default 30) bounds each fuzzer, GATE_FUZZ_SECONDS (default 10) each one registered SMALL.
# In the work folder: corpus-<fuzzer>/ (kept from run to run), <fuzzer>.log, and what a failure leaves
# (<fuzzer>-crash-…, -leak-…, -timeout-…), which the fuzzer replays when given that file.
set -euo pipefail

if [[ $# -ne 2 || ! -f $1 ]]; then
    echo "usage: $0 <fuzzers.list> <work folder>" >&2
    exit 2
fi
list=$1
work=$2
large_seconds=${FUZZ_SECONDS:-30}
small_seconds=${GATE_FUZZ_SECONDS:-10}
mkdir -p "$work"

failed=()
while IFS=$'\t' read -r name executable seeds max_len time; do
    corpus=$work/corpus-$name
    mkdir -p "$corpus"
    # Seeds the corpus already holds are left alone (cp -n's exit status differs between coreutils versions).
    for seed in "$seeds"/*; do
        [[ -e $corpus/${seed##*/} ]] || cp "$seed" "$corpus/"
    done
    seconds=$large_seconds
    [[ $time == small ]] && seconds=$small_seconds
    echo "== $name: $seconds s, inputs up to $max_len bytes"
    if "$executable" -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/$name-" "$corpus" >"$work/$name.log" 2>&1 </dev/null; then
        tail -n 15 "$work/$name.log"
    else
        tail -n 60 "$work/$name.log"
        echo "== $name FAILED (the whole output: $work/$name.log)"
        failed+=("$name")
    fi
done <"$list"

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzzers that failed: ${failed[*]}" >&2
    exit 1
fi
echo "every fuzzer ran clean"
