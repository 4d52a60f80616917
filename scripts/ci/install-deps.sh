#!/usr/bin/env bash
# Debian packages the test suite uses, installed only where absent (CI runs as root on a fresh machine).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v ps >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq procps
  else
    echo "install-deps: ps is missing and we are not root; the ps collector tests will say so" >&2
  fi
fi
# the real single-node SLURM of the integration test (skipped with its reason where it cannot run)
"$here/../slurm/install-deps.sh"
