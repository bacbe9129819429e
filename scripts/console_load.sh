#!/usr/bin/env bash
# How fast the review console's pages are, on loopback with oha (`cargo install oha`): a
# store with 1,000 reports on 200 subjects, a signed-in reviewer, then the queue and one case
# page requested for SECONDS each by 4 connections. Figures in BENCHMARKS.md. Usage:
#   bash scripts/console_load.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
cargo build --release -q -p menshen-cli
menshen=target/release/menshen
service=$($menshen token create --role service --data "$work/data")
reviewer=$($menshen token create --role reviewer --name rita --data "$work/data")
$menshen serve --listen 127.0.0.1:18182 --data "$work/data" 2>"$work/server.log" &
server=$!
until curl -sf 127.0.0.1:18182/healthz >/dev/null; do sleep 0.2; done
for i in $(seq 1 1000); do
    subject=$((i % 200))
    printf '{"reporter":{"id":"r%d","account_age_days":%d},"subject":{"kind":"message","id":"m%d","account":"u%d","text":"高仿名表原单 第%d款 加微信 seller%03d https://shop%d.example.top/x"},"reason":"counterfeit","statement":"fakes"}\n' \
        "$i" "$((i % 900))" "$subject" "$subject" "$subject" "$subject" "$subject"
done | while read -r body; do
    curl -sf 127.0.0.1:18182/v1/reports -H "authorization: Bearer $service" -H 'content-type: application/json' -d "$body" >/dev/null
done
curl -s -c "$work/jar" -o /dev/null 127.0.0.1:18182/console/login --data-urlencode "token=$reviewer"
cookie="menshen_console=$(awk '$6 == "menshen_console" {print $7}' "$work/jar")"
run() {
    echo "== $1"
    oha --no-tui -z "${seconds}s" -c 4 -H "cookie: $cookie" "$2" \
        | grep -E "Requests/sec|Slowest|Fastest|50.00%|99.00%|\[[0-9]{3}\]"
}
run "queue (200 cases, by priority)" http://127.0.0.1:18182/console/queue
run "case page (5 reports, facts marked, standing, history)" http://127.0.0.1:18182/console/cases/7
