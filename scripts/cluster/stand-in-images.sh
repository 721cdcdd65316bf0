#!/usr/bin/env bash
# Images for the parts of k8s/base whose public images no registry here serves, made from what the
# machine already has (rebuilt only when an input is newer than the tar). Each is the program, the
# shared libraries it links (from this Debian release) and, where the manifests run a shell
# command (probes, entrypoints), Debian's static busybox as sh/grep/printf:
#   vidp.local/ferretdb:<v>    FerretDB (SQLite): the MongoDB-wire stand-in for the catalog
#   vidp.local/redis:7-debian  Debian's redis-server and redis-cli
#   vidp.local/zipkin:<v>      the Zipkin exec jar (Maven Central) on the machine's Debian JRE 17
# Prints the tars, one per line.
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
images="$VIDP_LAB_CACHE/images"
mkdir -p "$images"
ensure_apt busybox-static busybox

stale() { # tar inputs...: true when the tar is missing or older than an input
  local tar=$1; shift
  [ -f "$tar" ] || return 0
  local f
  for f in "$@"; do [ "$f" -nt "$tar" ] && return 0; done
  return 1
}

with_libs() { # layer file...: the files' shared libraries (and the loader) into the layer
  local layer=$1 lib; shift
  for lib in $(ldd "$@" 2>/dev/null | awk '$3 ~ /^\// {print $3} $1 ~ /^\// && $1 !~ /:$/ {print $1}' | sort -u); do
    case "$lib" in "$layer"/*) continue ;; esac # the program's own libraries, already in the layer
    mkdir -p "$layer$(dirname "$lib")"
    cp -L "$lib" "$layer$lib"
  done
}

with_busybox() { # layer: /bin/sh and the few tools the manifests' commands use
  local layer=$1 tool
  mkdir -p "$layer/bin"
  cp /usr/bin/busybox "$layer/bin/busybox"
  for tool in sh grep printf cat; do ln -sf busybox "$layer/bin/$tool"; done
}

new_layer() {
  local layer
  layer=$(mktemp -d)
  chmod 755 "$layer" # the image's / (mktemp makes it private)
  mkdir -p "$layer/tmp" "$layer/etc"
  chmod 1777 "$layer/tmp"
  echo "$layer"
}
env_path='"PATH=/usr/local/bin:/usr/bin:/bin"'

ferretdb=$(readlink -f "$VIDP_CACHE/bin/ferretdb")
tar="$images/ferretdb.tar"
if stale "$tar" "$ferretdb"; then
  layer=$(new_layer)
  mkdir -p "$layer/data" && chown 65532:65532 "$layer/data"
  cp "$ferretdb" "$layer/ferretdb"
  bash "$here/mkimage.sh" "$tar" "vidp.local/ferretdb:$FERRETDB_VERSION" \
    '{"Entrypoint":["/ferretdb"],"User":"65532:65532","Env":["PATH=/"],"ExposedPorts":{"27017/tcp":{}}}' "$layer"
  rm -rf "$layer"
fi
echo "$tar"

tar="$images/redis.tar"
if stale "$tar" /usr/bin/redis-server /usr/bin/busybox; then
  layer=$(new_layer)
  mkdir -p "$layer/usr/bin" "$layer/data"
  cp -L /usr/bin/redis-server /usr/bin/redis-cli "$layer/usr/bin/"
  with_libs "$layer" /usr/bin/redis-server /usr/bin/redis-cli
  with_busybox "$layer"
  # The public image's redis user owns /data.
  chown 999:999 "$layer/data"
  bash "$here/mkimage.sh" "$tar" "vidp.local/redis:7-debian" \
    "{\"Cmd\":[\"redis-server\"],\"Env\":[$env_path],\"WorkingDir\":\"/data\"}" "$layer"
  rm -rf "$layer"
fi
echo "$tar"

jar="$VIDP_CACHE/zipkin/zipkin-server-$ZIPKIN_VERSION-exec.jar"
jre=/usr/lib/jvm/java-17-openjdk-amd64
tar="$images/zipkin.tar"
[ -s "$jar" ] || bash "$repo_root/scripts/provision/zipkin.sh" >&2
[ -x "$jre/bin/java" ] || { log "Zipkin's image needs Debian's openjdk-17-jre-headless"; exit 1; }
if stale "$tar" "$jar" "$jre/bin/java" /usr/bin/busybox; then
  layer=$(new_layer)
  mkdir -p "$layer/usr/lib/jvm" "$layer/zipkin"
  cp -a "$jre" "$layer/usr/lib/jvm/"
  # A headless server: no JDK modules, sources or GUI libraries (and so none of the X libraries).
  rm -rf "$layer$jre"/{jmods,man,demo,include,lib/src.zip,lib/ct.sym} \
    "$layer$jre"/lib/{libawt_xawt.so,libsplashscreen.so,libjawt.so}
  # The JRE's conf and security folders are links into /etc.
  [ -d /etc/java-17-openjdk ] && cp -a /etc/java-17-openjdk "$layer/etc/"
  with_libs "$layer" $(find "$layer$jre" -type f \( -name '*.so' -o -perm -u+x \))
  with_busybox "$layer"
  cp "$jar" "$layer/zipkin/zipkin.jar"
  bash "$here/mkimage.sh" "$tar" "vidp.local/zipkin:$ZIPKIN_VERSION" \
    "{\"Entrypoint\":[\"sh\",\"-c\",\"exec $jre/bin/java \$JAVA_OPTS -jar /zipkin/zipkin.jar\"],\"User\":\"1000:1000\",\"Env\":[$env_path],\"WorkingDir\":\"/zipkin\",\"ExposedPorts\":{\"9411/tcp\":{}}}" \
    "$layer"
  rm -rf "$layer"
fi
echo "$tar"
