#!/usr/bin/env bash
# Property-based tests of the live API against its own OpenAPI document with schemathesis
# (installed from PyPI on first use): every operation, generated valid and invalid requests,
# all checks (no 5xx, statuses and bodies as documented, invalid input refused). Run by .ci/run
# with a fixed seed and a bounded number of examples, so a run takes a few minutes and a
# finding is reproducible. Usage: bash scripts/schemathesis.sh [EXAMPLES] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-30}
seed=${2:-1}
python3 -c "import schemathesis" 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check 'schemathesis==4.32.5'
cargo build --quiet -p menshen-cli
work=$(mktemp -d)
port=${MENSHEN_SCHEMATHESIS_PORT:-18098}
source scripts/scratch-server.sh
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/data"
# The guessing limit is off: schemathesis sends wrong tokens on purpose, and past the limit
# every answer would be the (documented) 429.
printf 'auth_failures_per_minute = 0\n' >"$work/menshen.toml"
start_scratch_server target/debug/menshen "$port" "$work/data" --config "$work/menshen.toml"
token=$(target/debug/menshen token create --role admin --name schemathesis --data "$work/data")
cd "$work"
python3 -m schemathesis.cli run "http://127.0.0.1:$port/v1/openapi.json" \
    --checks all --max-examples "$examples" --seed "$seed" --workers 2 \
    --header "Authorization: Bearer $token" \
    --suppress-health-check all --warnings off
