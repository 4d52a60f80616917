#!/usr/bin/env bash
# Can this machine run a single-node SLURM with cgroup v1 job cgroups?
# Prints "ok", or one line saying why not, and exits 0 / 1 accordingly.
set -u
CG=${CGROUP_ROOT:-/sys/fs/cgroup}

why=""
if [ "$(id -u)" != 0 ]; then
  why="not root (uid $(id -u)): slurmd with cgroup v1 job cgroups needs root"
elif ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null; then
  why="slurm-wlm is not installed (run scripts/slurm/install-deps.sh)"
elif ! command -v munged >/dev/null; then
  why="munge is not installed (run scripts/slurm/install-deps.sh)"
elif ! grep -qE "^cgroup $CG/memory cgroup .*\bmemory\b" /proc/mounts; then
  why="no cgroup v1 memory controller mounted at $CG/memory (SLURM's cgroup/v1 plugin needs it)"
elif ! grep -qE "^cgroup $CG/freezer cgroup " /proc/mounts; then
  why="no cgroup v1 freezer controller mounted at $CG/freezer (proctrack/cgroup needs it)"
elif [ ! -w "$CG/memory" ]; then
  why="$CG/memory is not writable (read-only cgroup mount)"
fi
if [ -n "$why" ]; then
  echo "$why"
  exit 1
fi
echo ok
