#!/usr/bin/env bash
# Many `menshen serve` instances on one PostgreSQL and one Redis (scripts/services.sh), on
# this machine's cores, with oha (`cargo install oha`) against each at once: the figures in
# BENCHMARKS.md. Then, under write load, `kill -9` of one instance (no acknowledged write may
# be lost) and Redis stopped (checks and sanctions go on). Usage:
#   bash scripts/instances.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
cargo build --release -q -p menshen-cli
python3 scripts/load_bodies.py "$work" >/dev/null
services=$(bash scripts/services.sh start)
eval "$services"
menshen=target/release/menshen

# One database per run of the table; every instance shares its folder's audit key.
fresh_database() {
    local name=$1
    psql -q -h 127.0.0.1 -p "${MENSHEN_PG_PORT:-55432}" -U menshen -d menshen \
        -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
    redis-cli -h 127.0.0.1 -p "${MENSHEN_REDIS_PORT:-56379}" flushall >/dev/null
    echo "${MENSHEN_TEST_DATABASE_URL%/*}/$name"
}

start_instances() {
    local count=$1 url=$2
    pids=()
    for n in $(seq "$count"); do
        MENSHEN_DATABASE_URL=$url MENSHEN_REDIS_URL=$MENSHEN_TEST_REDIS_URL \
            "$menshen" serve --data "$work/keys" --listen "127.0.0.1:$((18300 + n))" \
            >"$work/serve-$n.log" 2>&1 &
        pids+=($!)
    done
    for n in $(seq "$count"); do
        for _ in $(seq 100); do
            curl -sf "http://127.0.0.1:$((18300 + n))/healthz" >/dev/null && break
            sleep 0.2
        done
    done
}

stop_instances() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
}

# Load every instance at once, `connections` each; prints the summed rate and the worst p99.
load() {
    local count=$1 connections=$2 kind=$3
    local outputs=() loaders=()
    for n in $(seq "$count"); do
        local out="$work/oha-$n.txt"
        outputs+=("$out")
        if [ "$kind" = batch ]; then
            oha --no-tui -z "${seconds}s" -c "$connections" -H "authorization: Bearer $token" \
                -T application/json -m POST -D "$work/batch.json" \
                "http://127.0.0.1:$((18300 + n))/v1/check/batch" >"$out" &
            loaders+=($!)
            continue
        else
            oha --no-tui -z "${seconds}s" -c "$connections" -H "authorization: Bearer $token" \
                -T application/json -m POST -Z "$work/check_senders.jsonl" \
                "http://127.0.0.1:$((18300 + n))/v1/check" >"$out" &
        fi
        loaders+=($!)
    done
    wait "${loaders[@]}"
    python3 - "$kind" "${outputs[@]}" <<'PY'
import re, sys
kind, files = sys.argv[1], sys.argv[2:]
rate, p99, errors = 0.0, 0.0, 0
for name in files:
    text = open(name).read()
    if "99.00%" not in text:
        sys.exit(f"{name}: no latencies in oha's output:\n{text}")
    rate += float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    found = re.search(r"99\.00% in ([\d.]+) (secs|ms)", text)
    value = float(found.group(1)) * (1000 if found.group(2) == "secs" else 1)
    p99 = max(p99, value)
    errors += sum(int(n) for status, n in re.findall(r"\[(\d{3})\]\s+(\d+) responses", text) if status != "200")
unit = "messages/s" if kind == "batch" else "requests/s"
scale = 1000 if kind == "batch" else 1
print(f"{len(files)} instance(s), {kind}: {rate * scale:,.0f} {unit}, worst p99 {p99:.2f} ms, non-200 {errors}")
PY
}

echo "== throughput: one, two and three instances on one PostgreSQL and one Redis"
for count in 1 2 3; do
    url=$(fresh_database "bench$count")
    mkdir -p "$work/keys"
    start_instances "$count" "$url"
    token=$(MENSHEN_DATABASE_URL=$url "$menshen" token create --role service --data "$work/keys" 2>/dev/null)
    load "$count" $((8 / count)) check
    load "$count" 1 batch
    stop_instances
done

echo "== kill -9 of one instance of three under write load"
url=$(fresh_database killed)
start_instances 3 "$url"
token=$(MENSHEN_DATABASE_URL=$url "$menshen" token create --role service --data "$work/keys" 2>/dev/null)
reviewer=$(MENSHEN_DATABASE_URL=$url "$menshen" token create --role reviewer --name rita --data "$work/keys" 2>/dev/null)
acknowledged="$work/acknowledged"
: >"$acknowledged"
writer() {
    local n=$1 port=$2
    for i in $(seq 200); do
        local body="{\"target\":{\"kind\":\"account\",\"id\":\"w$n-$i\"},\"reason\":\"load\"}"
        if curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $reviewer" \
            -H 'content-type: application/json' -d "$body" \
            "http://127.0.0.1:$port/v1/sanctions" | grep -q 200; then
            echo "w$n-$i" >>"$acknowledged"
        fi
    done
}
writers=()
for n in 1 2 3; do
    writer "$n" $((18300 + n)) &
    writers+=($!)
done
sleep 1
kill -9 "${pids[1]}"
wait "${writers[@]}"
python3 - "$acknowledged" "$url" <<'PY'
import subprocess, sys
acknowledged = set(open(sys.argv[1]).read().split())
rows = subprocess.run(["psql", "-At", sys.argv[2], "-c", "SELECT target_id FROM sanctions"],
                      capture_output=True, text=True, check=True).stdout.split()
lost = acknowledged - set(rows)
print(f"acknowledged {len(acknowledged)} sanctions, {len(lost)} lost; the store holds {len(rows)}")
sys.exit(1 if lost else 0)
PY
for port in 18301 18303; do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && echo "instance on $port still serving"
done
MENSHEN_DATABASE_URL=$url "$menshen" audit verify --data "$work/keys" 2>/dev/null

echo "== Redis stopped under load"
redis-cli -h 127.0.0.1 -p "${MENSHEN_REDIS_PORT:-56379}" shutdown nosave >/dev/null 2>&1 || true
code=$(curl -s -o "$work/check.json" -w '%{http_code}' -H "authorization: Bearer $token" \
    -H 'content-type: application/json' -d '{"text":"hi","sender":"w1-1"}' http://127.0.0.1:18301/v1/check)
echo "check with Redis gone: $code $(head -c 120 "$work/check.json")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $token" \
    -H 'content-type: application/json' \
    -d '{"events":[{"kind":"friend_request","from":"u1","to":"u2"}]}' http://127.0.0.1:18303/v1/events)
echo "behaviour event with Redis gone: $code (windows fall back to each instance's own)"
stop_instances
bash scripts/services.sh stop
