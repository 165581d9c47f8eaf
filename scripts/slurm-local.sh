#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the integration tests and for trying
# `optlab slurm` without a real cluster.
#
#   scripts/slurm-local.sh start    install slurm-wlm and munge when missing, write the
#                                   configuration, start munged, slurmctld and slurmd
#   scripts/slurm-local.sh status   the daemons, and the node as sinfo sees it
#   scripts/slurm-local.sh stop     end exactly the daemons 'start' started (pid files)
#   scripts/slurm-local.sh env      the line that points Slurm's commands at this cluster
#
# Everything lives under $OPTLAB_SLURM_DIR (default /tmp/optlab-slurm): the configuration,
# the controller's state, slurmd's spool, logs and pid files. Nothing under /etc changes.
# Slurm's commands find the cluster through SLURM_CONF; after 'start' run
#   eval "$(scripts/slurm-local.sh env)"
# The daemons run as root (SlurmUser=root), so this script must too.
set -euo pipefail

dir=${OPTLAB_SLURM_DIR:-/tmp/optlab-slurm}
conf=$dir/slurm.conf
ctld_port=${OPTLAB_SLURM_PORT:-6817}
slurmd_port=$((ctld_port + 1))
munge_socket=/run/munge/munge.socket.2

say() { echo "slurm-local: $*"; }
die() { echo "slurm-local: $*" >&2; exit 1; }

# The pid recorded in $1 if that process is still alive.
live_pid() {
  [ -f "$1" ] || return 1
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

munge_works() { munge -n -S "$munge_socket" 2>/dev/null | unmunge -S "$munge_socket" >/dev/null 2>&1; }

install_packages() {
  local missing=()
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

write_config() {
  local host node
  host=$(hostname -s)
  # slurmd -C prints this machine's node line (CPUs, sockets, cores, threads, memory).
  node=$(slurmd -C | head -n 1)
  case $node in NodeName=*) ;; *) die "slurmd -C printed no node line: $node" ;; esac
  cat >"$conf" <<EOF
# One-node cluster written by scripts/slurm-local.sh; state and logs under $dir.
ClusterName=optlab-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
# Jobs leave the controller's memory 5 minutes after they end (scontrol show job).
MinJobAge=300
# scancel: SIGTERM, then SIGKILL 5 s later.
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  # slurmd -C names the node after `hostname -s`; slurmd finds itself by the same name.
}

start_munge() {
  if munge_works && ! live_pid "$dir/run/munged.pid" >/dev/null; then
    say "munged already runs on this machine; using it"
    return
  fi
  live_pid "$dir/run/munged.pid" >/dev/null && return
  [ -f /etc/munge/munge.key ] || { mungekey --create --keyfile=/etc/munge/munge.key && chown munge:munge /etc/munge/munge.key; }
  # munged insists on owning its socket folder, and on private log and seed folders.
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 "$dir/munge"
  runuser -u munge -- munged --socket="$munge_socket" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
  for _ in $(seq 50); do munge_works && break; sleep 0.1; done
  munge_works || die "munged did not come up; see $dir/munge/munged.log"
  cp "$dir/munge/munged.pid" "$dir/run/munged.pid"
}

cmd_start() {
  [ "$(id -u)" -eq 0 ] || die "the daemons run as root: run this script as root"
  install_packages
  mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/run"
  if live_pid "$dir/run/slurmctld.pid" >/dev/null || live_pid "$dir/run/slurmd.pid" >/dev/null; then
    say "already running"; cmd_status; return
  fi
  write_config
  start_munge
  # -c: a clean start; jobs of an earlier cluster in this folder are gone with it.
  slurmctld -f "$conf" -c
  slurmd -f "$conf"
  export SLURM_CONF=$conf
  local state=""
  for _ in $(seq 60); do
    state=$(sinfo -h -N -o '%t' 2>/dev/null | head -n 1 || true)
    case $state in idle|mix|alloc) break ;; esac
    sleep 0.5
  done
  case $state in
    idle|mix|alloc) say "node $(hostname -s) is $state; $(cmd_env)" ;;
    *) die "the node did not become idle within 30 s (state '${state:-none}'); see $dir/log/" ;;
  esac
}

cmd_stop() {
  local any=0
  for name in slurmd slurmctld munged; do
    local pid
    if pid=$(live_pid "$dir/run/$name.pid"); then
      kill "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      say "stopped $name ($pid)"
      any=1
    fi
    rm -f "$dir/run/$name.pid"
  done
  [ $any -eq 1 ] || say "nothing was running"
}

cmd_status() {
  local down=0
  for name in munged slurmctld slurmd; do
    local pid
    if pid=$(live_pid "$dir/run/$name.pid"); then say "$name running ($pid)"
    elif [ $name = munged ] && munge_works; then say "munged: using one this script did not start"
    else say "$name not running"; down=1
    fi
  done
  if [ $down -eq 0 ]; then SLURM_CONF=$conf sinfo -N; fi
  return $down
}

cmd_env() { echo "export SLURM_CONF=$conf"; }

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
