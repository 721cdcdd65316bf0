#!/usr/bin/env bash
# Builds VidP's images from their Dockerfiles (apps/<app>/Dockerfile, and frontend/Dockerfile when
# it exists), unchanged, with docker when a Docker engine answers, otherwise with buildah and a
# locally made base image (base-image.sh). With buildah, each image is also written as a
# docker-archive tar that `ctr -n k8s.io images import` (or `docker load`) takes:
#   $IMAGE_OUT/<app>-<tag>.tar     (IMAGE_OUT defaults to $VIDP_CACHE/images)
# Usage: bash scripts/images/build.sh [app ...]   (default: every app)
# Settings: IMAGE_BUILDER=docker|buildah, IMAGE_REPO (default vidp), IMAGE_TAG (default: the
# app's package.json version), BASE (a base image for every Dockerfile instead of their default).
source "$(dirname "$0")/common.sh"
cd "$(dirname "$0")/../.."

apps=("$@")
if [ ${#apps[@]} -eq 0 ]; then
  for f in apps/*/Dockerfile frontend/Dockerfile; do
    [ -f "$f" ] || continue
    d=$(dirname "$f")
    apps+=("${d##*/}")
  done
fi
dockerfile_of() { [ "$1" = frontend ] && echo frontend/Dockerfile || echo "apps/$1/Dockerfile"; }
version_of() { node -p "require('./$(dirname "$(dockerfile_of "$1")")/package.json').version"; }

: "${IMAGE_REPO:=vidp}"
if [ -z "${IMAGE_BUILDER:-}" ]; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then IMAGE_BUILDER=docker; else IMAGE_BUILDER=buildah; fi
fi
build_args=()
if [ "$IMAGE_BUILDER" = buildah ]; then
  need_root
  command -v buildah >/dev/null || ensure_apt buildah buildah
  [ -n "${BASE:-}" ] || BASE="docker-archive:$(bash scripts/images/base-image.sh)"
fi
[ -z "${BASE:-}" ] || build_args+=(--build-arg "BASE=$BASE")

mkdir -p "$IMAGE_OUT"
for app in "${apps[@]}"; do
  file=$(dockerfile_of "$app")
  [ -f "$file" ] || { log "no Dockerfile for $app ($file)"; exit 1; }
  tag="${IMAGE_TAG:-$(version_of "$app")}"
  name="$IMAGE_REPO/$app:$tag"
  started=$SECONDS
  log "building $name ($IMAGE_BUILDER)"
  if [ "$IMAGE_BUILDER" = docker ]; then
    docker build "${build_args[@]}" -f "$file" -t "$name" .
  else
    build_log="$IMAGE_OUT/$app-$tag.build.log"
    # --layers: the stages every Dockerfile shares (npm ci, the runtime's ffmpeg) are built once.
    bud() {
      nice -n 10 buildah --root "$IMAGE_OUT/storage-$BUILDAH_STORAGE_DRIVER" --runroot "$IMAGE_OUT/run-$BUILDAH_STORAGE_DRIVER" --storage-driver "$BUILDAH_STORAGE_DRIVER" \
        bud --isolation chroot --layers --format docker "${build_args[@]}" -f "$file" -t "$name" . >"$build_log" 2>&1
    }
    with_heartbeat "building $name" bud ||
      { tail -30 "$build_log" >&2; log "building $name failed (log: $build_log)"; exit 1; }
    rm -f "$IMAGE_OUT/$app-$tag.tar"
    buildah_ push "$name" "docker-archive:$IMAGE_OUT/$app-$tag.tar:$name" >/dev/null
  fi
  log "$name built in $((SECONDS - started)) s"
done
[ "$IMAGE_BUILDER" = docker ] || log "image tars in $IMAGE_OUT (import: ctr -n k8s.io images import <tar>)"
