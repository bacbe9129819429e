#!/usr/bin/env bash
# Validate the server's OpenAPI document (/v1/openapi.json) against the OpenAPI 3.1 schema with
# openapi-spec-validator (installed from PyPI on first use). Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import openapi_spec_validator" 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check openapi-spec-validator
cargo build --quiet -p menshen-cli
work=$(mktemp -d)
port=${MENSHEN_OPENAPI_PORT:-18097}
source scripts/scratch-server.sh
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
start_scratch_server target/debug/menshen "$port" "$work"
curl -sf "http://127.0.0.1:$port/v1/openapi.json" >"$work/openapi.json"
python3 - "$work/openapi.json" <<'PY'
import json, sys
from openapi_spec_validator import OpenAPIV31SpecValidator
spec = json.load(open(sys.argv[1]))
errors = list(OpenAPIV31SpecValidator(spec).iter_errors())
for error in errors:
    print(f"openapi: {'/'.join(map(str, error.absolute_path))}: {error.message}", file=sys.stderr)
operations = sum(len(ops) for ops in spec["paths"].values())
print(f"openapi: {operations} operations, {len(errors)} errors")
sys.exit(1 if errors else 0)
PY
