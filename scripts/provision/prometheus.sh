#!/usr/bin/env bash
# A real Prometheus (server + promtool) built from the Go module proxy, cached by version, for the
# test that scrapes the local stack and runs every dashboard and alert query. Only the static, file
# and HTTP service discovery are compiled in (`remove_all_sd`), and no web UI assets: the HTTP API
# is all the test uses. Prints the directory holding both binaries on stdout.
source "$(dirname "$0")/../lib/common.sh"

: "${PROMETHEUS_VERSION:=3.16.0}"
# Prometheus 3.x tags its Go module v0.<major><minor>.<patch>: 3.16.0 is v0.316.0.
major=${PROMETHEUS_VERSION%%.*} rest=${PROMETHEUS_VERSION#*.}
minor=${rest%%.*} patch=${rest#*.}
module_version="v0.$major$(printf '%02d' "$minor").$patch"

out="$VIDP_CACHE/prometheus/$PROMETHEUS_VERSION"
if [ -x "$out/prometheus" ] && [ -x "$out/promtool" ] && "$out/prometheus" --version >/dev/null 2>&1; then
  echo "$out"
  exit 0
fi
command -v go >/dev/null || { log "Go is required to build Prometheus"; exit 1; }
log "building Prometheus $PROMETHEUS_VERSION (first run only, a few minutes on 2 cores)"
mod_dir=$(go mod download -json "github.com/prometheus/prometheus@$module_version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$mod_dir" ] || { log "could not download github.com/prometheus/prometheus@$module_version"; exit 1; }
# The module dir is read-only, and its go.work names folders the zip does not hold.
src="$VIDP_CACHE/prometheus/src-$PROMETHEUS_VERSION"
rm -rf "$src" && mkdir -p "$src" "$out"
cp -r "$mod_dir/." "$src/" && chmod -R u+w "$src"
rm -f "$src/go.work" "$src/go.work.sum"
(
  cd "$src"
  v=github.com/prometheus/common/version
  with_heartbeat "building Prometheus" env CGO_ENABLED=0 nice -n 10 go build -trimpath -tags remove_all_sd \
    -ldflags "-s -w -X $v.Version=$PROMETHEUS_VERSION -X $v.Branch=release -X $v.Revision=module-$module_version" \
    -o "$out/" ./cmd/prometheus ./cmd/promtool
)
rm -rf "$src"
"$out/prometheus" --version >/dev/null 2>&1 || { log "the Prometheus build in $out does not run"; exit 1; }
log "Prometheus $PROMETHEUS_VERSION ready in $out"
echo "$out"
