#!/usr/bin/env bash
# Check that `terraform` and an offline filesystem mirror of hashicorp/aws are present for
# tests/terraform, and write a CLI config using that mirror (no registry is reachable).
# Under CI a missing piece is a failure with the reason; elsewhere a warning (the tests
# then skip with the same reason).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  if [ "${CI:-}" = "true" ]; then
    echo "prepare-terraform: FAILED: $1" >&2
    exit 1
  fi
  echo "prepare-terraform: warning: $1 (tests/terraform will skip)" >&2
  exit 0
}

command -v terraform >/dev/null || fail "no terraform on PATH"
mirror=${ECSD_TF_MIRROR:-/opt/tf-plugins}
[ -d "$mirror/registry.terraform.io/hashicorp/aws" ] ||
  fail "no hashicorp/aws provider mirror at $mirror (set ECSD_TF_MIRROR)"

mkdir -p .terraform-cache/plugins
cat > .terraform-cache/cli.tfrc <<CFG
provider_installation {
  filesystem_mirror {
    path = "$mirror"
  }
}
plugin_cache_dir = "$PWD/.terraform-cache/plugins"
CFG
echo "prepare-terraform: $(terraform version | head -1), mirror $mirror" >&2
