#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 30 s each) with
# libFuzzer through cargo-fuzz, seeded with the bundled example pages.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# With FUZZ_RUNS=N each target instead runs N inputs from a fixed seed:
# the same inputs on every machine, so CI (which runs this) passes or
# fails the same way each time.
#
# Installs cargo-fuzz from crates.io if missing; builds on the stable
# toolchain with RUSTC_BOOTSTRAP=1. A crash leaves its input in
# fuzz/artifacts/TARGET/ and makes this script fail: turn it into a
# regression test in the crate it names.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(ingest clean annotate times)
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked -q
export RUSTC_BOOTSTRAP=1
for t in "${targets[@]}"; do
    corpus="corpus/$t"
    mkdir -p "$corpus"
    cp -n ../examples/pages/* "$corpus/" 2>/dev/null || true
    if [ -n "${FUZZ_RUNS:-}" ]; then
        bound=(-runs="$FUZZ_RUNS" -seed=1)
        echo "fuzz $t for $FUZZ_RUNS inputs (seed 1)"
    else
        bound=(-max_total_time="$secs")
        echo "fuzz $t for ${secs}s"
    fi
    cargo fuzz run -O "$t" "$corpus" -- "${bound[@]}" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 2>&1 \
        | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|==|SUMMARY|artifact_prefix|Test unit written)" || true
    if ls "artifacts/$t"/crash-* "artifacts/$t"/oom-* "artifacts/$t"/timeout-* >/dev/null 2>&1; then
        echo "fuzz $t: found a failing input in fuzz/artifacts/$t" >&2
        exit 1
    fi
done
