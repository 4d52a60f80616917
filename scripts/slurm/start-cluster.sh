#!/usr/bin/env bash
# Start a throw-away single-node SLURM (munged, slurmctld, slurmd) whose every file
# (config, keys, spool, state, logs, pid files) lives under STATE_DIR.
#
#   scripts/slurm/start-cluster.sh STATE_DIR
#   export SLURM_CONF=STATE_DIR/etc/slurm.conf   # then sbatch/squeue/sinfo talk to it
#   scripts/slurm/stop-cluster.sh STATE_DIR
#
# Job cgroups are cgroup v1 (CgroupPlugin=cgroup/v1, task/cgroup, proctrack/cgroup,
# ConstrainRAMSpace=yes), so a batch job runs in
# /sys/fs/cgroup/memory/slurm_<node>/uid_<uid>/job_<id>/step_batch/task_0.
# Daemons run in the foreground of their own background process, so their pids
# are known exactly: STATE_DIR/pids/{munged,slurmctld,slurmd}.pid.
# Ports: SLURMCTLD_PORT / SLURMD_PORT, else the first free pair from 16817.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 STATE_DIR" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
if ! why=$("$here/check-host.sh"); then
  echo "cannot start SLURM here: $why" >&2
  exit 3
fi

state=$(mkdir -p "$1" && cd "$1" && pwd)
etc=$state/etc
mkdir -p "$etc" "$state/munge" "$state/log" "$state/pids" "$state/ctld" "$state/spool"
chmod 700 "$state" "$state/munge"
# A start that fails half-way stops whatever it had started.
trap 'rc=$?; [ $rc -eq 0 ] || "$here/stop-cluster.sh" "$state"; exit $rc' EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ctld_port=${SLURMCTLD_PORT:-}
d_port=${SLURMD_PORT:-}
if [ -z "$ctld_port" ] || [ -z "$d_port" ]; then
  p=16817
  while ! port_free "$p" || ! port_free $((p + 1)); do p=$((p + 2)); done
  ctld_port=$p
  d_port=$((p + 1))
fi

first_job_id=${SLURM_FIRST_JOB_ID:-$((1000 + RANDOM * 16 + RANDOM % 16))}

# MUNGE: a fresh key and its own socket, so a system munged (if any) is never touched.
dd if=/dev/urandom bs=1 count=1024 of="$state/munge/munge.key" status=none
chmod 400 "$state/munge/munge.key"
socket=$state/munge/munge.socket
nohup munged --foreground --force --key-file="$state/munge/munge.key" --socket="$socket" \
  --pid-file="$state/munge/munged.pid" --seed-file="$state/munge/munged.seed" \
  --log-file="$state/log/munged.log" </dev/null >>"$state/log/munged.out" 2>&1 &
echo $! >"$state/pids/munged.pid"

# The node line as slurmd sees this machine (name, CPUs, sockets, RealMemory).
node_line=$(slurmd -C | head -n1)
node=$(sed -E 's/^NodeName=([^ ]+).*/\1/' <<<"$node_line")
echo "$node" >"$state/node"

cat >"$etc/slurm.conf" <<CONF
ClusterName=ducttest
# job ids (and so job_<id> cgroups) that another throw-away cluster on this host is unlikely to use
FirstJobId=$first_job_id
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
PlugStackConfig=$etc/plugstack.conf
ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
$node_line NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
cat >"$etc/cgroup.conf" <<CONF
CgroupPlugin=cgroup/v1
CgroupMountpoint=${CGROUP_ROOT:-/sys/fs/cgroup}
ConstrainCores=yes
ConstrainRAMSpace=yes
ConstrainSwapSpace=no
CONF
: >"$etc/plugstack.conf"
export SLURM_CONF=$etc/slurm.conf

for _ in $(seq 100); do [ -S "$socket" ] && break; sleep 0.1; done
if [ ! -S "$socket" ]; then
  echo "munged did not start; see $state/log/munged.log" >&2
  exit 1
fi

nohup slurmctld -D -i -f "$SLURM_CONF" </dev/null >>"$state/log/slurmctld.out" 2>&1 &
echo $! >"$state/pids/slurmctld.pid"
nohup slurmd -D -f "$SLURM_CONF" </dev/null >>"$state/log/slurmd.out" 2>&1 &
echo $! >"$state/pids/slurmd.pid"

# Ready when the node is idle (30 s cap).
for _ in $(seq 150); do
  st=$(sinfo -h -n "$node" -o %T 2>/dev/null || true)
  [ "$st" = idle ] && break
  sleep 0.2
done
if [ "$st" != idle ]; then
  echo "node $node did not become idle (state: ${st:-none}); see $state/log/" >&2
  exit 1
fi
echo "SLURM_CONF=$SLURM_CONF"
echo "node=$node"
