"""flashtext over message events, with menshen's terms."""
import json
import sys

from flashtext import KeywordProcessor

processor = KeywordProcessor()
with open(sys.argv[1], encoding="utf-8") as f:
    processor.add_keywords_from_list([t for t in f.read().split("\n") if t])
out = sys.stdout
for line in sys.stdin:
    event = json.loads(line)
    out.write(json.dumps({"id": event["id"], "words": len(processor.extract_keywords(event["text"]))}) + "\n")
