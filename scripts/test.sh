#!/usr/bin/env bash
# `npm test`: provision what is missing, then lint, typecheck and run every test
# (unit and integration; integration tests start their own daprd, Redis and FerretDB).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/provision.sh
npx biome check .
npx tsc -p tsconfig.json --noEmit
npx tsc -p frontend/tsconfig.json --noEmit
npx vitest run "$@"
