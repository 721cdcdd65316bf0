#!/usr/bin/env bash
# Shared by the image scripts: buildah with its own storage in the VidP cache (so nothing here
# touches another tool's containers) and chroot isolation, which runs without a daemon. Storage is
# the kernel's overlay (layers as differences); BUILDAH_STORAGE_DRIVER=vfs where overlay is not
# available (it copies the whole filesystem for every layer: one image took 13 GB here).
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

: "${IMAGE_OUT:=$VIDP_CACHE/images}"
: "${BUILDAH_STORAGE_DRIVER:=overlay}"
export IMAGE_OUT
buildah_() {
  buildah --root "$IMAGE_OUT/storage-$BUILDAH_STORAGE_DRIVER" --runroot "$IMAGE_OUT/run-$BUILDAH_STORAGE_DRIVER" --storage-driver "$BUILDAH_STORAGE_DRIVER" "$@"
}
need_root() {
  [ "$(id -u)" -eq 0 ] || { log "building images with buildah needs root here (chroot isolation)"; exit 1; }
}
# What buildah leaves mounted (containers/storage mounts its overlay folder on itself, and a failed
# build its working container's root): unmounted, deepest first, so a build leaves no mount behind.
buildah_cleanup() {
  buildah_ rm --all >/dev/null 2>&1 || true
  local storage="$IMAGE_OUT/storage-$BUILDAH_STORAGE_DRIVER" m
  awk -v p="$storage" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
  done
}
