#!/usr/bin/env bash
# Every test, as a newcomer runs them: installs the browser the console's end-to-end tests
# drive (once), then runs the workspace's tests, then the store and API tests again on
# PostgreSQL. Screenshots land in target/browser-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-browser.sh
cargo test --workspace "$@"
# The store and API tests again on the shared backends: PostgreSQL (and Redis) from Debian's
# packages on loopback, started here; a server that cannot start fails the run.
services=$(bash scripts/services.sh start)
eval "$services"
trap 'bash scripts/services.sh stop' EXIT
MENSHEN_TEST_BACKEND=postgres cargo test -p menshen-state -p menshen-server "$@"
MENSHEN_TEST_BACKEND=postgres cargo test -p menshen-cli --test instances "$@"
