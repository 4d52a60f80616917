#!/usr/bin/env bash
# Install Debian's SLURM and MUNGE when absent (for the SLURM integration test).
# Idempotent: does nothing when slurmctld, slurmd, sbatch and munged are all on PATH.
# Needs root and apt-get; otherwise it says why and exits 0, and the test then skips.
set -euo pipefail

have_all() {
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null &&
    command -v sbatch >/dev/null && command -v munged >/dev/null
}

if have_all; then
  echo "slurm-wlm and munge already installed"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "not root: cannot install slurm-wlm and munge (the SLURM integration test will be skipped)"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "no apt-get: cannot install slurm-wlm and munge (the SLURM integration test will be skipped)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends slurm-wlm munge
have_all && echo "installed slurm-wlm and munge"
