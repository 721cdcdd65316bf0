#!/usr/bin/env bash
# `npm start`: provision what is missing, then run the whole platform locally.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/provision.sh
node --import tsx scripts/build.ts
node --import tsx scripts/build-frontend.ts
exec node --import tsx scripts/launch.ts
