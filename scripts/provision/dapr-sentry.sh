#!/usr/bin/env bash
# Dapr's sentry (the mTLS certificate authority of a Kubernetes install), built from the same
# github.com/dapr/dapr module as daprd, cached by version: the observability test runs it in
# standalone mode so the certificate alerts query metrics that really exist. Prints its path.
source "$(dirname "$0")/../lib/common.sh"

out="$VIDP_CACHE/dapr/sentry-$DAPR_VERSION/sentry"
if [ -x "$out" ]; then
  echo "$out"
  exit 0
fi
command -v go >/dev/null || { log "Go is required to build Dapr sentry"; exit 1; }
log "building Dapr sentry v$DAPR_VERSION (first run only, a few minutes)"
mod_dir=$(go mod download -json "github.com/dapr/dapr@v$DAPR_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$mod_dir" ] || { log "could not download github.com/dapr/dapr@v$DAPR_VERSION"; exit 1; }
mkdir -p "$(dirname "$out")"
# The module's replace lines point at other modules (no local paths): it builds in place.
(cd "$mod_dir" && with_heartbeat "building Dapr sentry" env CGO_ENABLED=0 nice -n 10 go build -trimpath \
  -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION -X github.com/dapr/kit/logger.DaprVersion=$DAPR_VERSION" \
  -o "$out.tmp" ./cmd/sentry)
mv "$out.tmp" "$out"
log "Dapr sentry $DAPR_VERSION ready: $out"
echo "$out"
