#!/usr/bin/env bash
# Install what the JavaScript SDK tests need (tests/server/test_fidelity_js.py runs small
# node scripts with @aws-sdk/client-ecs against a real `ecsd serve`, so that a
# serialisation bug botocore would mirror cannot hide): Node.js and npm where missing
# (as root on a Debian machine), then `npm ci` in tests/js from its committed lock file.
#
# Idempotent and cheap when done: `npm ci` is skipped while node_modules is newer than
# the lock file.
set -euo pipefail
cd "$(dirname "$0")/../tests/js"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "prepare-js: node and npm are missing, and installing them needs root" >&2
    exit 1
  fi
  echo "prepare-js: installing nodejs npm" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nodejs npm >/dev/null
fi

# npm writes node_modules/.package-lock.json on every install: newer than the lock file
# means the lock file has not changed since.
if [ node_modules/.package-lock.json -nt package-lock.json ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
