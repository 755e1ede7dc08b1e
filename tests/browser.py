"""How tests and benchmarks start a browser here: Debian's Chromium, never a downloaded
one, with the flags that keep it from reaching for Google's hosts (no network here)."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
