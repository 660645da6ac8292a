#!/usr/bin/env bash
# Near-duplicate index at 10k, 100k and 1M pages, and datasketch on the same
# first 100k pages, in one run. Needs ../shared/data and `pip install datasketch`.
#
#   bench/neardup.sh [PAGES]        (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
pages="${1:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xzf ../shared/data/corpus-reuters21578.tar.gz -C "$work"
corpus="$(find "$work" -name '*.jsonl' | head -1)"
cargo build --release -q -p storyline-link --example neardup_scale
./target/release/examples/neardup_scale "$corpus" --pages "$pages" \
    --dump-pages "$work/pages.jsonl" --dump-limit 100000
python3 bench/datasketch_neardup.py "$work/pages.jsonl" 10000 100000
