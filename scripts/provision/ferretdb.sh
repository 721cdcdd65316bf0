#!/usr/bin/env bash
# Builds FerretDB (a MongoDB-wire server on SQLite) from the Go module proxy with VidP's patch
# (patches/ferretdb-sqlite-index-lookups.patch: _id lookups and GridFS chunk reads from their
# indexes instead of reading every row), cached by version and patch.
source "$(dirname "$0")/../lib/common.sh"

patch_file="$(cd "$(dirname "$0")" && pwd)/patches/ferretdb-sqlite-index-lookups.patch"
bin="$VIDP_CACHE/ferretdb/$FERRETDB_VERSION-vidp-$(sha256sum "$patch_file" | cut -c1-12)/ferretdb"
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
  ln -sf "$bin" "$VIDP_CACHE/bin/ferretdb"
  exit 0
fi
command -v go >/dev/null || { log "Go is required to build FerretDB"; exit 1; }
command -v patch >/dev/null || ensure_apt patch patch
log "building FerretDB v$FERRETDB_VERSION (first run only, about a minute)"
mod_dir=$(go mod download -json "github.com/FerretDB/FerretDB@v$FERRETDB_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$mod_dir" ] || { log "could not download FerretDB v$FERRETDB_VERSION"; exit 1; }
# Its version package embeds build/version/version.txt, which a module download lacks.
src="$VIDP_CACHE/ferretdb/src-$FERRETDB_VERSION"
rm -rf "$src" && mkdir -p "$src" "$(dirname "$bin")"
cp -r "$mod_dir/." "$src/" && chmod -R u+w "$src"
echo "v$FERRETDB_VERSION" > "$src/build/version/version.txt"
patch -d "$src" -p1 --forward --batch --quiet <"$patch_file" ||
  { rm -rf "$src"; log "VidP's FerretDB patch does not apply to v$FERRETDB_VERSION"; exit 1; }
(cd "$src" && with_heartbeat "building FerretDB" env CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bin.tmp" ./cmd/ferretdb)
mv "$bin.tmp" "$bin"
rm -rf "$src"
ln -sf "$bin" "$VIDP_CACHE/bin/ferretdb"
log "FerretDB $FERRETDB_VERSION (with VidP's index patch) ready"
