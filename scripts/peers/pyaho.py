"""pyahocorasick over message events, with menshen's terms (no folding)."""
import json
import sys

import ahocorasick

automaton = ahocorasick.Automaton()
with open(sys.argv[1], encoding="utf-8") as f:
    for term in f.read().split("\n"):
        if term:
            automaton.add_word(term, term)
automaton.make_automaton()
out = sys.stdout
for line in sys.stdin:
    event = json.loads(line)
    hits = sum(1 for _ in automaton.iter(event["text"]))
    out.write(json.dumps({"id": event["id"], "hits": hits}) + "\n")
