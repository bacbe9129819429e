#!/usr/bin/env bash
# Replay the hostile-load attacks (issue 15) against a live release server on a scratch
# store and print a table (scripts/abuse.py). About two minutes after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p menshen-cli
bin="$PWD/target/release/menshen"
dir=$(mktemp -d)
port=${MENSHEN_ABUSE_PORT:-18088}
service=$("$bin" token create --role service --name abuse-service --data "$dir" | tail -1)
reviewer=$("$bin" token create --role reviewer --name abuse-reviewer --data "$dir" | tail -1)
source scripts/scratch-server.sh
trap 'kill "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
start_scratch_server "$bin" "$port" "$dir"
python3 scripts/abuse.py "http://127.0.0.1:$port" "$service" "$reviewer" "$server" "$bin"
