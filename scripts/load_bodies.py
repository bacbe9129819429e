"""Request bodies for the load test (scripts/load.sh), from ../shared/datasets.

Writes, into the folder given:
- check.jsonl: one /v1/check body per line (texts of 30-200 characters, scenes rotating,
  no sender: decisions only);
- check_senders.jsonl: the same with a sender among 1,000 accounts, and every 20th message
  a share code posted to moments, so that 5% of the checks are offences enforced through
  the ladder and written to the store (the datasets' texts alone rarely break the shipped
  profiles' rules: marketing SMS is not an offence there);
- batch.json: one /v1/check/batch body of 1,000 messages.
The same interleaving as the benchmark corpus (crates/detect/benches/corpus.rs).
"""
import json
import os
import sys

shared = os.environ.get("MENSHEN_SHARED", os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
out = sys.argv[1]


def texts(path, column, limit):
    found = []
    with open(os.path.join(shared, path), encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) > column and 30 <= len(parts[column]) <= 200:
                found.append(parts[column])
                if len(found) == limit:
                    break
    return found


sets = [
    texts("datasets/zh_game_chat_ads/train.txt", 1, 4000),
    texts("datasets/zh_sms_mudou/mudou_spam.train", 1, 4000),
    texts("datasets/en_sms_uci/SMSSpamCollection", 1, 2000),
]
corpus = [s[i] for i in range(max(map(len, sets))) for s in sets if i < len(s)]
scenes = ["direct", "group", "moment", "comment"]
SHARE = "复制这条信息€Zx9CvB8nM7k€，打开【手机淘宝】即可查看"
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "check.jsonl"), "w", encoding="utf-8") as plain, open(
    os.path.join(out, "check_senders.jsonl"), "w", encoding="utf-8"
) as senders:
    for i, text in enumerate(corpus):
        body = {"id": f"m{i}", "scene": scenes[i % 4], "text": text}
        plain.write(json.dumps(body, ensure_ascii=False) + "\n")
        body["sender"] = f"u{i % 1000}"
        if i % 20 == 0:
            body["scene"] = "moment"
            body["text"] = SHARE
        senders.write(json.dumps(body, ensure_ascii=False) + "\n")
with open(os.path.join(out, "batch.json"), "w", encoding="utf-8") as batch:
    messages = [{"id": f"m{i}", "scene": scenes[i % 4], "text": t} for i, t in enumerate(corpus[:1000])]
    json.dump({"messages": messages}, batch, ensure_ascii=False)
print(f"{len(corpus)} bodies in {out}")
