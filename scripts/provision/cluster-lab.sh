#!/usr/bin/env bash
# Builds what the Kubernetes lab (scripts/cluster/) runs besides Kubernetes itself, cached by version:
#   $VIDP_LAB_CACHE/bin/             kube-router (node agent), coredns, metrics-server, traefik,
#                                     dapr sentry/operator/injector, pause (all static)
#   $VIDP_LAB_CACHE/images/            scratch images of those (docker-archive tars) and of the
#                                     project's own daprd build (scripts/provision/daprd.sh)
# Prints the cluster-lab folder on stdout. Cold: ~10-15 min on 2 cores; cached: a second, offline.
source "$(dirname "$0")/../lib/common.sh"
here=$(cd "$(dirname "$0")" && pwd)

root="$VIDP_LAB_CACHE"
bin="$root/bin"
images="$root/images"
mkdir -p "$bin" "$images"
command -v go >/dev/null || { log "Go is required to build the Kubernetes lab"; exit 1; }

# Debian parts of the node: containerd + runc, CNI plugins, iptables/ipset (kube-proxy, kube-router),
# socat (the Ingress as a Unix socket), openssl (certificates), buildah (images), debootstrap (base image).
ensure_apt containerd containerd runc runc containernetworking-plugins /usr/lib/cni/bridge \
  iptables iptables ipset ipset conntrack conntrack socat socat openssl openssl curl curl \
  buildah buildah debootstrap debootstrap

