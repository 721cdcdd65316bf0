#!/usr/bin/env bash
# Writes a container image (docker-archive tar, as `ctr image import`, buildah and `docker load`
# read it) from folders, one layer each, without any container engine.
# Usage: mkimage.sh <out.tar> <name:tag> <image config JSON ("config" object)> <layer dir>...
set -euo pipefail
out=$(realpath -m "$1") ref=$2 config=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

diff_ids="" layers=""
for dir in "$@"; do
  # Reproducible layers: sorted, fixed times (owners and modes as they are), so the same files give
  # the same image ID.
  tar -C "$dir" --sort=name --mtime=@0 --numeric-owner --xattrs -cf "$work/layer.tar" .
  sum=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  mkdir -p "$work/$sum"
  mv "$work/layer.tar" "$work/$sum/layer.tar"
  diff_ids+="${diff_ids:+,}\"sha256:$sum\""
  layers+="${layers:+,}\"$sum/layer.tar\""
done

printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":%s,"rootfs":{"type":"layers","diff_ids":[%s]}}' \
  "$config" "$diff_ids" >"$work/config.json"
cfg=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":[%s]}]' "$cfg" "$ref" "$layers" >"$work/manifest.json"

mkdir -p "$(dirname "$out")"
(cd "$work" && tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$out.tmp" -- *)
mv "$out.tmp" "$out"
