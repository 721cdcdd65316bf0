#!/usr/bin/env bash
# Shared by the image scripts: buildah with its own storage in the VidP cache (so nothing here
# touches another tool's containers), chroot isolation and the vfs driver, which run without a
# daemon or extra kernel features (K8S-LAB.md).
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

: "${IMAGE_OUT:=$VIDP_CACHE/images}"
: "${BUILDAH_STORAGE_DRIVER:=vfs}"
export IMAGE_OUT
buildah_() {
  buildah --root "$IMAGE_OUT/storage" --runroot "$IMAGE_OUT/run" --storage-driver "$BUILDAH_STORAGE_DRIVER" "$@"
}
need_root() {
  [ "$(id -u)" -eq 0 ] || { log "building images with buildah needs root here (chroot isolation)"; exit 1; }
}
