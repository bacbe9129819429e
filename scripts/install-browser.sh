#!/usr/bin/env bash
# Install what the console's browser tests need: Debian's Chromium and ChromeDriver (same
# version), and a CJK font so screenshots show Chinese text. Does nothing if they are there.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then
    exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-wqy-zenhei fontconfig >/dev/null
