#!/usr/bin/env bash
# Install what the console's browser tests need (tests/console/ drives the console in a
# real browser with Playwright): Debian's Chromium where missing (as root on a Debian
# machine). Playwright itself comes with the test extra (pyproject.toml); it never
# downloads a browser: the tests launch /usr/bin/chromium.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "prepare-browser: /usr/bin/chromium is missing, and installing it needs root" >&2
  exit 1
fi
echo "prepare-browser: installing chromium" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
