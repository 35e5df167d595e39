#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ one after another (reliability.md §5.3 item 5).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     # default: 600 s each, all five targets
#   FUZZ_CMIN=1 scripts/fuzz.sh 600           # then minimise each corpus in place (see minimise)
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Advisory: the
# corpora and crash inputs are replayed on stable by `cargo test --test fuzz_replay`.
# The seeds (samples, fixtures, ESC-02 payloads) are written to fuzz/seeds/ first; new inputs
# go to fuzz/corpus/<target>/, crashes to fuzz/artifacts/<target>/, logs to fuzz/artifacts/logs/.
# For each target this prints the executions, exec/s and the corpus size; the exit status is
# non-zero when a target crashed (minimise the input with `cargo +nightly fuzz tmin`, then
# commit it under fuzz/regressions/<target>/).
set -euo pipefail

cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(decode_pipeline sanitize wrap state_load render_frames)
fi

cargo test --quiet --test fuzz_replay -- --ignored write_seed_corpora >/dev/null

# Keeps, of fuzz/corpus/<target>, the inputs of at most FUZZ_CMIN_MAX_BYTES (4096) that add
# coverage to the seeds. The seeds themselves are not kept: tests/fuzz_replay.rs builds and
# replays them, and this script writes them again before each run.
minimise() {
    local t=$1 min="fuzz/corpus/$1.min" cand="fuzz/corpus/$1.cand"
    rm -rf "$min" "$cand" && mkdir -p "$min" "$cand"
    cp "fuzz/seeds/$t"/* "$min"/
    find "fuzz/corpus/$t" -type f -size -"$((${FUZZ_CMIN_MAX_BYTES:-4096} + 1))"c -exec cp {} "$cand"/ \;
    (cd fuzz && cargo +nightly fuzz run "$t" "corpus/$t.min" "corpus/$t.cand" -- -merge=1 "${extra[@]}")
    for seed in "fuzz/seeds/$t"/*; do
        rm -f "$min/$(basename "$seed")"
    done
    rm -rf "fuzz/corpus/$t" "$cand" && mv "$min" "fuzz/corpus/$t"
}

mkdir -p fuzz/artifacts/logs
failed=()
printf '%-16s %8s %12s %8s %8s %10s  %s\n' target seconds executions exec/s files bytes result
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/seeds/$t"
    log="fuzz/artifacts/logs/$t.log"
    status=ok
    # -timeout: an input that takes over 30 s is a hang (ENC-12), reported as a crash.
    extra=()
    if [ "$t" = render_frames ]; then
        # Frames are costly: keep inputs to a few frames' worth. The converter cached across
        # inputs (built once, not per input) is not a leak.
        extra=(-max_len=4096 -detect_leaks=0)
    fi
    # Built first, so that the time measured below is time spent fuzzing.
    (cd fuzz && cargo +nightly fuzz build "$t") >"$log" 2>&1 || { echo "$t: build failed, see $log" >&2; exit 2; }
    start=$(date +%s)
    if ! (cd fuzz && cargo +nightly fuzz run "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$seconds" -timeout=30 -print_final_stats=1 "${extra[@]}") >>"$log" 2>&1; then
        status=CRASH
        failed+=("$t")
    fi
    took=$(($(date +%s) - start))
    if [ "${FUZZ_CMIN:-0}" = 1 ] && [ "$status" = ok ]; then
        minimise "$t" >>"$log" 2>&1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    files=$(find "fuzz/corpus/$t" -type f | wc -l)
    bytes=$(find "fuzz/corpus/$t" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
    printf '%-16s %8s %12s %8s %8s %10s  %s\n' "$t" "$took" "${execs:-?}" "${rate:-?}" "$files" "$bytes" "$status"
    if [ "$status" = CRASH ]; then
        grep -E '^(==[0-9]+==ERROR|thread .* panicked|SUMMARY|artifact_prefix|Test unit written)' "$log" | head -5 || true
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "crashed: ${failed[*]} (logs in fuzz/artifacts/logs/, inputs in fuzz/artifacts/<target>/)" >&2
    exit 1
fi
