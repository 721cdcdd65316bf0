#!/usr/bin/env bash
# Builds daprd from the Go module proxy, cached by version and component set.
# The dapr CLI is not served by the module proxy here, so scripts/launch.ts runs daprd itself.
#
# DAPR_COMPONENTS picks which components are compiled in:
#   vidp (default)  the ones VidP uses: Redis pub/sub, state (Redis, MongoDB, PostgreSQL, SQLite),
#                   local and Kubernetes secret stores, mDNS/Kubernetes name resolution, Redis lock
#                   and configuration, bearer and rate-limit middleware
#   stable          upstream's `stablecomponents` tag
#   all             upstream's `allcomponents` tag
# Measured idle RSS of daprd 1.18.1 here: all 181 MB, stable 101 MB, vidp 74 MB: every
# component's init() touches its code, so unused ones cost resident memory in every sidecar.
#
# DAPR_STREAM_CHUNK_KIB (default 64; upstream is 2) is the payload size of each gRPC message
# that carries a streamed service-invocation body between sidecars. With 2 KiB a 300 MB upload
# is 150,000 messages per hop; 64 KiB measured 139 -> ~220 MB/s through two sidecars here
# (bench/invoke-throughput). Set it to 2 for an unmodified daprd.
source "$(dirname "$0")/../lib/common.sh"

: "${DAPR_COMPONENTS:=vidp}"
: "${DAPR_STREAM_CHUNK_KIB:=64}"
[[ "$DAPR_STREAM_CHUNK_KIB" =~ ^[0-9]+$ ]] && [ "$DAPR_STREAM_CHUNK_KIB" -ge 2 ] && [ "$DAPR_STREAM_CHUNK_KIB" -le 1024 ] ||
  { log "DAPR_STREAM_CHUNK_KIB must be a whole number from 2 to 1024"; exit 1; }
case "$DAPR_COMPONENTS" in
  vidp) tag=vidpcomponents ;;
  stable) tag=stablecomponents ;;
  all) tag=allcomponents ;;
  *) log "DAPR_COMPONENTS must be vidp, stable or all (got '$DAPR_COMPONENTS')"; exit 1 ;;
esac
vidp_set="pubsub_redis state_redis state_mongodb state_postgres state_sqlite
  secretstores_local_file secretstores_local_env secretstores_kubernetes
  nameresolution_mdns nameresolution_kubernetes nameresolution_sqlite
  lock_redis configuration_redis middleware_http_ratelimit middleware_http_bearer"

out="$VIDP_CACHE/dapr/$DAPR_VERSION-$DAPR_COMPONENTS-chunk$DAPR_STREAM_CHUNK_KIB"
bin="$out/daprd"
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
  ln -sf "$bin" "$VIDP_CACHE/bin/daprd"
  exit 0
fi
command -v go >/dev/null || { log "Go is required to build daprd"; exit 1; }

log "building daprd v$DAPR_VERSION ($DAPR_COMPONENTS components; first run only, ~5-20 min on 2 cores)"
mod_dir=$(go mod download -json "github.com/dapr/dapr@v$DAPR_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$mod_dir" ] || { log "could not download github.com/dapr/dapr@v$DAPR_VERSION"; exit 1; }

# The module dir is read-only and its go.mod has replace lines: build from a writable copy.
src="$VIDP_CACHE/dapr/src-$DAPR_VERSION"
rm -rf "$src" && mkdir -p "$src"
cp -r "$mod_dir/." "$src/" && chmod -R u+w "$src"
if [ "$tag" = vidpcomponents ]; then
  # Add our tag to the build constraint of each chosen component, and to the
  # "no tag given" guard, which would otherwise panic at start.
  comp="$src/cmd/daprd/components"
  for c in $vidp_set; do
    [ -f "$comp/$c.go" ] || { log "component file $c.go not found in daprd $DAPR_VERSION"; exit 1; }
    sed -i '1s/^\(\/\/go:build .*\)$/\1 || vidpcomponents/' "$comp/$c.go"
  done
  sed -i '1s/^\(\/\/go:build .*\)$/\1 \&\& !vidpcomponents/' "$comp/zz_notag.go"
fi
if [ "$DAPR_STREAM_CHUNK_KIB" != 2 ]; then
  util="$src/pkg/messaging/v1/util.go"
  grep -q 'StreamBufferSize = 2 << 10' "$util" || { log "StreamBufferSize not found in daprd $DAPR_VERSION: leave DAPR_STREAM_CHUNK_KIB=2"; exit 1; }
  sed -i "s/StreamBufferSize = 2 << 10/StreamBufferSize = $DAPR_STREAM_CHUNK_KIB << 10/" "$util"
fi
mkdir -p "$out"
(
  cd "$src"
  with_heartbeat "building daprd" env CGO_ENABLED=0 go build -trimpath -tags "$tag" \
    -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION -X github.com/dapr/kit/logger.DaprVersion=$DAPR_VERSION" \
    -o "$bin.tmp" ./cmd/daprd
)
mv "$bin.tmp" "$bin"
rm -rf "$src"
ln -sf "$bin" "$VIDP_CACHE/bin/daprd"
log "daprd $("$bin" --version) ready ($DAPR_COMPONENTS components, ${DAPR_STREAM_CHUNK_KIB} KiB stream chunks)"