mod_dir() { go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'; }

# build <name> <version> <function>: runs the function (which writes $out/<name>) once per version.
# The functions run as `bash -e` steps of their own: any failing command fails the build.
build() {
  local name=$1 version=$2 fn=$3
  local final="$root/$name-$version"
  if [ ! -x "$final/$name" ]; then
    log "building $name v$version for the Kubernetes lab (first run only)"
    rm -rf "$final.tmp" && mkdir -p "$final.tmp"
    with_heartbeat "building $name" env out="$final.tmp" bash -euo pipefail -c "$(declare -f mod_dir "$fn"); $fn" ||
      { log "building $name v$version failed"; exit 1; }
    [ -x "$final.tmp/$name" ] || { log "building $name v$version made no $name"; exit 1; }
    rm -rf "$final" && mv "$final.tmp" "$final"
  fi
  ln -sfn "$final/$name" "$bin/$name"
}

recipe_kube_router() {
  env GOBIN="$out" CGO_ENABLED=0 nice -n 10 go install -trimpath -ldflags "-s -w" \
    "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@v$KUBE_ROUTER_VERSION"
}
recipe_coredns() {
  env GOBIN="$out" CGO_ENABLED=0 nice -n 10 go install -trimpath -ldflags "-s -w" \
    "github.com/coredns/coredns@v$COREDNS_VERSION"
}
recipe_metrics_server() {
  env GOBIN="$out" CGO_ENABLED=0 nice -n 10 go install -trimpath -ldflags "-s -w" \
    "sigs.k8s.io/metrics-server/cmd/metrics-server@v$METRICS_SERVER_VERSION"
}

recipe_traefik() {
  local src="$out/src"
  mkdir -p "$src"
  cp -r "$(mod_dir "github.com/traefik/traefik/v3@v$TRAEFIK_VERSION")/." "$src/"
  chmod -R u+w "$src"
  cd "$src"
  # 1. go.mod replaces github.com/traefik/traefik/dynamic/ext with ./pkg/config/dynamic/ext, a nested
  #    module the zip leaves out. In open-source Traefik it only holds empty extension points embedded
  #    in the dynamic configuration, so an empty module of that shape satisfies the replace.
  mkdir -p pkg/config/dynamic/ext
  printf 'module github.com/traefik/traefik/dynamic/ext\n\ngo 1.24\n' >pkg/config/dynamic/ext/go.mod
  cat >pkg/config/dynamic/ext/ext.go <<'EOF'
// Package ext holds the extension points of Traefik's dynamic configuration (none in this build).
package ext

// HTTP is embedded in dynamic.HTTPConfiguration.
type HTTP struct{}

// Router is embedded in dynamic.Router.
type Router struct{}
EOF
  # 2. Some modules it needs are refused by the module proxy here: the SDKs of 13 of lego's 200+ ACME
  #    DNS-challenge providers, and the pinned commit of Traefik's fork of go-http-auth. The lab never
  #    asks Let's Encrypt for certificates, so lego's DNS-provider factory becomes a stub (which also
  #    spares compiling every provider); basic/digest auth use the fork's earlier commit, which is served.
  local lego_version lego
  lego_version=$(sed -n 's#^\tgithub.com/go-acme/lego/v5 \(v[^ ]*\)$#\1#p' go.mod)
  [ -n "$lego_version" ] || { echo "lego/v5 not found in Traefik's go.mod" >&2; exit 1; }
  lego="$src/third_party/lego"
  mkdir -p "$lego"
  cp -r "$(mod_dir "github.com/go-acme/lego/v5@$lego_version")/." "$lego/"
  chmod -R u+w "$lego"
  [ -f "$lego/providers/dns/zz_gen_dns_providers.go" ] || { echo "lego's DNS provider factory moved" >&2; exit 1; }
  cat >"$lego/providers/dns/zz_gen_dns_providers.go" <<'EOF'
// Package dns: in this build (VidP's Kubernetes lab) no ACME DNS-challenge provider is compiled in.
package dns

import (
	"fmt"

	"github.com/go-acme/lego/v5/challenge"
)

// NewDNSChallengeProviderByName always fails: DNS challenges are not available in this build.
func NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {
	return nil, fmt.Errorf("ACME DNS challenge provider %q is not built into this Traefik", name)
}
EOF
  go mod edit -replace "github.com/go-acme/lego/v5=./third_party/lego" \
    -replace "github.com/abbot/go-http-auth=github.com/containous/go-http-auth@v0.4.1-0.20200324110947-a37a7636d23e"
  env CGO_ENABLED=0 nice -n 10 go build -mod=mod -trimpath \
    -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" \
    -o "$out/traefik" ./cmd/traefik
  cd "$out" && rm -rf "$src"
}

recipe_dapr_control_plane() {
  # The same dapr module and version as daprd (scripts/provision/daprd.sh), built without component
  # tags. Its replace lines name other modules (no local paths), so it builds where Go unpacked it.
  local mod
  mod=$(mod_dir "github.com/dapr/dapr@v$DAPR_VERSION")
  cd "$mod"
  env CGO_ENABLED=0 nice -n 10 go build -trimpath \
    -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION -X github.com/dapr/kit/logger.DaprVersion=$DAPR_VERSION" \
    -o "$out/" ./cmd/sentry ./cmd/operator ./cmd/injector
  # The dapr module's CRDs, applied by the lab (kept here: no network needed).
  cp -r charts/dapr/crds "$out/crds"
  chmod -R u+w "$out/crds"
  mv "$out/injector" "$out/dapr-injector"
}

recipe_pause() {
  # The pod sandbox process, compiled from the kubernetes module's own source.
  local k8s
  k8s=$(mod_dir "k8s.io/kubernetes@v$KUBERNETES_VERSION")
  gcc -Os -static -DVERSION="v$PAUSE_VERSION-vidp" -o "$out/pause" "$k8s/build/pause/linux/pause.c"
  strip "$out/pause"
}

build kube-router "$KUBE_ROUTER_VERSION" recipe_kube_router
build coredns "$COREDNS_VERSION" recipe_coredns
build metrics-server "$METRICS_SERVER_VERSION" recipe_metrics_server
build traefik "$TRAEFIK_VERSION" recipe_traefik
build dapr-injector "$DAPR_VERSION" recipe_dapr_control_plane
for b in sentry operator; do ln -sfn "$root/dapr-injector-$DAPR_VERSION/$b" "$bin/dapr-$b"; done
ln -sfn "$root/dapr-injector-$DAPR_VERSION/crds" "$root/dapr-crds"
build pause "$PAUSE_VERSION" recipe_pause

# daprd is the project's own build (component set and stream chunk size of scripts/provision/daprd.sh).
bash "$here/daprd.sh"

# image <tar name> <ref> <binary> <path in image> <config JSON>: rebuilt when the binary is newer.
image() {
  local tar="$images/$1.tar" ref=$2 binary=$3 path=$4 config=$5
  [ "$tar" -nt "$binary" ] && return 0
  local rootfs
  rootfs=$(mktemp -d)
  chmod 755 "$rootfs" # the image's / (mktemp makes it private)
  mkdir -p "$rootfs/$(dirname "$path")" "$rootfs/tmp"
  chmod 1777 "$rootfs/tmp"
  cp "$(readlink -f "$binary")" "$rootfs$path"
  bash "$here/../cluster/mkimage.sh" "$tar" "$ref" "$config" "$rootfs"
  rm -rf "$rootfs"
}
nonroot='"User":"65532:65532","Env":["PATH=/"]'
image pause "vidp.local/pause:$PAUSE_VERSION" "$bin/pause" /pause '{"Entrypoint":["/pause"],"User":"65535:65535"}'
# The Dapr injector sets only args (no command): daprd must be /daprd and the image's CMD.
image daprd "vidp.local/daprd:$DAPR_VERSION" "$VIDP_CACHE/bin/daprd" /daprd "{\"Cmd\":[\"/daprd\"],$nonroot}"
image coredns "vidp.local/coredns:$COREDNS_VERSION" "$bin/coredns" /coredns "{\"Entrypoint\":[\"/coredns\"],$nonroot}"
image metrics-server "vidp.local/metrics-server:$METRICS_SERVER_VERSION" "$bin/metrics-server" /metrics-server "{\"Entrypoint\":[\"/metrics-server\"],$nonroot}"
image traefik "vidp.local/traefik:$TRAEFIK_VERSION" "$bin/traefik" /traefik "{\"Entrypoint\":[\"/traefik\"],$nonroot}"
for b in sentry operator injector; do
  image "dapr-$b" "vidp.local/dapr-$b:$DAPR_VERSION" "$bin/dapr-$b" "/$b" "{\"Entrypoint\":[\"/$b\"],$nonroot}"
done
echo "$root"
