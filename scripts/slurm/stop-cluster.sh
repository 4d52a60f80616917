#!/usr/bin/env bash
# Stop the daemons start-cluster.sh started under STATE_DIR, by the pids it recorded
# (SIGTERM, then SIGKILL after 10 s). Never matches processes by name.
set -u
if [ $# -ne 1 ]; then
  echo "usage: $0 STATE_DIR" >&2
  exit 2
fi
state=$(cd "$1" && pwd)
pids_dir=$state/pids
# End this cluster's jobs first, so no job step outlives it (15 s cap).
if [ -f "$state/etc/slurm.conf" ] && [ -f "$pids_dir/slurmctld.pid" ]; then
  export SLURM_CONF=$state/etc/slurm.conf
  if scancel --user="$(id -un)" 2>/dev/null; then
    for _ in $(seq 75); do [ -z "$(squeue -h -o %A 2>/dev/null)" ] && break; sleep 0.2; done
  fi
fi
# slurmd first (it ends its job steps), then slurmctld, then munged which both use.
for name in slurmd slurmctld munged; do
  f=$pids_dir/$name.pid
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  # Only a pid that is still a daemon started for this STATE_DIR (its command line
  # names it): a recycled pid is left alone.
  if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$state/"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
done
# Remove the now empty slurm_<node> cgroup directories it made (rmdir never removes
# a cgroup that still holds a process), unless another SLURM on this host still uses them.
if [ -f "$state/node" ] && ! pgrep -x 'slurmd|slurmstepd' >/dev/null 2>&1; then
  node=$(cat "$state/node")
  for top in "${CGROUP_ROOT:-/sys/fs/cgroup}"/*/"slurm_$node"; do
    [ -d "$top" ] && find "$top" -depth -type d -exec rmdir {} + 2>/dev/null
  done
fi
exit 0
