#!/usr/bin/env bash
# The base the app Dockerfiles build FROM where no image registry is reachable: the equivalent of
# node:<version>-bookworm-slim, made locally from a Debian bookworm root filesystem (debootstrap,
# minbase) and this machine's Node 20 (node and npm under /usr/local, as in the official image).
# It trusts the certificate authorities this machine adds to Debian's (/usr/local/share/
# ca-certificates), as the machine's own npm, pip and apt do: a network that intercepts TLS
# needs them inside the build too. Cached by Node version and those authorities; prints the
# docker-archive tar's path (for --build-arg BASE=docker-archive:...).
source "$(dirname "$0")/common.sh"

node_version=$(node --version)
case "$node_version" in
  v20.*) ;;
  *) log "Node 20 is needed to make the base image (found $node_version)"; exit 1 ;;
esac
extra_cas=(/usr/local/share/ca-certificates/*.crt)
[ -e "${extra_cas[0]}" ] || extra_cas=()
ca_id=$(cat "${extra_cas[@]}" /dev/null | sha256sum | cut -c1-8)
tar_out="$IMAGE_OUT/base/node-${node_version#v}-bookworm-ca$ca_id.tar"
if [ -s "$tar_out" ]; then
  echo "$tar_out"
  exit 0
fi
need_root
command -v debootstrap >/dev/null || ensure_apt debootstrap debootstrap
command -v buildah >/dev/null || ensure_apt buildah buildah
log "making the base image: Debian bookworm (debootstrap) + Node ${node_version#v} (first run only, ~2 min)"
work=$(mktemp -d "$VIDP_CACHE/base-image.XXXXXX")
trap 'rm -rf "$work"; buildah_cleanup' EXIT
rootfs="$work/rootfs"
with_heartbeat "bootstrapping Debian bookworm" debootstrap --variant=minbase --include=ca-certificates \
  bookworm "$rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }
cat >"$rootfs/etc/apt/sources.list" <<'LIST'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
LIST
node_bin=$(readlink -f "$(command -v node)")
npm_dir="$(npm root -g)/npm"
[ -d "$npm_dir" ] || { log "npm not found next to node ($npm_dir)"; exit 1; }
mkdir -p "$rootfs/usr/local/bin" "$rootfs/usr/local/lib/node_modules"
cp "$node_bin" "$rootfs/usr/local/bin/node"
cp -r "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
node_env=""
if [ ${#extra_cas[@]} -gt 0 ]; then
  cp "${extra_cas[@]}" "$rootfs/usr/local/share/ca-certificates/"
  chroot "$rootfs" update-ca-certificates >/dev/null
  # Node reads its own CA list unless told to add the system's.
  node_env="ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt"
fi
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*
chroot "$rootfs" /usr/local/bin/node --version >/dev/null || { log "Node does not run in the new root filesystem"; exit 1; }
tar -C "$rootfs" -cf "$work/rootfs.tar" .
cat >"$work/Containerfile" <<FILE
FROM scratch
ADD rootfs.tar /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
$node_env
CMD ["node"]
FILE
name="localhost/vidp-base:node-${node_version#v}-bookworm-ca$ca_id"
buildah_ bud --isolation chroot -f "$work/Containerfile" -t "$name" "$work" >"$work/build.log" 2>&1 ||
  { tail -20 "$work/build.log" >&2; exit 1; }
mkdir -p "$(dirname "$tar_out")"
buildah_ push "$name" "docker-archive:$tar_out.tmp:$name" >/dev/null
mv "$tar_out.tmp" "$tar_out"
log "base image ready: $tar_out"
echo "$tar_out"
