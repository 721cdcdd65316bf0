#!/usr/bin/env bash
# The Zipkin server (an executable jar from Maven Central) for local traces; needs Java 17+.
# Optional: without Java, VidP runs untraced and says so.
source "$(dirname "$0")/../lib/common.sh"

jar="$VIDP_CACHE/zipkin/zipkin-server-$ZIPKIN_VERSION-exec.jar"
if [ -s "$jar" ]; then
  ln -sf "$jar" "$VIDP_CACHE/bin/zipkin-server.jar"
  exit 0
fi
if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
  log "Java or Maven missing: skipping Zipkin (traces will not be collected locally)"
  exit 0
fi
log "fetching Zipkin $ZIPKIN_VERSION (first run only)"
mkdir -p "$(dirname "$jar")"
with_heartbeat "fetching Zipkin" mvn -q -B -Dstyle.color=never dependency:copy \
  "-Dartifact=io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec" "-DoutputDirectory=$(dirname "$jar")"
ln -sf "$jar" "$VIDP_CACHE/bin/zipkin-server.jar"
log "Zipkin $ZIPKIN_VERSION ready"
