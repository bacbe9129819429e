#!/usr/bin/env python3
"""Make deterministic train/dev splits of the labelled sets in ../shared/datasets.

Each set is deduplicated (texts seen with both labels dropped), then split 80/20 by a SHA-256
of the text, so a text lands on one side only. Output: OUT/<set>.train.tsv and
OUT/<set>.dev.tsv as `label<TAB>text` (1 unwanted, 0 innocent). The data is not shipped: run
this beside the shared folder.

Usage: python3 scripts/make_splits.py [SHARED_DIR] [OUT_DIR]
"""
import hashlib, os, sys

shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared")
out = sys.argv[2] if len(sys.argv) > 2 else "splits"
os.makedirs(out, exist_ok=True)
d = os.path.join(shared, "datasets")

def tsv(path, label_col=0, text_col=1, header=False):
    rows = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if header and i == 0:
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) <= max(label_col, text_col):
                continue
            label = {"1": 1, "0": 0, "spam": 1, "ham": 0}.get(parts[label_col].strip())
            text = parts[text_col].strip()
            if label is not None and text:
                rows.append((label, text))
    return rows

def lines(path, label):
    with open(path, encoding="utf-8") as f:
        return [(label, l.strip().replace(" ", "")) for l in f if l.strip()]

sets = {
    "game_chat": tsv(os.path.join(d, "zh_game_chat_ads", "train.txt"), header=True),
    "sms_zh": tsv(os.path.join(d, "zh_sms_mudou", "mudou_spam.train")),
    "msglog_zh": lines(os.path.join(d, "zh_tensorlayer_msglog", "msgspam.log.seg"), 1)
    + lines(os.path.join(d, "zh_tensorlayer_msglog", "msgpass.log.seg"), 0),
    "sms_en": tsv(os.path.join(d, "en_sms_uci", "SMSSpamCollection")),
}

for name, rows in sets.items():
    labels = {}
    for label, text in rows:
        labels.setdefault(text, set()).add(label)
    unique = sorted((next(iter(ls)), t) for t, ls in labels.items() if len(ls) == 1)
    split = {"train": [], "dev": []}
    for label, text in unique:
        bucket = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little") % 100
        split["dev" if bucket < 20 else "train"].append((label, text))
    for side, items in split.items():
        with open(os.path.join(out, f"{name}.{side}.tsv"), "w", encoding="utf-8") as f:
            for label, text in items:
                f.write(f"{label}\t{text}\n")
        print(f"{name}.{side}: {len(items)} rows, {sum(l for l, _ in items)} unwanted")
