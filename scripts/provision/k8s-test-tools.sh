#!/usr/bin/env bash
# What the Kubernetes manifest tests (tests/k8s) and the observability test need besides the
# platform: the Kubernetes binaries (kubernetes.sh), kubeconform and its schemas (k8s-schemas.sh)
# Prometheus (prometheus.sh) and Dapr sentry (dapr-sentry.sh), and what the Kubernetes lab test
# (tests/cluster) runs besides Kubernetes (cluster-lab.sh: CoreDNS, kube-router, metrics-server,
# Traefik, Dapr's control plane, containerd and the node's Debian packages). Each is cached by
# version; offline once cached.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/kubernetes.sh" >/dev/null
bash "$here/k8s-schemas.sh" >/dev/null
bash "$here/prometheus.sh" >/dev/null
bash "$here/dapr-sentry.sh" >/dev/null
bash "$here/cluster-lab.sh" >/dev/null
