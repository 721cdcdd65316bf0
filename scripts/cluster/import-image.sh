#!/usr/bin/env bash
# Imports image tars (docker-archive or OCI) into the lab's containerd, inside the lab's namespaces,
# unless the same tar (path, size, time) was imported before and its images are still there.
# Usage (inside the lab): import-image.sh TAR [TAR...]
# An image named vidp/<app>:<tag> is also tagged vidp.local/<app>:<tag> (the lab overlay's names).
source "$(dirname "$0")/lib.sh"
ctr_() { ctr -a /run/containerd/containerd.sock -n k8s.io "$@"; }
stamps="$CONTAINERD_ROOT/imported"
mkdir -p "$stamps"
for tar in "$@"; do
  [ -f "$tar" ] || { log "lab: no image file $tar"; exit 1; }
  key=$(printf '%s %s' "$(realpath "$tar")" "$(stat -c '%s %Y' "$tar")" | sha256sum | cut -c1-32)
  if [ -f "$stamps/$key" ]; then
    have=$(ctr_ images ls -q)
    missing=0
    while read -r ref; do grep -qxF "$ref" <<<"$have" || missing=1; done <"$stamps/$key"
    [ $missing = 0 ] && continue
  fi
  out=$(ctr_ images import "$tar" 2>&1) || { log "lab: could not import $tar: $out"; exit 1; }
  refs=$(sed -n 's/^unpacking \([^ ]*\) (.*/\1/p' <<<"$out")
  for ref in $refs; do
    case "$ref" in
      docker.io/vidp/*) local_ref="vidp.local/${ref#docker.io/vidp/}" ;;
      localhost/vidp/*) local_ref="vidp.local/${ref#localhost/vidp/}" ;;
      *) continue ;;
    esac
    ctr_ images tag --force "$ref" "$local_ref" >/dev/null
    refs+=$'\n'"$local_ref"
  done
  printf '%s\n' $refs >"$stamps/$key"
done
