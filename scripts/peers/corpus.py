#!/usr/bin/env python3
"""Build the peers' corpus from ../shared/datasets: Chinese game chat, Chinese SMS and English
SMS interleaved, cycled to N messages, as JSON lines (`corpus.jsonl`) and as plain lines
(`corpus.txt`, newlines inside a message turned into spaces).

    python3 scripts/peers/corpus.py SHARED_DIR OUT_DIR [N]
"""
import json
import os
import sys


def texts(path, column):
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) > column and fields[column].strip() and fields[0] in ("0", "1", "ham", "spam"):
                out.append(" ".join(fields[column].split()))
    return out


def main():
    shared, out_dir = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    data = os.path.join(shared, "datasets")
    sets = [
        texts(os.path.join(data, "zh_game_chat_ads/train.txt"), 1),
        texts(os.path.join(data, "zh_sms_mudou/mudou_spam.train"), 1),
        texts(os.path.join(data, "en_sms_uci/SMSSpamCollection"), 1),
    ]
    interleaved = []
    for i in range(max(len(s) for s in sets)):
        interleaved.extend(s[i] for s in sets if i < len(s))
    messages = [interleaved[i % len(interleaved)] for i in range(n)]
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for i, text in enumerate(messages):
            f.write(json.dumps({"id": f"m{i}", "text": text}, ensure_ascii=False) + "\n")
    with open(os.path.join(out_dir, "corpus.txt"), "w", encoding="utf-8") as f:
        for text in messages:
            f.write(text + "\n")
    size = sum(len(t.encode()) for t in messages)
    print(f"corpus: {n} messages, {size / 1e6:.1f} MB of text", file=sys.stderr)


if __name__ == "__main__":
    main()
