#!/usr/bin/env bash
# A real single-node Kubernetes for VidP, inside its own network, mount and PID namespaces.
#
#   lab.sh start          up + deploy: VidP running in the lab, and how to reach it
#   lab.sh up             build what is missing (cached), start the lab, install its add-ons
#   lab.sh deploy         build VidP's images, load them, `kubectl apply -k k8s/overlays/lab`, wait
#                         until every pod is Ready with its daprd sidecar
#   lab.sh down           stop it: no process, mount, cgroup or file of the lab is left (its image
#                         store stays in $VIDP_LAB_CACHE/containerd, for the next start)
#   lab.sh purge          down, and remove that image store too
#   lab.sh kubectl ...    kubectl against the lab
#   lab.sh load TAR...    import image tars (docker-archive or OCI) into the lab's containerd
#   lab.sh forward [PORT] serve the lab's Ingress on 127.0.0.1:PORT of this machine too (until down)
#   lab.sh status         whether it runs, and its nodes and pods
#
# Nothing outside the namespaces changes: the node's network (bridge, routes, iptables, sysctls such
# as ip_forward) exists only inside them, /run, /var/lib and /var/log are private tmpfs there, and
# every cgroup lives under one subtree named after the lab folder. The Ingress is reachable from the
# machine through a Unix socket ($VIDP_LAB_DIR/ingress.sock).
source "$(dirname "$0")/lib.sh"

K8S_BIN="$VIDP_CACHE/kubernetes/$KUBERNETES_VERSION/bin"
LAB_ROOT="$VIDP_LAB_CACHE"
LAB_BIN="$LAB_ROOT/bin"
export K8S_BIN LAB_BIN

need_root() {
  [ "$(id -u)" -eq 0 ] || { log "the Kubernetes lab needs root (namespaces, cgroups, containers): run it as root"; exit 1; }
}

# The cgroup folders of this lab, deepest first.
lab_cgroups() { find /sys/fs/cgroup -mindepth 2 -depth -type d -path "*/$LAB_ID*" 2>/dev/null || true; }

down() {
  local pid unshare_pid
  if pid=$(lab_pid); then
    unshare_pid=$(cat "$LAB/run/unshare.pid" 2>/dev/null || true)
    # Killing the PID namespace's init makes the kernel kill everything inside, containers included.
    kill -KILL "$pid" 2>/dev/null || true
    local end=$((SECONDS + 60))
    while kill -0 "$pid" 2>/dev/null || { [ -n "$unshare_pid" ] && kill -0 "$unshare_pid" 2>/dev/null; }; do
      [ $SECONDS -lt $end ] || { log "lab: its processes did not end within 60 s"; break; }
      sleep 0.2
    done
  fi
  if [ -f "$LAB/run/forward.pid" ]; then
    kill "$(cat "$LAB/run/forward.pid")" 2>/dev/null || true
  fi
  # Empty cgroups stay until removed; a cgroup whose last process is still exiting refuses for a moment.
  local end=$((SECONDS + 30)) left
  while left=$(lab_cgroups) && [ -n "$left" ]; do
    while read -r d; do rmdir "$d" 2>/dev/null || true; done <<<"$left"
    [ -z "$(lab_cgroups)" ] && break
    [ $SECONDS -lt $end ] || { log "lab: cgroups left: $(lab_cgroups | tr '\n' ' ')"; return 1; }
    sleep 0.5
  done
  if grep -q " $LAB" /proc/self/mountinfo; then
    log "lab: mounts left under $LAB"; return 1
  fi
  rm -rf "$LAB"
}

render() { # manifest file: fills in the lab's ${VARS} (only these; other $ signs stay)
  CA_BUNDLE=$(base64 -w0 "$LAB/pki/ca.crt") NODE_IP=$NODE_IP CLUSTER_DOMAIN=$CLUSTER_DOMAIN \
    DNS_SERVICE_IP=$DNS_SERVICE_IP DAPRD_IMAGE=$DAPRD_IMAGE \
    envsubst '${CA_BUNDLE} ${NODE_IP} ${CLUSTER_DOMAIN} ${DNS_SERVICE_IP} ${DAPRD_IMAGE} ${DAPR_VERSION} ${COREDNS_VERSION} ${METRICS_SERVER_VERSION} ${TRAEFIK_VERSION}' <"$1"
}

