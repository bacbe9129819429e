#!/usr/bin/env bash
# Reproduce EVALUATION.md: menshen's score and the TF-IDF baseline on the same splits, and
# what the verdicts do with the dev splits in every scene, as shipped and with a model trained
# on each set's train split. Needs ../shared beside the checkout and scikit-learn
# (pip install scikit-learn).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/evaluation}
mkdir -p "$out"
python3 scripts/make_splits.py ../shared "$out/splits" > "$out/splits.txt"
cargo build --quiet --release -p menshen-cli
menshen=target/release/menshen
verdicts() { "$menshen" eval --verdicts "$@" | sed -n '/^verdicts/,$p'; }
for set in game_chat sms_zh msglog_zh sms_en youtube_en; do
  echo "== $set"
  $menshen train --data "$out/splits/$set.train.tsv" --out "$out/$set.model" 2> "$out/$set.train.log" > /dev/null
  echo -n "menshen  "; $menshen eval --model "$out/$set.model" --data "$out/splits/$set.dev.tsv" | sed -n 2p
  echo -n "baseline "; python3 scripts/baseline.py "$out/splits/$set.train.tsv" "$out/splits/$set.dev.tsv"
  echo "-- verdicts as shipped"; verdicts --data "$out/splits/$set.dev.tsv"
  echo "-- verdicts with the in-domain model"; verdicts --model "$out/$set.model" --data "$out/splits/$set.dev.tsv"
done
echo "== fraud scripts (recall only), as shipped"
verdicts --data "$out/splits/fraud_zh.dev.tsv"
echo "== out of domain: trained on Chinese SMS, tested on game chat"
echo -n "menshen  "; $menshen eval --model "$out/sms_zh.model" --data "$out/splits/game_chat.dev.tsv" | sed -n 2p
echo -n "baseline "; python3 scripts/baseline.py "$out/splits/sms_zh.train.tsv" "$out/splits/game_chat.dev.tsv"
