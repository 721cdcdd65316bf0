#!/usr/bin/env bash
# Builds a real Kubernetes control plane and node from the Go module proxy, cached by version:
#   $VIDP_CACHE/kubernetes/<KUBERNETES_VERSION>/bin/
#     kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl etcd
# Prints that bin directory on stdout (everything else goes to stderr), so callers can do
#   bin=$(bash scripts/provision/kubernetes.sh)
#
# The k8s.io/kubernetes module zip has no staging/ sources: its go.mod replaces every staging
# module with ./staging/src/..., so the build uses the published k8s.io/* v0.<minor>.<patch> modules
# instead. Version ldflags matter: without them kubectl cannot parse the server's v0.0.0-master.
# kubelet is patched at one line so it only warns about kernel settings it dislikes instead of
# rewriting machine-wide sysctls (vm.overcommit_memory, kernel.panic, ...) when it starts.
# Cold build ~10-15 min on 2 cores (peak RSS ~3 GB); cached runs take a second and need no network.
source "$(dirname "$0")/../lib/common.sh"


k8s_bins="kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl"
root="$VIDP_CACHE/kubernetes/$KUBERNETES_VERSION"
bin="$root/bin"
# Bump when the way the binaries are built changes, so stale caches get rebuilt.
recipe="k8s-$KUBERNETES_VERSION-kubelet-sysctl-warn-1 etcd-$ETCD_VERSION"

cached() {
  [ "$(cat "$root/recipe" 2>/dev/null)" = "$recipe" ] || return 1
  local b
  for b in $k8s_bins etcd; do [ -x "$bin/$b" ] || return 1; done
  "$bin/kubectl" version --client >/dev/null 2>&1 && "$bin/etcd" --version >/dev/null 2>&1
}
if cached; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { log "Go is required to build Kubernetes"; exit 1; }
mkdir -p "$bin"
rm -f "$root/recipe"

minor=${KUBERNETES_VERSION#*.}; minor=${minor%%.*}
staging_version="v0.${KUBERNETES_VERSION#*.}"

build_kubernetes() {
  log "building Kubernetes v$KUBERNETES_VERSION ($k8s_bins; first run only, ~10-15 min on 2 cores)"
  local mod_dir src
  mod_dir=$(go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -d "$mod_dir" ] || { log "could not download k8s.io/kubernetes@v$KUBERNETES_VERSION"; exit 1; }
  src="$root/src"
  rm -rf "$src" && mkdir -p "$src"
  cp -r "$mod_dir/." "$src/" && chmod -R u+w "$src"
  (
    cd "$src"
    rm -f go.work go.work.sum
    local edits=() m
    for m in $(sed -n 's#^\t\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' go.mod); do
      case "$m" in
        # Not served by the module proxy, and nothing we build imports them.
        k8s.io/sample-cli-plugin | k8s.io/sample-controller) edits+=("-dropreplace=$m" "-droprequire=$m") ;;
        *) edits+=("-dropreplace=$m" "-require=$m@$staging_version") ;;
      esac
    done
    [ ${#edits[@]} -gt 10 ] || { log "no staging replace lines found in k8s.io/kubernetes go.mod"; exit 1; }
    go mod edit "${edits[@]}"

    local cm=pkg/kubelet/cm/container_manager_linux.go
    grep -qx $'\tb := KernelTunableModify' "$cm" ||
      { log "kubelet's kernel-tunable switch not found in v$KUBERNETES_VERSION: update the sysctl patch"; exit 1; }
    sed -i 's/^\tb := KernelTunableModify$/\tb := KernelTunableWarn \/\/ VidP: never rewrite machine-wide sysctls/' "$cm"

    local v=k8s.io/component-base/version
    local ldflags="-s -w -X $v.gitVersion=v$KUBERNETES_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor
      -X $v.gitTreeState=clean -X k8s.io/client-go/pkg/version.gitVersion=v$KUBERNETES_VERSION"
    local pkgs=() b
    for b in $k8s_bins; do pkgs+=("./cmd/$b"); done
    mkdir -p out
    with_heartbeat "building Kubernetes" env CGO_ENABLED=0 nice -n 10 \
      go build -mod=mod -trimpath -ldflags "$ldflags" -o out/ "${pkgs[@]}"
    for b in $k8s_bins; do mv "out/$b" "$bin/$b"; done
  )
  rm -rf "$src"
}

build_etcd() {
  log "building etcd v$ETCD_VERSION (first run only, ~1 min)"
  local src="$root/etcd-src"
  rm -rf "$src" && mkdir -p "$src"
  (
    cd "$src"
    # A throwaway module whose only job is to pin etcd's server module (it holds etcd's main package).
    go mod init vidp.local/etcd >/dev/null 2>&1
    go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" >/dev/null 2>&1 ||
      { log "could not fetch go.etcd.io/etcd/server/v3@v$ETCD_VERSION"; exit 1; }
    with_heartbeat "building etcd" env CGO_ENABLED=0 nice -n 10 \
      go build -mod=mod -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3
  )
  rm -rf "$src"
}

have_k8s=1
for b in $k8s_bins; do [ -x "$bin/$b" ] || have_k8s=0; done
# A previous recipe may have built the same version differently: rebuild everything then.
[ "$(cat "$root/recipe.k8s" 2>/dev/null)" = "${recipe% *}" ] || have_k8s=0
if [ $have_k8s = 0 ]; then
  build_kubernetes
  echo "${recipe% *}" >"$root/recipe.k8s"
fi
if ! { [ -x "$bin/etcd" ] && "$bin/etcd" --version 2>/dev/null | grep -q "etcd Version: $ETCD_VERSION"; }; then
  build_etcd
fi
echo "$recipe" >"$root/recipe"
cached || { log "Kubernetes binaries in $bin do not run"; exit 1; }
log "Kubernetes v$KUBERNETES_VERSION and etcd v$ETCD_VERSION ready in $bin"
echo "$bin"