addons() {
  local a="$cluster_dir/addons"
  lab_kubectl -n kube-system create secret tls metrics-server-tls \
    --cert "$LAB/pki/metrics-server.crt" --key "$LAB/pki/metrics-server.key" >/dev/null
  { render "$a/coredns.yaml"; echo ---; render "$a/metrics-server.yaml"; echo ---; render "$a/ingress.yaml"; } |
    lab_kubectl apply -f - >>"$LAB/log/addons.log"
  # Storage: no provisioner on one node, so a few local volumes for the StatefulSets' claims
  # (folders in the lab folder, open to the pods' non-root users; gone at teardown).
  local n
  for n in 1 2 3 4 5 6; do
    mkdir -p "$LAB/volumes/pv$n" && chmod 1777 "$LAB/volumes/pv$n"
    printf -- '---\napiVersion: v1\nkind: PersistentVolume\nmetadata: {name: lab-pv%s, labels: {vidp-lab: volume}}\nspec:\n  capacity: {storage: 10Gi}\n  accessModes: [ReadWriteOnce]\n  persistentVolumeReclaimPolicy: Retain\n  hostPath: {path: %s, type: Directory}\n' \
      "$n" "$LAB/volumes/pv$n"
  done | lab_kubectl apply -f - >>"$LAB/log/addons.log"
  lab_kubectl apply --server-side -f "$LAB_ROOT/dapr-crds/" >>"$LAB/log/addons.log"
  lab_kubectl wait --for condition=established --timeout=60s crd --all >/dev/null
  render "$a/dapr-control-plane.yaml" | lab_kubectl apply -f - >>"$LAB/log/addons.log"
  local ns
  for ns in kube-system ingress-nginx dapr-system; do
    lab_kubectl -n "$ns" rollout status deployment --timeout=240s >>"$LAB/log/addons.log" ||
      { lab_kubectl -n "$ns" get pods -o wide >&2; return 1; }
  done
  # The injector puts its CA into the webhook once sentry signed its certificate.
  local end=$((SECONDS + 60))
  until [ -n "$(lab_kubectl get mutatingwebhookconfiguration dapr-sidecar-injector -o jsonpath='{.webhooks[0].clientConfig.caBundle}')" ]; do
    [ $SECONDS -lt $end ] || { log "lab: the Dapr injector never registered its certificate"; return 1; }
    sleep 1
  done
  # The metrics API answers once metrics-server scraped the kubelet once.
  end=$((SECONDS + 90))
  until lab_kubectl get --raw /apis/metrics.k8s.io/v1beta1/nodes >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || { log "lab: metrics.k8s.io never answered"; return 1; }
    sleep 2
  done
}

up() {
  need_root
  local started=$SECONDS
  bash "$repo_root/scripts/provision/kubernetes.sh" >/dev/null
  bash "$repo_root/scripts/provision/cluster-lab.sh" >/dev/null
  down 2>/dev/null || true
  mkdir -p "$LAB/run" "$LAB/log"
  bash "$cluster_dir/certs.sh" "$LAB/pki"
  bash "$cluster_dir/configs.sh"
  local i
  for i in pause daprd coredns metrics-server traefik dapr-sentry dapr-operator dapr-injector; do
    echo "$LAB_ROOT/images/$i.tar"
  done >"$LAB/etc/system-images.list"

  log "lab: starting the node (namespaces, etcd, control plane, containerd, kubelet)"
  setsid unshare --net --mount --pid --fork --mount-proc --propagation private \
    bash "$cluster_dir/node.sh" </dev/null >"$LAB/log/node.log" 2>&1 &
  local unshare_pid=$!
  echo "$unshare_pid" >"$LAB/run/unshare.pid"
  local end=$((SECONDS + 10)) init=""
  until init=$(cat "/proc/$unshare_pid/task/$unshare_pid/children" 2>/dev/null) && [ -n "$init" ]; do
    [ $SECONDS -lt $end ] || { log "lab: the namespace did not start"; cat "$LAB/log/node.log" >&2; return 1; }
    sleep 0.05
  done
  echo "${init%% *}" >"$LAB/run/init.pid"
  end=$((SECONDS + 400))
  until [ -f "$LAB/run/ready" ]; do
    if ! kill -0 "$unshare_pid" 2>/dev/null || [ $SECONDS -ge $end ]; then
      log "lab: the node did not come up; its log:"; tail -n 30 "$LAB/log/node.log" >&2
      return 1
    fi
    sleep 0.5
  done
  lab_kubectl wait --for condition=Ready --timeout=120s "node/$NODE_NAME" >/dev/null
  log "lab: node ready after $((SECONDS - started)) s; installing DNS, metrics-server, the Ingress controller, Dapr"
  addons
  log "lab: up after $((SECONDS - started)) s (logs in $LAB/log)"
}

