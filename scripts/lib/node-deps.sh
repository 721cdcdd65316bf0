#!/usr/bin/env bash
# npm packages, reinstalled only when package-lock.json changed (offline from npm's cache after that).
source "$(dirname "$0")/common.sh"
# onnxruntime-node would otherwise fetch CUDA libraries at install; VidP runs it on CPU.
export ONNXRUNTIME_NODE_INSTALL=skip
cd "$(dirname "$0")/../.."
stamp=node_modules/.vidp-lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing npm packages"
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
