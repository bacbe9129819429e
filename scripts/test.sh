#!/usr/bin/env bash
# Every test, as a newcomer runs them: installs the browser the console's end-to-end tests
# drive (once), then runs the workspace's tests. Screenshots land in target/browser-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-browser.sh
cargo test --workspace "$@"
