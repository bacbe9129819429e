#!/usr/bin/env python3
"""Run menshen and its peers over the same corpus, interleaved and paired, and print the table
BENCHMARKS.md quotes. Each round runs every tool once, in a rotated order, as a whole process on
one core (`taskset -c 0`), and each peer's time is divided by menshen's time in the same round;
the table gives the medians of those paired ratios.

    python3 scripts/peers/bench.py WORK_DIR ROUNDS

WORK_DIR holds corpus.jsonl, corpus.txt, terms.txt, node_modules (under node/) and venv/, as
scripts/peers/run.sh leaves them.
"""
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../.."))


def run(command, stdin_path, env=None):
    """Seconds and peak resident memory (bytes) of one whole process. The memory is GNU time's
    reading (the `time` package): a forked child's own figure would count this script's pages."""
    peak = os.path.join(os.path.dirname(stdin_path), "peak.txt")
    with open(stdin_path, "rb") as stdin, open(os.devnull, "wb") as devnull:
        start = time.perf_counter()
        child = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", peak] + command,
                               stdin=stdin, stdout=devnull, stderr=subprocess.PIPE, env=env)
        elapsed = time.perf_counter() - start
    if child.returncode != 0:
        sys.exit(f"{command[0]} failed ({child.returncode}): {child.stderr.decode(errors='replace')[-500:]}")
    with open(peak) as f:
        kilobytes = int(f.read().split()[-1])
    return elapsed, kilobytes * 1024


def main():
    work, rounds = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5
    jsonl, txt, terms = (os.path.join(work, n) for n in ("corpus.jsonl", "corpus.txt", "terms.txt"))
    menshen = os.path.join(ROOT, "target/release/menshen")
    raw = os.path.join(ROOT, "target/release/examples/raw_scan")
    node = os.path.join(work, "node/node_modules")
    python = os.path.join(work, "venv/bin/python")
    one = ["taskset", "-c", "0"]
    node_env = dict(os.environ, NODE_PATH=node)
    tools = [
        ("menshen check --jsonl", "everything", one + [menshen, "check", "--jsonl", "--threads", "1"], jsonl, None),
        ("raw aho-corasick scan, counts only", "the floor", one + [raw, "--lines"], txt, None),
        ("raw aho-corasick scan, JSON in and out", "", one + [raw, "--jsonl"], jsonl, None),
        ("linkify-it (npm)", "links only", one + ["node", os.path.join(HERE, "linkify.js")], jsonl, node_env),
        ("mint-filter (npm)", "word filter", one + ["node", os.path.join(HERE, "mint.js"), terms], jsonl, node_env),
        ("pyahocorasick", "raw scan, no folding", one + [python, os.path.join(HERE, "pyaho.py"), terms], jsonl, None),
        ("flashtext", "word filter", one + [python, os.path.join(HERE, "flash.py"), terms], jsonl, None),
        ("jq -c .", "JSON only", one + ["jq", "-c", "."], jsonl, None),
    ]
    times = {name: [] for name, *_ in tools}
    memory = {name: 0 for name, *_ in tools}
    for r in range(rounds):
        order = tools[r % len(tools):] + tools[: r % len(tools)]
        for name, _, command, stdin, env in order:
            seconds, rss = run(command, stdin, env)
            times[name].append(seconds)
            memory[name] = max(memory[name], rss)
        print(f"round {r + 1}/{rounds} done", file=sys.stderr)
    messages = sum(1 for _ in open(jsonl, encoding="utf-8"))
    ours = times[tools[0][0]]
    print(f"{messages} messages, {os.path.getsize(txt) / 1e6:.1f} MB of text, {rounds} rounds, one core\n")
    print("| tool | what it does | median time | messages/s | peak memory | menshen time ÷ its time |")
    print("|---|---|---:|---:|---:|---:|")
    for name, what, *_ in tools:
        ratio = statistics.median(m / p for m, p in zip(ours, times[name]))
        median = statistics.median(times[name])
        print(f"| {name} | {what} | {median:.2f} s | {messages / median:,.0f} | {memory[name] / 1e6:.0f} MB | {ratio:.2f}× |")
    # All cores: --threads 2 against --threads 1, paired.
    pairs = []
    for _ in range(rounds):
        t1, _ = run([menshen, "check", "--jsonl", "--threads", "1"], jsonl)
        t2, _ = run([menshen, "check", "--jsonl", "--threads", "2"], jsonl)
        pairs.append(t1 / t2)
    print(f"\n`check --jsonl --threads 2` against `--threads 1`: {statistics.median(pairs):.2f}× as fast (median of {rounds} pairs)")
    # One huge message.
    with open(txt, encoding="utf-8") as f:
        lines = f.read().split("\n")
    text, i = [], 0
    size = 0
    while size < 10 << 20:
        text.append(lines[i % len(lines)])
        size += len(lines[i % len(lines)].encode()) + 1
        i += 1
    huge = os.path.join(work, "huge.jsonl")
    body = "\n".join(text)
    with open(huge, "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": "huge", "text": body}, ensure_ascii=False) + "\n")
    empty = os.path.join(work, "one.jsonl")
    with open(empty, "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": "one", "text": "你好"}) + "\n")
    seconds, rss = run([menshen, "check", "--jsonl", "--threads", "1"], huge)
    _, idle = run([menshen, "check", "--jsonl", "--threads", "1"], empty)
    n = len(body.encode())
    print(f"\nOne message of {n / 1e6:.1f} MB: {seconds:.2f} s, peak {rss / 1e6:.0f} MB "
          f"({rss / n:.1f} bytes per input byte; {(rss - idle) / n:.1f} above the {idle / 1e6:.0f} MB of a one-line run)")


if __name__ == "__main__":
    main()
