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

# What a build can read: the Dockerfile, the base and every file of the checkout git does not ignore
# (a superset of the build context). The same inputs as the tar's last build: nothing to do.
inputs_of() {
  git rev-parse --git-dir >/dev/null 2>&1 || { date +%s%N; return; } # no git: always build
  { echo "$BUILDAH_STORAGE_DRIVER ${BASE:-}"; cat "$1"; git ls-files -z -co --exclude-standard | sort -z | xargs -0 sha256sum 2>/dev/null; } |
    sha256sum | cut -c1-32
}

mkdir -p "$IMAGE_OUT"
[ "$IMAGE_BUILDER" = docker ] || trap buildah_cleanup EXIT
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
    tar="$IMAGE_OUT/$app-$tag.tar"
    inputs=$(inputs_of "$file")
    if [ -s "$tar" ] && [ -s "$tar.iid" ] && [ "$(cat "$tar.inputs" 2>/dev/null)" = "$inputs" ]; then
      log "$name is up to date"
      continue
    fi
    ignore=()
    [ -f "$file.dockerignore" ] && ignore=(--ignorefile "$file.dockerignore") # as docker reads it
    # --layers: the stages every Dockerfile shares (manifests, npm ci, the runtime's ffmpeg) are built
    # once, and each stage copies only what it reads, so an unchanged input reuses its layer.
    bud() {
      nice -n 10 buildah --root "$IMAGE_OUT/storage-$BUILDAH_STORAGE_DRIVER" --runroot "$IMAGE_OUT/run-$BUILDAH_STORAGE_DRIVER" --storage-driver "$BUILDAH_STORAGE_DRIVER" \
        bud --isolation chroot --layers --format docker "${ignore[@]}" "${build_args[@]}" --iidfile "$tar.iid.new" \
        -f "$file" -t "$name" . >"$build_log" 2>&1
    }
    with_heartbeat "building $name" bud ||
      { tail -30 "$build_log" >&2; log "building $name failed (log: $build_log)"; exit 1; }
    # The same image as the tar holds (every layer from the cache): the tar stays as it is, so the
    # lab's import of it is skipped too.
    if [ -s "$tar" ] && cmp -s "$tar.iid.new" "$tar.iid"; then
      rm -f "$tar.iid.new"
      echo "$inputs" >"$tar.inputs"
      log "$name unchanged ($((SECONDS - started)) s)"
      continue
    fi
    rm -f "$tar" "$tar.iid" "$tar.inputs"
    buildah_ push "$name" "docker-archive:$tar.tmp:$name" >/dev/null
    mv "$tar.tmp" "$tar"
    mv "$tar.iid.new" "$tar.iid"
    echo "$inputs" >"$tar.inputs"
  fi
  log "$name built in $((SECONDS - started)) s"
done
[ "$IMAGE_BUILDER" = docker ] || log "image tars in $IMAGE_OUT (import: ctr -n k8s.io images import <tar>)"
