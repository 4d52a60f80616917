#!/usr/bin/env bash
# Debian packages the test suite uses, installed only where absent (CI runs as root on a fresh machine).
set -euo pipefail
need=()
command -v ps >/dev/null || need+=(procps)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${need[@]}"
  else
    echo "install-deps: missing ${need[*]} and not root; the tests that need them will say so" >&2
  fi
fi
