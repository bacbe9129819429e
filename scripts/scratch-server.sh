# Sourced by the scripts that drive a live server (load.sh, abuse.sh, check-openapi.sh):
#   start_scratch_server BINARY PORT DIR [SERVE ARGS…]
# starts `BINARY serve` on 127.0.0.1:PORT with its store in DIR (log in DIR/serve.log), sets
# `server` to its pid, and returns once /healthz answers (fails after 20 s). The caller's EXIT
# trap stops it: `trap 'kill "$server" 2>/dev/null || true; rm -rf "$DIR"' EXIT`.
start_scratch_server() {
    local binary=$1 port=$2 dir=$3
    shift 3
    "$binary" serve --data "$dir" --listen "127.0.0.1:$port" "$@" >"$dir/serve.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0
        sleep 0.2
    done
    echo "the server on port $port did not start; its log:" >&2
    cat "$dir/serve.log" >&2
    return 1
}
