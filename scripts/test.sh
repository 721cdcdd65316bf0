#!/usr/bin/env bash
# `npm test`: provision what is missing, then lint, typecheck and run every test
# (unit and integration; integration tests start their own daprd, Redis and FerretDB).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/provision.sh
# The Kubernetes and observability tests' tools: kube-apiserver, etcd and kubectl, kubeconform and
# its schemas, Prometheus (each cached; a second run is a no-op).
bash scripts/provision/k8s-test-tools.sh
# The Kubernetes lab's add-ons and VidP's images (the lab test deploys them).
bash scripts/provision/lab-parts.sh
npx biome check .
npx tsc -p tsconfig.json --noEmit
npx tsc -p frontend/tsconfig.json --noEmit
npx vitest run "$@"
