#!/usr/bin/env bash
# Shared settings of the Kubernetes lab: where it lives, its addresses, and how to run a command inside it.
# shellcheck disable=SC2034  # the variables are used by the scripts that source this file
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cluster_dir="$repo_root/scripts/cluster"

# The lab's working folder: wiped at every start and at teardown (stale etcd state would come back).
# It must not lie under /run, /var/lib or /var/log: the lab mounts its own tmpfs over those.
: "${VIDP_LAB_DIR:=$repo_root/.vidp/lab}"
LAB=$VIDP_LAB_DIR
# Every lab gets its own cgroup subtree (named after its folder), so two checkouts' labs never meet.
LAB_ID="vidp-lab-$(printf '%s' "$LAB" | sha256sum | cut -c1-8)"

# containerd's image store outlives the lab (one per lab folder, since one containerd may use it at a
# time): importing VidP's ~1 GB images takes minutes, so an unchanged image is not imported again.
# Containers left in it by the previous run are removed before kubelet starts (node.sh).
CONTAINERD_ROOT="$VIDP_LAB_CACHE/containerd/$LAB_ID"

NODE_NAME=vidp-lab
NODE_IP=10.99.0.1          # on the bridge node0, inside the lab's network namespace only
NODE_CIDR=10.99.0.0/24
POD_CIDR=10.244.0.0/24
POD_GATEWAY=10.244.0.1
SERVICE_CIDR=10.0.0.0/24
KUBERNETES_SERVICE_IP=10.0.0.1
DNS_SERVICE_IP=10.0.0.10
CLUSTER_DOMAIN=cluster.local
APISERVER_PORT=6443
# Local images (no registry): imported into the lab's containerd, used with imagePullPolicy Never.
PAUSE_IMAGE=vidp.local/pause:3.10
DAPRD_IMAGE=vidp.local/daprd:$DAPR_VERSION
INGRESS_SOCKET="$LAB/ingress.sock"   # the Ingress (port 80 on the node) as a Unix socket outside the namespace

lab_pid() {
  # PID (in the machine's view) of the lab namespace's init process, if the lab runs.
  local pid
  pid=$(cat "$LAB/run/init.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Runs a command inside the lab's network, mount and PID namespaces.
in_lab() {
  local pid
  pid=$(lab_pid) || { log "the lab is not running (start it with: bash scripts/cluster/lab.sh up)"; return 1; }
  nsenter -t "$pid" -n -m -p -- "$@"
}

lab_kubectl() {
  in_lab env KUBECACHEDIR="$LAB/kubecache" "$K8S_BIN/kubectl" --kubeconfig "$LAB/pki/admin.kubeconfig" "$@"
}
