#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ one after another (reliability.md §5.3 item 5).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     # default: 600 s each, all five targets
#   FUZZ_CMIN=1 scripts/fuzz.sh 600           # then minimise each corpus in place (see minimise)
#   scripts/fuzz.sh cmin [TARGET...]          # only minimise
#   FUZZ_KEEP_GOING=1 scripts/fuzz.sh 600     # fork mode: go on after a crash, keep every crash
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Advisory: the
# corpora and crash inputs are replayed on stable by `cargo test --test it fuzz_replay::`.
# The seeds (samples, fixtures, ESC-02 payloads) are written to fuzz/seeds/ first; new inputs
# go to fuzz/corpus/<target>/, crashes to fuzz/artifacts/<target>/, logs to fuzz/artifacts/logs/.
# For each target this prints the executions, exec/s and the corpus size; the exit status is
# non-zero when a target crashed (minimise the input with `cargo +nightly fuzz tmin`, then
# commit it under fuzz/regressions/<target>/).
set -euo pipefail

cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
only_cmin=0
if [ "$seconds" = cmin ]; then
    # `scripts/fuzz.sh cmin [TARGET...]`: minimise the corpora without fuzzing.
    only_cmin=1
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(decode_pipeline sanitize wrap state_load render_frames)
fi

cargo test --quiet --test it -- --ignored fuzz_replay::write_seed_corpora >/dev/null

# Keeps, of fuzz/corpus/<target>, a small set of inputs of at most FUZZ_CMIN_MAX_BYTES (4096)
# that add coverage to the seeds (libFuzzer's greedy set-cover merge, counting edges only, not
# how often they run: hit counts kept thousands of near-duplicates). The seeds themselves are not kept: tests/it/fuzz_replay.rs builds and
# replays them, and this script writes them again before each run.
minimise() {
    local t=$1 min="fuzz/corpus/$1.min" cand="fuzz/corpus/$1.cand"
    rm -rf "$min" "$cand" && mkdir -p "$min" "$cand"
    cp "fuzz/seeds/$t"/* "$min"/
    find "fuzz/corpus/$t" -type f -size -"$((${FUZZ_CMIN_MAX_BYTES:-4096} + 1))"c -exec cp {} "$cand"/ \;
    (cd fuzz && cargo +nightly fuzz run "$t" "corpus/$t.min" "corpus/$t.cand" -- -set_cover_merge=1 -use_counters=0 "${base[@]}")
    for seed in "fuzz/seeds/$t"/*; do
        rm -f "$min/$(basename "$seed")"
    done
    rm -rf "fuzz/corpus/$t" "$cand" && mv "$min" "fuzz/corpus/$t"
}

mkdir -p fuzz/artifacts/logs
failed=()
if [ "$only_cmin" = 0 ]; then
    printf '%-16s %8s %12s %8s %8s %10s  %s\n' target seconds executions exec/s files bytes result
fi
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/seeds/$t"
    log="fuzz/artifacts/logs/$t.log"
    status=ok
    # -timeout: an input that takes over 30 s is a hang (ENC-12), reported as a crash.
    base=()
    if [ "$t" = render_frames ]; then
        # Frames are costly: keep inputs to a few frames' worth. The converter cached across
        # inputs (built once, not per input) is not a leak.
        base=(-max_len=4096 -detect_leaks=0)
    fi
    extra=("${base[@]}")
    if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
        # A known crash need not hide others: each is written to fuzz/artifacts/<target>/.
        extra+=(-fork=1 -ignore_crashes=1)
    fi
    if [ "$only_cmin" = 1 ]; then
        before=$(find "fuzz/corpus/$t" -type f | wc -l)
        minimise "$t" >"fuzz/artifacts/logs/$t.cmin.log" 2>&1
        echo "$t: $before files -> $(find "fuzz/corpus/$t" -type f | wc -l) files," \
            "$(find "fuzz/corpus/$t" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}') bytes"
        continue
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
    if [ -z "$execs" ]; then
        # Fork mode prints no final stats: take the last progress line.
        last=$(grep -E '^#[0-9]+: ' "$log" | tail -1)
        execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
        crashes=$(sed -nE 's/.*oom\/timeout\/crash: [0-9]+\/[0-9]+\/([0-9]+).*/\1/p' <<<"$last")
        [ -n "$execs" ] && [ "$took" -gt 0 ] && rate=$((execs / took))
        if [ "${crashes:-0}" -gt 0 ]; then
            status="CRASH x$crashes"
            failed+=("$t")
        fi
    fi
    files=$(find "fuzz/corpus/$t" -type f | wc -l)
    bytes=$(find "fuzz/corpus/$t" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
    printf '%-16s %8s %12s %8s %8s %10s  %s\n' "$t" "$took" "${execs:-?}" "${rate:-?}" "$files" "$bytes" "$status"
    if [ "$status" != ok ]; then
        grep -E '^(==[0-9]+==ERROR|thread .* panicked|SUMMARY|artifact_prefix|Test unit written)' "$log" | head -5 || true
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "crashed: ${failed[*]} (logs in fuzz/artifacts/logs/, inputs in fuzz/artifacts/<target>/)" >&2
    exit 1
fi
