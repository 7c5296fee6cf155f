#!/usr/bin/env bash
# A one-node SLURM on this machine, for the jobqueue integration tests (SLURMCluster).
#
# Idempotent: every step checks before it acts, so running it twice is harmless.
#   1. apt-get install slurm-wlm munge (only if `sbatch` or `munged` is missing)
#   2. a munge key in /etc/munge/munge.key (owner munge, mode 400), created once
#   3. /etc/slurm/slurm.conf for this host (rewritten only when its content changes)
#   4. munged (as user munge), slurmctld and slurmd, each started only if not running
#   5. wait (bounded) until `sinfo` shows the node idle
# Needs root (CI containers and this dev machine run as root). No systemd is assumed: the daemons
# are started directly, so the script works in containers.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  echo "setup-slurm: must run as root" >&2
  exit 1
fi

if ! command -v sbatch >/dev/null || ! command -v munged >/dev/null || ! command -v slurmd >/dev/null; then
  echo "setup-slurm: installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

# --- munge -------------------------------------------------------------------------------------
install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
install -d -o munge -g munge -m 0755 /run/munge
if [[ ! -s /etc/munge/munge.key ]]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if ! pgrep -u munge -x munged >/dev/null; then
  echo "setup-slurm: starting munged"
  runuser -u munge -- /usr/sbin/munged
fi

# --- slurm.conf --------------------------------------------------------------------------------
host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
# RealMemory must not exceed what slurmd detects, or the node is drained: keep a margin.
real_mb=$(( mem_mb * 9 / 10 ))
install -d -m 0755 /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
conf=$(cat <<EOF
# Written by .ci/setup-slurm.sh: a one-node cluster for the dask-ts jobqueue tests.
ClusterName=dask-ts
SlurmctldHost=${host}
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SwitchType=switch/none
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SchedulerType=sched/backfill
MinJobAge=30
KillWait=5
NodeName=${host} CPUs=${cpus} RealMemory=${real_mb} State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
EOF
)
changed=0
if [[ ! -f /etc/slurm/slurm.conf ]] || [[ "$(cat /etc/slurm/slurm.conf)" != "$conf" ]]; then
  printf '%s\n' "$conf" > /etc/slurm/slurm.conf
  chmod 0644 /etc/slurm/slurm.conf
  changed=1
fi

# --- daemons -----------------------------------------------------------------------------------
if [[ $changed -eq 1 ]]; then
  # A new configuration: restart whatever runs with the old one.
  for d in slurmd slurmctld; do
    if pid=$(pgrep -x "$d"); then kill $pid || true; fi
  done
  for _ in $(seq 1 50); do
    pgrep -x slurmd >/dev/null || pgrep -x slurmctld >/dev/null || break
    sleep 0.2
  done
fi
if ! pgrep -x slurmctld >/dev/null; then
  echo "setup-slurm: starting slurmctld"
  /usr/sbin/slurmctld
fi
if ! pgrep -x slurmd >/dev/null; then
  echo "setup-slurm: starting slurmd"
  /usr/sbin/slurmd
fi

# --- wait until the node is idle (bounded: 60 s) ------------------------------------------------
for _ in $(seq 1 120); do
  state=$(sinfo -h -N -n "$host" -o '%t' 2>/dev/null | head -n1 || true)
  case "$state" in
    idle|mix|alloc) echo "setup-slurm: node ${host} is ${state}"; exit 0 ;;
    drain*|down*) scontrol update NodeName="$host" State=RESUME 2>/dev/null || true ;;
  esac
  sleep 0.5
done
echo "setup-slurm: node ${host} did not become idle; sinfo says:" >&2
sinfo -N -l >&2 || true
tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
