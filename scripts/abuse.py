#!/usr/bin/env python3
"""Replay the hostile-load attacks of issue 15 against a live `menshen serve` and print a
table: attack, reply, latency, the server's memory before and after.

Run through scripts/abuse.sh, which builds the release binary, starts a server on a scratch
store and passes: BASE_URL SERVICE_TOKEN REVIEWER_TOKEN SERVER_PID MENSHEN_BINARY.
Standard library only.
"""
import base64
import http.client
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zlib

BASE, SERVICE, REVIEWER, PID, BINARY = sys.argv[1:6]
HOST = urllib.parse.urlparse(BASE)
ROWS = []


def rss_mb():
    with open(f"/proc/{PID}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def call(method, path, body=None, token=SERVICE, headers=None, raw=None, timeout=120):
    connection = http.client.HTTPConnection(HOST.hostname, HOST.port, timeout=timeout)
    all_headers = {"content-type": "application/json"}
    if token:
        all_headers["authorization"] = f"Bearer {token}"
    all_headers.update(headers or {})
    payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    started = time.perf_counter()
    connection.request(method, path, body=payload, headers=all_headers)
    response = connection.getresponse()
    data = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    connection.close()
    return response.status, data, elapsed


def describe(status, data):
    try:
        answer = json.loads(data)
    except ValueError:
        return f"{status}, not JSON ({len(data)} bytes)"
    if isinstance(answer, dict) and "code" in answer:
        field = f" `{answer['field']}`" if answer.get("field") else ""
        return f"{status} `{answer['code']}`{field}"
    if isinstance(answer, dict) and "action" in answer:
        extra = ", truncated" if answer.get("facts", {}).get("truncated") else ""
        return f"{status} `{answer['action']}`{extra}, {len(data):,} bytes"
    return f"{status}, {len(data):,} bytes"


def row(attack, reply, latency_ms, before, after):
    latency = f"{latency_ms:,.0f} ms" if latency_ms >= 10 else f"{latency_ms:.2f} ms"
    ROWS.append((attack, reply, latency, f"{before:,.0f} → {after:,.0f} MB"))


def attack(name, function):
    before = rss_mb()
    reply, latency = function()
    row(name, reply, latency, before, rss_mb())


def healthz_while(work):
    """Run `work` in a thread; meanwhile measure /healthz latency (worst of several)."""
    done = threading.Event()
    result = {}

    def run():
        result["value"] = work()
        done.set()

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.05)
    worst = 0.0
    while not done.is_set():
        worst = max(worst, call("GET", "/healthz", token=None)[2])
        time.sleep(0.02)
    thread.join()
    return result["value"], worst


