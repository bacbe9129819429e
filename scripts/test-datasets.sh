#!/usr/bin/env bash
# The tests that read ../shared/datasets (or $MENSHEN_SHARED/datasets): ignored by a plain
# `cargo test`, run here with --ignored. Fails if the data is missing or if fewer of them ran
# than exist, so a skipped check can never pass for a green one.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${MENSHEN_SHARED:-../shared}"
if [ ! -d "$shared/datasets" ]; then
    echo "test-datasets: no datasets in $shared/datasets; check out the shared folder beside this repository or set MENSHEN_SHARED" >&2
    exit 1
fi
expected=$(grep -c '^#\[ignore = "reads ../shared/datasets' crates/policy/tests/datasets.rs)
log=$(mktemp)
cargo test -p menshen-policy --test datasets -- --ignored --nocapture 2>&1 | tee "$log"
ran=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$log" | grep -Eo '[0-9]+' | head -1)
rm -f "$log"
if [ "${ran:-0}" -ne "$expected" ]; then
    echo "test-datasets: $expected dataset checks exist, ${ran:-0} passed" >&2
    exit 1
fi
echo "test-datasets: all $expected dataset checks ran and passed"
