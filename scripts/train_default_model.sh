#!/usr/bin/env bash
# Rebuild the shipped default model, assets/models/default.model, from the labelled sets whose
# licences allow it (see README, "Licences and data"): the Chinese message log of
# tensorlayer/text-antispam (MIT), the UCI SMS Spam Collection and the YouTube Spam
# Collection (CC BY 4.0). Only their train splits are used (scripts/make_splits.py), so the
# dev splits stay unseen for EVALUATION.md. Needs ../shared beside the checkout.
#
# The model's signal weight is held at 0.35 instead of learnt: held-back messages of its own
# domain show it nearly always right (a learnt weight near 1.5), but on chat and SMS unlike
# its data its word is worth little (EVALUATION.md), and the shipped model must serve every
# platform. An operator's model, trained on their own traffic, learns its weight. The bias is
# shifted for a base rate of 5% unwanted messages: the data is 41% unwanted, chat is not.
set -euo pipefail
cd "$(dirname "$0")/.."
splits=target/evaluation/splits
python3 scripts/make_splits.py ../shared "$splits" > /dev/null
cargo build --quiet --release -p menshen-cli
target/release/menshen train \
  --data "$splits/msglog_zh.train.tsv" \
  --data "$splits/sms_en.train.tsv" \
  --data "$splits/youtube_en.train.tsv" \
  --model-weight 0.35 --base-rate 0.05 \
  --out assets/models/default.model
