#!/usr/bin/env bash
# The lab node: runs as PID 1 of the lab's own PID, network and mount namespaces (started by lab.sh up).
# It makes the node's private network and folders, starts the control plane and node processes as
# its children, writes run/ready, and then stays until it is killed. Killing it kills every process
# of the lab (the kernel ends a PID namespace with its init), containers included.
source "$(dirname "$0")/lib.sh"
: "${K8S_BIN:?}" "${LAB_BIN:?}"
export KUBECACHEDIR="$LAB/kubecache"
export PATH="$K8S_BIN:$LAB_BIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
cd "$LAB"

# --- private folders: whatever a component writes to these stays inside the lab and vanishes with it.
mount --make-rprivate /
for d in /run /var/lib /var/log; do mount -t tmpfs -o mode=755 "lab-$(basename "$d")" "$d"; done
mkdir -p "$LAB/log" "$LAB/run"

# --- private network: a bridge carries the node IP; a route makes Service IPs reachable from the node.
ip link set lo up
ip link add node0 type bridge
ip addr add "$NODE_IP/24" dev node0
ip link set node0 up
ip route add "$SERVICE_CIDR" dev node0
echo 1 >/proc/sys/net/ipv4/ip_forward # this namespace's own setting
# Pod-to-Service traffic that stays on the pod bridge must pass iptables (kube-proxy, NetworkPolicy).
# In this namespace it is on by default; the lab never writes it (on older kernels it is machine-wide).
[ "$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)" = 1 ] ||
  { log "net.bridge.bridge-nf-call-iptables is not 1 in the lab namespace"; exit 1; }

# --- this lab's cgroup subtree in every v1 hierarchy (kubelet wants its cgroupRoot to exist).
for h in /sys/fs/cgroup/*/; do
  [ -e "$h/cgroup.procs" ] || continue
  mkdir -p "$h$LAB_ID"
  if [ -e "$h/cpuset.cpus" ]; then
    cat "$h/cpuset.cpus" >"$h$LAB_ID/cpuset.cpus"
    cat "$h/cpuset.mems" >"$h$LAB_ID/cpuset.mems"
  fi
done

start() { # name command...: a background child whose output goes to log/<name>.log
  local name=$1; shift
  "$@" >"$LAB/log/$name.log" 2>&1 &
  echo $! >"$LAB/run/$name.pid"
}

wait_for() { # what seconds command...: polls until the command succeeds
  local what=$1 secs=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || { log "lab: $what not ready after ${secs}s"; return 1; }
    sleep 0.3
  done
}

pki=$LAB/pki
api_get() { curl -sf --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "https://$NODE_IP:$APISERVER_PORT$1"; }

start etcd etcd --name lab --data-dir "$LAB/etcd" \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster lab=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381 \
  --unsafe-no-fsync --log-level warn
wait_for etcd 60 curl -sf http://127.0.0.1:2381/health

start kube-apiserver kube-apiserver \
  --etcd-servers=http://127.0.0.1:2379 \
  --bind-address=0.0.0.0 --advertise-address="$NODE_IP" --secure-port="$APISERVER_PORT" \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
  --client-ca-file="$pki/ca.crt" \
  --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" \
  --kubelet-client-key="$pki/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$pki/ca.crt" \
  --kubelet-preferred-address-types=InternalIP \
  --service-account-issuer="https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
  --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
  --authorization-mode=Node,RBAC --allow-privileged=true \
  --enable-admission-plugins=NodeRestriction \
  --requestheader-client-ca-file="$pki/front-proxy-ca.crt" \
  --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$pki/front-proxy-client.crt" --proxy-client-key-file="$pki/front-proxy-client.key" \
  --enable-aggregator-routing=true \
  --profiling=false
wait_for kube-apiserver 180 api_get /readyz

start kube-controller-manager kube-controller-manager \
  --kubeconfig="$pki/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$pki/controller-manager.kubeconfig" \
  --authorization-kubeconfig="$pki/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false \
  --use-service-account-credentials=true \
  --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
  --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
  --allocate-node-cidrs=true --cluster-cidr="$POD_CIDR" --node-cidr-mask-size=24 \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --horizontal-pod-autoscaler-sync-period=5s \
  --profiling=false
start kube-scheduler kube-scheduler \
  --kubeconfig="$pki/scheduler.kubeconfig" \
  --authentication-kubeconfig="$pki/scheduler.kubeconfig" \
  --authorization-kubeconfig="$pki/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false --profiling=false

ctr_() { ctr -a /run/containerd/containerd.sock -n k8s.io "$@"; }
start containerd containerd --config "$LAB/etc/containerd.toml"
wait_for containerd 60 ctr_ version
# The image store is kept between labs (lib.sh); the previous lab's containers are not. Removing
# them, then restarting containerd, gives kubelet a runtime with images only.
left=$(ctr_ containers ls -q)
if [ -n "$left" ]; then
  xargs ctr -a /run/containerd/containerd.sock -n k8s.io containers rm <<<"$left" >/dev/null 2>&1 || true
  kill "$(cat "$LAB/run/containerd.pid")"
  wait "$(cat "$LAB/run/containerd.pid")" || true
  start containerd containerd --config "$LAB/etc/containerd.toml"
  wait_for containerd 60 ctr_ version
fi
# The lab's own images (pause, daprd, add-ons), one tar per line.
# shellcheck disable=SC2046
bash "$cluster_dir/import-image.sh" $(cat "$LAB/etc/system-images.list") >>"$LAB/log/images.log" 2>&1 ||
  { log "lab: could not import the lab's images (log/images.log)"; exit 1; }

start kubelet kubelet --config="$LAB/etc/kubelet.yaml" \
  --kubeconfig="$pki/kubelet.kubeconfig" --root-dir="$LAB/kubelet" \
  --hostname-override="$NODE_NAME" --node-ip="$NODE_IP"
wait_for "node $NODE_NAME" 120 api_get "/api/v1/nodes/$NODE_NAME"

kubectl --kubeconfig "$pki/admin.kubeconfig" apply -f "$cluster_dir/addons/node-agents.yaml" >>"$LAB/log/addons.log"
start kube-proxy kube-proxy --config="$LAB/etc/kube-proxy.yaml"
# kube-router reads the Node object at start, so it comes after kubelet registered it.
start kube-router kube-router --kubeconfig="$pki/kube-router.kubeconfig" \
  --hostname-override="$NODE_NAME" \
  --run-firewall=true --run-router=false --run-service-proxy=false \
  --metrics-port=0 --health-port=20244

# The Ingress (node port 80) for clients outside the namespace, through a Unix socket in the lab folder.
start ingress-relay socat "UNIX-LISTEN:$INGRESS_SOCKET,fork,unlink-early,mode=600" "TCP:$NODE_IP:80"

echo ready >"$LAB/run/ready"
# PID 1 of the namespace: reap whatever ends, until the lab is torn down.
while :; do wait || true; sleep 5; done
