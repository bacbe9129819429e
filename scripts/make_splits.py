#!/usr/bin/env python3
"""Make deterministic train/dev splits of the labelled sets in ../shared/datasets.

Each set is deduplicated (texts seen with both labels dropped), then split 80/20 by a SHA-256
of the text, so a text lands on one side only. Output: OUT/<set>.train.tsv and
OUT/<set>.dev.tsv as `label<TAB>text` (1 unwanted, 0 innocent). The data is not shipped: run
this beside the shared folder.

Usage: python3 scripts/make_splits.py [SHARED_DIR] [OUT_DIR]
"""
import csv, hashlib, os, sys

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

def unmask(tokens):
    """The message log masks digits as runs of `x` (a phone is `xxxxxxxxxxx`), in 63% of its
    unwanted lines and 5% of its innocent ones, so a model would learn "x means spam". Each
    masked token becomes digits drawn from a hash of the line, so numbers look like numbers."""
    stream = hashlib.sha256(" ".join(tokens).encode("utf-8")).hexdigest()
    out, i = [], 0
    for t in tokens:
        if t and set(t) == {"x"}:
            digits = ""
            for _ in t:
                digits += str(int(stream[i % len(stream)], 16) % 10)
                i += 1
            out.append(digits)
        else:
            out.append(t)
    return out

def lines(path, label):
    # Segmented text: tokens joined without spaces, except between two Latin words.
    rows = []
    with open(path, encoding="utf-8") as f:
        for l in f:
            tokens = unmask(l.split())
            text = ""
            for t in tokens:
                if text and text[-1].isascii() and text[-1].isalnum() and t[:1].isascii() and t[:1].isalnum():
                    text += " "
                text += t
            if text:
                rows.append((label, text))
    return rows

def fraud(folder):
    rows = []
    for name in ["label01-last.csv", "label02-last.csv", "label03-last.csv", "label04-last.utf8.csv"]:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            for record in csv.reader(f):
                if record and record[0].strip() and record[0] != "content":
                    rows.append((1, " ".join(record[0].split())))
    return rows

def youtube(folder):
    rows = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".csv"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                for record in csv.DictReader(f):
                    text = " ".join(record["CONTENT"].split())
                    if text:
                        rows.append((int(record["CLASS"]), text))
    return rows

sets = {
    "game_chat": tsv(os.path.join(d, "zh_game_chat_ads", "train.txt"), header=True),
    "sms_zh": tsv(os.path.join(d, "zh_sms_mudou", "mudou_spam.train")),
    "msglog_zh": lines(os.path.join(d, "zh_tensorlayer_msglog", "msgspam.log.seg"), 1)
    + lines(os.path.join(d, "zh_tensorlayer_msglog", "msgpass.log.seg"), 0),
    "sms_en": tsv(os.path.join(d, "en_sms_uci", "SMSSpamCollection")),
    "youtube_en": youtube(os.path.join(d, "en_youtube_spam")),
    # Research use only (GPL-3.0 plus a non-commercial clause): the four fraud classes, for the
    # recall of fraud scripts; never trained on, never shipped. Its "normal" class is largely
    # carrier marketing, so it is left out.
    "fraud_zh": fraud(os.path.join(d, "zh_telecom_fraud_5")),
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
