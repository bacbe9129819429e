#!/usr/bin/env bash
# PostgreSQL and Redis for the tests that run on the shared backends, from Debian's packages,
# listening on 127.0.0.1 only, with their data under target/services (made afresh each start).
#   eval "$(bash scripts/services.sh start)"   # prints the export lines for the tests
#   bash scripts/services.sh stop
# `start` installs the packages when they are missing (apt-get, as root) and fails with the
# server's own log if either cannot start: the tests that need them never skip in silence.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD/target/services"
pg_port=${MENSHEN_PG_PORT:-55432}
redis_port=${MENSHEN_REDIS_PORT:-56379}

fail() {
    echo "services: $*" >&2
    exit 1
}

pg_bin() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$bin" ] || fail "PostgreSQL is not installed (apt-get install postgresql)"
    echo "$bin"
}

# Run a PostgreSQL program as the owner of its data: PostgreSQL refuses to run as root.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

install() {
    local missing=()
    ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
    command -v redis-server >/dev/null || missing+=(redis-server)
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "services: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    { $sudo apt-get update -qq && $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
        >"$root.apt.log" 2>&1 \
        || { cat "$root.apt.log" >&2; fail "apt-get could not install ${missing[*]}"; }
}

stop() {
    if [ -f "$root/pg/postmaster.pid" ]; then
        as_owner "$(pg_bin)/pg_ctl" -D "$root/pg" -m fast stop >/dev/null 2>&1 || true
    fi
    if [ -f "$root/redis.pid" ]; then
        kill "$(cat "$root/redis.pid")" 2>/dev/null || true
        rm -f "$root/redis.pid"
    fi
}

start() {
    mkdir -p "$(dirname "$root")"
    install
    stop
    rm -rf "$root"
    mkdir -p "$root/pg" "$root/redis"
    local bin
    bin=$(pg_bin)
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$root/pg"
        # The server's user must reach its folder through the checkout's.
        chmod o+x "$root" "$(dirname "$root")"
    fi
    as_owner "$bin/initdb" -D "$root/pg" -U menshen --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$root/initdb.log" 2>&1 || { cat "$root/initdb.log" >&2; fail "initdb failed"; }
    as_owner "$bin/pg_ctl" -D "$root/pg" -l "$root/pg/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $root/pg -c fsync=on" start >/dev/null \
        || { cat "$root/pg/server.log" >&2; fail "PostgreSQL did not start on 127.0.0.1:$pg_port"; }
    "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U menshen menshen \
        || fail "could not create the database menshen"
    redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$root/redis" --save "" \
        --appendonly no --daemonize yes --pidfile "$root/redis.pid" \
        --logfile "$root/redis/server.log" >/dev/null
    for _ in $(seq 50); do
        redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG && break
        sleep 0.1
    done
    redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG \
        || { cat "$root/redis/server.log" >&2; fail "Redis did not start on 127.0.0.1:$redis_port"; }
    echo "export MENSHEN_TEST_DATABASE_URL=postgres://menshen@127.0.0.1:$pg_port/menshen"
    echo "export MENSHEN_TEST_REDIS_URL=redis://127.0.0.1:$redis_port/"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) fail "usage: bash scripts/services.sh start|stop" ;;
esac
