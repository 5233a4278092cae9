#!/usr/bin/env bash
# Runs every fuzzer tests/fuzz/CMakeLists.txt registers, as its generated fuzzers.list names them, each for a
# bounded time on a corpus of its own grown from its seeds; fails when any of them fails (a crash, a leak, an
# input too slow or too large). All of them run even after a failure, so one run shows every finding.
#
#   run_all.sh <fuzzers.list> <work folder>
#
# FUZZ_SECONDS (default 30) bounds each fuzzer, GATE_FUZZ_SECONDS (default 10) each one registered SMALL.
# FUZZ_JOBS (default: the number of cores) fuzzers run at once: each is one process on one core, and its
# bound is in seconds, so each tries as many inputs as it would alone and the whole takes a fraction of the
# time. Their reports are printed in the list's order, each once its fuzzer is done.
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

at_once=${FUZZ_JOBS:-$(nproc)}
names=()
headers=()
declare -A index_of status
running=0
reported=0
failed=()
# Whatever ends this script early ends the fuzzers it started too.
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT

# Prints, in the list's order, the report of each fuzzer that is done and not yet reported.
report_done() {
    while [[ $reported -lt ${#names[@]} && -n ${status[$reported]:-} ]]; do
        local name=${names[$reported]}
        echo "${headers[$reported]}"
        if [[ ${status[$reported]} -eq 0 ]]; then
            tail -n 15 "$work/$name.log"
        else
            tail -n 60 "$work/$name.log"
            echo "== $name FAILED (the whole output: $work/$name.log)"
            failed+=("$name")
        fi
        reported=$((reported + 1))
    done
}

# Waits for any running fuzzer to end.
reap_one() {
    local pid rc=0
    wait -n -p pid || rc=$?
    status[${index_of[$pid]}]=$rc
    running=$((running - 1))
    report_done
}

while IFS=$'\t' read -r name executable seeds max_len time; do
    corpus=$work/corpus-$name
    mkdir -p "$corpus"
    # Seeds the corpus already holds are left alone (cp -n's exit status differs between coreutils versions).
    for seed in "$seeds"/*; do
        [[ -e $corpus/${seed##*/} ]] || cp "$seed" "$corpus/"
    done
    seconds=$large_seconds
    [[ $time == small ]] && seconds=$small_seconds
    while [[ $running -ge $at_once ]]; do
        reap_one
    done
    "$executable" -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/$name-" "$corpus" >"$work/$name.log" 2>&1 </dev/null &
    index_of[$!]=${#names[@]}
    names+=("$name")
    headers+=("== $name: $seconds s, inputs up to $max_len bytes")
    running=$((running + 1))
done <"$list"
while [[ $running -gt 0 ]]; do
    reap_one
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzzers that failed: ${failed[*]}" >&2
    exit 1
fi
echo "every fuzzer ran clean"
