#!/usr/bin/env bash
# The whole pipeline at growing sizes: `storyline bench` in a release build
# (see `storyline bench --help`).
#
#   bench/pipeline.sh [SIZES...]      (default: 10000 100000)
#
# Needs ../shared/data, and `pip install trafilatura datasketch` for the
# comparisons (skipped with a note when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p storyline
sizes=10000,100000
[ $# -eq 0 ] || sizes=$(IFS=,; echo "$*")
exec ./target/release/storyline bench --sizes "$sizes"
