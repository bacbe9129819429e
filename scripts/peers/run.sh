#!/usr/bin/env bash
# The peers harness: install the peers from their registries, build menshen and the raw-scan
# floor, build the corpus from ../shared/datasets, and print the comparison table.
#
#     bash scripts/peers/run.sh [ROUNDS] [MESSAGES]
#
# Everything it installs goes under target/peers (npm packages, a Python venv). Needs node,
# npm, python3, jq, taskset and GNU time (/usr/bin/time); ../shared beside the repository (or
# MENSHEN_SHARED).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-5}"
messages="${2:-100000}"
shared="${MENSHEN_SHARED:-../shared}"
work=target/peers
mkdir -p "$work/node"
[ -d "$shared/datasets" ] || { echo "no datasets in $shared: check out ../shared or set MENSHEN_SHARED" >&2; exit 1; }
for tool in node npm python3 jq taskset /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "the harness needs $tool" >&2; exit 1; }
done
if [ ! -d "$work/node/node_modules/mint-filter" ]; then
    npm install --prefix "$work/node" --no-audit --no-fund linkify-it@5.0.0 mint-filter@4.0.3 >&2
fi
if [ ! -x "$work/venv/bin/python" ]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install --quiet pyahocorasick==2.3.1 flashtext==2.7 >&2
fi
cargo build --release -p menshen-cli >&2
cargo build --release -p menshen-detect --example raw_scan >&2
target/release/examples/raw_scan --terms > "$work/terms.txt"
python3 scripts/peers/corpus.py "$shared" "$work" "$messages"
python3 scripts/peers/bench.py "$work" "$rounds"
