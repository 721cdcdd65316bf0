#!/usr/bin/env bash
# What the Kubernetes manifest tests (tests/k8s) and the observability test need besides the
# platform: the Kubernetes binaries (kubernetes.sh), kubeconform and its schemas (k8s-schemas.sh)
# Prometheus (prometheus.sh) and Dapr sentry (dapr-sentry.sh). Each is cached by version; offline
# once cached. The Kubernetes lab's own add-ons and VidP's images: lab-parts.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/kubernetes.sh" >/dev/null
bash "$here/k8s-schemas.sh" >/dev/null
bash "$here/prometheus.sh" >/dev/null
bash "$here/dapr-sentry.sh" >/dev/null
