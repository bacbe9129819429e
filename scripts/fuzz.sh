#!/usr/bin/env bash
# Run the fuzz targets (fuzz/fuzz_targets/), each for a bounded time, with cargo-fuzz:
#   bash scripts/fuzz.sh                 # every target, 60 s each
#   bash scripts/fuzz.sh request 300     # one target, 300 s
# Targets: analyze (text analysis), profile (profile files), model (model files), request
# (request bodies through the router). A crash leaves its input in fuzz/artifacts/TARGET/.
# cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP enables them on the stable toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
targets=("${1:-analyze profile model request}")
seconds="${2:-60}"
for target in ${targets[@]}; do
    echo "fuzz: $target for ${seconds}s"
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 2>&1 | tail -3
done
