#!/usr/bin/env python3
"""The common baseline beside menshen's score: TF-IDF of character 1-3-grams with logistic
regression (scikit-learn), under the same protocol as `menshen train`:

- train on TRAIN (deduplicated; texts seen with both labels dropped);
- hold back the texts whose salted SHA-256 (b"menshen-held:" + text) falls in the first 10 of
  100 buckets, and choose the lowest threshold reaching precision >= 0.97 on them;
- report precision, recall, F1 and ROC AUC on DEV at that threshold.

Usage: python3 scripts/baseline.py TRAIN.tsv DEV.tsv   (files as written by make_splits.py)
"""
import hashlib, sys
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

def read(path):
    labels = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            label, _, text = line.rstrip("\n").partition("\t")
            if label in ("0", "1") and text:
                labels.setdefault(text, set()).add(int(label))
    return [(t, next(iter(ls))) for t, ls in labels.items() if len(ls) == 1]

def held(text):
    digest = hashlib.sha256(b"menshen-held:" + text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little") % 100 < 10

def threshold_for_precision(scores, labels, target=0.97):
    pairs = sorted(zip(scores, labels), key=lambda p: -p[0])
    tp = fp = 0
    best = None
    i = 0
    while i < len(pairs):
        s = pairs[i][0]
        while i < len(pairs) and pairs[i][0] == s:
            tp += pairs[i][1]
            fp += 1 - pairs[i][1]
            i += 1
        if tp and tp / (tp + fp) >= target:
            best = s
    return best if best is not None else 0.99

train_rows, dev_rows = read(sys.argv[1]), read(sys.argv[2])
fit_rows = [r for r in train_rows if not held(r[0])]
hold_rows = [r for r in train_rows if held(r[0])]
vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
x_fit = vectorizer.fit_transform([t for t, _ in fit_rows])
model = LogisticRegression(max_iter=2000, C=10.0)
model.fit(x_fit, [l for _, l in fit_rows])
hold_scores = model.predict_proba(vectorizer.transform([t for t, _ in hold_rows]))[:, 1]
threshold = threshold_for_precision(list(hold_scores), [l for _, l in hold_rows])
dev_scores = model.predict_proba(vectorizer.transform([t for t, _ in dev_rows]))[:, 1]
labels = [l for _, l in dev_rows]
tp = sum(1 for s, l in zip(dev_scores, labels) if s >= threshold and l)
fp = sum(1 for s, l in zip(dev_scores, labels) if s >= threshold and not l)
fn = sum(1 for s, l in zip(dev_scores, labels) if s < threshold and l)
precision = tp / (tp + fp) if tp + fp else 1.0
recall = tp / (tp + fn) if tp + fn else 0.0
f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
print(f"threshold {threshold:.3f}: precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}  ROC AUC {roc_auc_score(labels, dev_scores):.4f}  FP {fp}")