def png(width, height):
    rows = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    chunk = lambda kind, data: (struct.pack(">I", len(data)) + kind + data
                                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def huge_links():
    text = "a.cn " * 760_000
    (status, data, elapsed), worst = healthz_while(
        lambda: call("POST", "/v1/check", {"text": text, "scene": "group"}))
    return f"{describe(status, data)}; /healthz meanwhile ≤ {worst:.0f} ms", elapsed


def two_huge_at_once():
    text = "a.cn " * 760_000
    results = []

    def both():
        threads = [threading.Thread(target=lambda: results.append(
            call("POST", "/v1/check", {"text": text}))) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return max(r[2] for r in results)

    elapsed, worst = healthz_while(both)
    return f"{', '.join(str(r[0]) for r in results)}; /healthz meanwhile ≤ {worst:.0f} ms", elapsed


def many_images():
    image = base64.b64encode(png(2000, 2000)).decode()
    body = {"text": "看图", "attachments": [{"type": "image", "base64": image}] * 50}
    status, data, elapsed = call("POST", "/v1/check", body)
    warnings = len(json.loads(data).get("facts", {}).get("warnings", [])) if status == 200 else 0
    return f"{describe(status, data)}, {warnings} images not decoded", elapsed


def huge_sender():
    status, data, elapsed = call("POST", "/v1/check", {"text": "hi", "sender": "u" * 3_900_000})
    return describe(status, data), elapsed


def blank_sender():
    status, data, elapsed = call("POST", "/v1/check", {"text": "hi", "sender": "   "})
    return describe(status, data), elapsed


def ban_everything():
    status, data, elapsed = call("POST", "/v1/sanctions", {
        "target": {"kind": "ip", "id": "0.0.0.0/0"}, "reason": "x", "broad": True,
        "step": {"kind": "permanent"}}, token=REVIEWER)
    return describe(status, data), elapsed


def durations():
    replies, total = [], 0.0
    for hours in (0, 4294967295):
        status, data, elapsed = call("POST", "/v1/sanctions", {
            "target": {"kind": "account", "id": "u1"}, "reason": "x",
            "step": {"kind": "login_ban", "hours": hours}}, token=REVIEWER)
        replies.append(f"{hours}: {describe(status, data)}")
        total += elapsed
    return "; ".join(replies), total / 2


def sign_in_guessing():
    counts = {}
    started = time.perf_counter()
    for guess in range(500):
        status, _, _ = call("POST", "/console/login", token=None, raw=f"token=guess{guess}".encode(),
                            headers={"content-type": "application/x-www-form-urlencoded"})
        counts[status] = counts.get(status, 0) + 1
    elapsed = (time.perf_counter() - started) * 1000
    return ", ".join(f"{n}× {s}" for s, n in sorted(counts.items())), elapsed / 500


def token_guessing():
    counts = {}
    started = time.perf_counter()
    for guess in range(200):
        status, _, _ = call("POST", "/v1/check", {"text": "hi"}, token=f"guess{guess}")
        counts[status] = counts.get(status, 0) + 1
    # The real token still works from the same address.
    real = call("POST", "/v1/check", {"text": "hi"})[0]
    elapsed = (time.perf_counter() - started) * 1000
    return ", ".join(f"{n}× {s}" for s, n in sorted(counts.items())) + f"; real token {real}", elapsed / 201


def stalled_connections():
    sockets = []
    for _ in range(1000):
        s = socket.create_connection((HOST.hostname, HOST.port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        sockets.append(s)
    latency = call("GET", "/healthz", token=None, timeout=60)[2]
    time.sleep(11)
    closed = 0
    for s in sockets:
        s.settimeout(0.2)
        try:
            if s.recv(1) == b"":
                closed += 1
        except (socket.timeout, ConnectionResetError):
            closed += 0 if isinstance(sys.exc_info()[1], socket.timeout) else 1
        s.close()
    return f"/healthz answered; {closed} of 1000 closed by the header timeout", latency


def errors():
    cases = [
        ("POST", "/v1/check", None, b'{"text":"a","scene":5}', {}),
        ("POST", "/v1/check", None, b'["a","group"]', {}),
        ("DELETE", "/v1/check", None, None, {}),
        ("GET", "/v1/nowhere", None, None, {}),
        ("POST", "/v1/check", None, b'{"text":"x"}', {"content-type": "text/plain"}),
        ("POST", "/v1/sanctions", None, b'{"target":5}', {}),
    ]
    replies, total = [], 0.0
    for method, path, body, raw, headers in cases:
        status, data, elapsed = call(method, path, body, raw=raw, headers=headers)
        replies.append(describe(status, data))
        total += elapsed
    status, data, elapsed = call("POST", "/v1/check", {"text": "hi"}, token=None,
                                 headers={"authorization": f"bearer {SERVICE}"})
    replies.append(f"lower-case bearer {status}")
    status, data, _ = call("POST", "/v1/check", {"text": "hi", "ts": "9999-12-31T23:59:59Z"})
    replies.append(f"ts 9999-12-31 {status}")
    return "; ".join(replies), total / len(cases)


def jsonl_long_line():
    with tempfile.NamedTemporaryFile("wb", delete=False) as f:
        chunk = b"a" * (1 << 20)
        for _ in range(200):
            f.write(chunk)
        f.write(b"\n" + b'{"text":"hi"}\n')
        path = f.name
    started = time.perf_counter()
    with open(path, "rb") as stdin:
        out = subprocess.run(["/usr/bin/time", "-f", "%M", BINARY, "check", "--jsonl",
                              "--max-line-bytes", "1000"], stdin=stdin, capture_output=True)
    elapsed = (time.perf_counter() - started) * 1000
    os.unlink(path)
    peak = int(out.stderr.decode().strip().splitlines()[-1]) / 1024
    first = out.stdout.decode().splitlines()[0][:60]
    return f"exit {out.returncode}, peak {peak:.0f} MB; `{first}…`", elapsed


def broken_lint():
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write('name = "broken"\neffective = "2024-01-01T00:00:00Z"\n'
                '[[rule]]\nid = "r"\ndescription = "d"\nwhen = \'links.size()\'\naction = "hide"\n'
                'message = "sent by {sender}"\n')
        path = f.name
    started = time.perf_counter()
    out = subprocess.run([BINARY, "policy", "lint", path], capture_output=True)
    elapsed = (time.perf_counter() - started) * 1000
    os.unlink(path)
    problems = out.stderr.decode().count("\n")
    return f"exit {out.returncode}, {problems} problems reported", elapsed


for name, function in [
    ("3.8 MB of `a.cn ` in one check", huge_links),
    ("two of those at once", two_huge_at_once),
    ("50 images of 2000×2000 in one check", many_images),
    ("a 3.9 MB sender id", huge_sender),
    ("a blank sender id", blank_sender),
    ("a reviewer bans 0.0.0.0/0 (broad = true)", ban_everything),
    ("login bans of 0 and 4,294,967,295 hours", durations),
    ("200 wrong bearer tokens", token_guessing),
    ("500 wrong console sign-ins, from the same address", sign_in_guessing),
    ("1,000 connections stalled mid-header", stalled_connections),
    ("malformed requests (scene 5, array, DELETE, 404, text/plain, service on a reviewer route)", errors),
    ("`check --jsonl --max-line-bytes 1000` on a 200 MB line", jsonl_long_line),
    ("`policy lint` of `when = 'links.size()'` and `{sender}`", broken_lint),
]:
    attack(name, function)

print("| attack | reply | latency | server memory |")
print("|---|---|---:|---|")
for r in ROWS:
    print("| " + " | ".join(r) + " |")
