#!/usr/bin/env bash
# Load test of `menshen serve` on loopback with oha (`cargo install oha`): the figures in
# BENCHMARKS.md. Server and load generator share this machine's cores. Usage:
#   bash scripts/load.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
cargo build --release -q -p menshen-cli
python3 scripts/load_bodies.py "$work"
token=$(target/release/menshen token create --role service --data "$work/data")
source scripts/scratch-server.sh
start_scratch_server target/release/menshen 18181 "$work/data"
run() {
    echo "== $1"
    shift
    oha --no-tui -z "${seconds}s" -H "authorization: Bearer $token" -T application/json -m POST "$@" \
        | grep -E "Requests/sec|Slowest|Fastest|Average|50.00%|90.00%|99.00%|99.90%|\[200\]|\[[0-9]{3}\]"
}
run "check, decisions only, 8 connections, as fast as possible" -c 8 -Z "$work/check.jsonl" http://127.0.0.1:18181/v1/check
run "check, decisions only, 8 connections, 5,000 requests/s" -c 8 -q 5000 -Z "$work/check.jsonl" http://127.0.0.1:18181/v1/check
run "check with senders (offences enforced and written), 8 connections" -c 8 -Z "$work/check_senders.jsonl" http://127.0.0.1:18181/v1/check
run "check with senders, 8 connections, 2,000 requests/s (100 offences/s)" -c 8 -q 2000 -Z "$work/check_senders.jsonl" http://127.0.0.1:18181/v1/check
run "batch of 1,000 messages, 2 connections" -c 2 -D "$work/batch.json" http://127.0.0.1:18181/v1/check/batch
kill -TERM "$server"
wait "$server" || true
echo "== writes: the audit log after the runs (sanctions and withheld verdicts)"
target/release/menshen audit verify --data "$work/data"