# The apps' images (scripts/images/build.sh, from their Dockerfiles) and the stand-ins' images,
# imported under the local names k8s/overlays/lab uses (vidp.local/<app>:<tag>).
load_vidp_images() {
  [ -f "$repo_root/scripts/images/build.sh" ] || { log "lab: scripts/images/build.sh (the image builds) is missing"; return 1; }
  bash "$repo_root/scripts/images/build.sh" >&2
  local tars=() tar ref
  for tar in "${IMAGE_OUT:-$VIDP_CACHE/images}"/*-[0-9]*.tar; do
    ref=$(tar -xOf "$tar" manifest.json | sed -n 's/.*"RepoTags":\["\([^"]*\)".*/\1/p')
    case "$ref" in vidp/* | docker.io/vidp/* | localhost/vidp/*) tars+=("$tar") ;; esac
  done
  # shellcheck disable=SC2046
  in_lab bash "$cluster_dir/import-image.sh" "${tars[@]}" $(bash "$cluster_dir/stand-in-images.sh")
}

deploy() {
  need_root
  lab_pid >/dev/null || { log "the lab is not running (bash scripts/cluster/lab.sh up)"; return 1; }
  local started=$SECONDS
  log "lab: building and loading VidP's images"
  load_vidp_images
  # Secrets come from git-ignored env files, made once with random values.
  bash "$repo_root/scripts/k8s/make-secrets.sh" >/dev/null 2>&1
  log "lab: kubectl apply -k k8s/overlays/lab"
  lab_kubectl apply -k "$repo_root/k8s/overlays/lab" >>"$LAB/log/vidp-apply.log"
  log "lab: waiting for every VidP pod to be Ready (with its daprd sidecar)"
  local kind
  for kind in statefulset deployment; do
    lab_kubectl -n vidp rollout status "$kind" --timeout=900s >>"$LAB/log/vidp-apply.log" ||
      { lab_kubectl -n vidp get pods -o wide >&2; return 1; }
  done
  lab_kubectl -n vidp wait --for=condition=Ready pod --all --timeout=300s >/dev/null
  log "lab: VidP deployed after $((SECONDS - started)) s"
}

reach() {
  # The API key is not printed (terminals get logged): the command reads it from the Secret's env file.
  local key='$(cut -d= -f2- k8s/base/secrets/api-key.env)'
  cat <<EOF

VidP runs in the Kubernetes lab. Its Ingress (Traefik, class nginx) listens on the lab node's port 80,
which this machine reaches through the Unix socket $INGRESS_SOCKET:
  front end:  curl --unix-socket $INGRESS_SOCKET http://vidp.local/
  API:        curl --unix-socket $INGRESS_SOCKET -H "X-API-Key: $key" http://api.vidp.local/api/videos
  upload:     curl --unix-socket $INGRESS_SOCKET -H "X-API-Key: $key" -F file=@clip.mp4 http://api.vidp.local/api/videos
In a browser: bash scripts/cluster/lab.sh forward 8080   (the Ingress on 127.0.0.1:8080 of this machine), then
  chromium --host-resolver-rules='MAP vidp.local 127.0.0.1:8080, MAP api.vidp.local 127.0.0.1:8080' http://vidp.local/
The front end's sign-in password is in k8s/base/secrets/web-password.env.
kubectl: bash scripts/cluster/lab.sh kubectl -n vidp get pods
Stop:    bash scripts/cluster/lab.sh down
EOF
}

forward() {
  local port=${1:-8080}
  [ -S "$INGRESS_SOCKET" ] || { log "the lab is not running"; exit 1; }
  setsid socat "TCP-LISTEN:$port,bind=127.0.0.1,fork,reuseaddr" "UNIX-CONNECT:$INGRESS_SOCKET" </dev/null >/dev/null 2>&1 &
  echo $! >"$LAB/run/forward.pid"
}

case "${1:-}" in
  start) need_root; trap 'rc=$?; [ $rc -eq 0 ] || { log "lab: start failed; tearing it down"; down || true; }' EXIT
    up; deploy; reach ;;
  deploy) deploy ;;
  up) need_root; trap 'rc=$?; [ $rc -eq 0 ] || { log "lab: start failed; tearing it down"; down || true; }' EXIT; up ;;
  down) need_root; down ;;
  purge) need_root; down; rm -rf "$CONTAINERD_ROOT" ;;
  kubectl) shift; lab_kubectl "$@" ;;
  load) shift; in_lab bash "$cluster_dir/import-image.sh" "$@" ;;
  forward) shift; forward "$@" ;;
  status) if lab_pid >/dev/null; then lab_kubectl get nodes,pods -A -o wide; else echo "the lab is not running"; exit 1; fi ;;
  *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
