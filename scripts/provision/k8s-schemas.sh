#!/usr/bin/env bash
# Offline validation of the Kubernetes manifests: kubeconform, and the JSON schemas it checks
# against, generated once from sources the module proxy and PyPI serve (kubeconform's default
# schema source is on the internet, which these machines do not reach):
#   k8s/      Kubernetes built-ins, from api/openapi-spec/swagger.json in the k8s.io/kubernetes
#             module, by PyPI's openapi2jsonschema (the tool kubeconform's own schemas come from)
#   crds/     the CRDs VidP uses: Dapr's (charts/dapr/crds in the dapr module), the Prometheus
#             operator's (example/prometheus-operator-crd) and KEDA's (config/crd/bases), by
#             kubeconform's scripts/openapi2jsonschema.py
#   crd-yaml/ those CRDs themselves, for the test that installs them in a real kube-apiserver
#   bin/kubeconform
# Each part is cached by the versions it comes from; prints the folder on stdout.
source "$(dirname "$0")/../lib/common.sh"

: "${KUBERNETES_VERSION:=1.37.2}"
: "${KUBECONFORM_VERSION:=0.8.0}"
: "${PROMETHEUS_OPERATOR_VERSION:=0.85.0}"
: "${KEDA_VERSION:=2.21.0}"
: "${OPENAPI2JSONSCHEMA_VERSION:=0.9.1}"
root="$VIDP_CACHE/k8s-schemas"
out="$root/k8s-$KUBERNETES_VERSION-dapr-$DAPR_VERSION-promop-$PROMETHEUS_OPERATOR_VERSION-keda-$KEDA_VERSION"
builtins="$root/builtins-k8s-$KUBERNETES_VERSION-o2js-$OPENAPI2JSONSCHEMA_VERSION"
kubeconform="$root/kubeconform-$KUBECONFORM_VERSION/kubeconform"

if [ -s "$out/done" ] && [ -x "$out/bin/kubeconform" ]; then
  echo "$out"
  exit 0
fi
command -v go >/dev/null || { log "Go is required to build kubeconform"; exit 1; }
command -v python3 >/dev/null || { log "Python 3 is required to generate the schemas"; exit 1; }

module_dir() {
  local dir
  dir=$(go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir" ] || { log "could not download $1"; exit 1; }
  echo "$dir"
}

if ! [ -x "$kubeconform" ]; then
  log "building kubeconform $KUBECONFORM_VERSION (first run only)"
  mkdir -p "$(dirname "$kubeconform")"
  with_heartbeat "building kubeconform" env GOBIN="$(dirname "$kubeconform")" CGO_ENABLED=0 nice -n 10 \
    go install -trimpath -ldflags "-s -w" "github.com/yannh/kubeconform/cmd/kubeconform@v$KUBECONFORM_VERSION"
fi

# openapi2jsonschema 0.9.1 pins nothing, and newer jsonref/click broke it: install it alone.
venv="$root/venv-o2js-$OPENAPI2JSONSCHEMA_VERSION"
if ! [ -x "$venv/bin/openapi2jsonschema" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --no-deps "openapi2jsonschema==$OPENAPI2JSONSCHEMA_VERSION"
  "$venv/bin/pip" install -q "jsonref<0.3" "click<8" "pyyaml"
fi

if ! [ -s "$builtins/done" ]; then
  log "converting the Kubernetes $KUBERNETES_VERSION OpenAPI document to JSON schemas (first run only, a few minutes)"
  k8s_dir=$(module_dir "k8s.io/kubernetes@v$KUBERNETES_VERSION")
  rm -rf "$builtins" && mkdir -p "$builtins"
  # It resolves references against <cwd>/<output>: the output must be a relative path.
  (cd "$builtins" && with_heartbeat "converting the Kubernetes OpenAPI document" nice -n 10 \
    "$venv/bin/openapi2jsonschema" -o k8s --expanded --kubernetes --stand-alone --strict \
    "$k8s_dir/api/openapi-spec/swagger.json" >/dev/null)
  [ -s "$builtins/k8s/deployment-apps-v1.json" ] || { log "no Deployment schema was generated"; exit 1; }
  date -u +%FT%TZ >"$builtins/done"
fi

log "generating the Dapr, Prometheus-operator and KEDA CRD schemas (first run only)"
dapr_dir=$(module_dir "github.com/dapr/dapr@v$DAPR_VERSION")
promop_dir=$(module_dir "github.com/prometheus-operator/prometheus-operator@v$PROMETHEUS_OPERATOR_VERSION")
keda_dir=$(module_dir "github.com/kedacore/keda/v2@v$KEDA_VERSION")
kc_dir=$(module_dir "github.com/yannh/kubeconform@v$KUBECONFORM_VERSION")
rm -rf "$out" && mkdir -p "$out/bin" "$out/crds" "$out/crd-yaml"
ln -s "$builtins/k8s" "$out/k8s"
cp "$kubeconform" "$out/bin/kubeconform"
cp "$dapr_dir"/charts/dapr/crds/*.yaml "$promop_dir"/example/prometheus-operator-crd/*.yaml \
  "$keda_dir"/config/crd/bases/keda.sh_*.yaml "$out/crd-yaml/"
chmod u+w "$out"/crd-yaml/*
# File names <group>_<kind>_<version>.json, for -schema-location crds/{{.Group}}_{{.ResourceKind}}_{{.ResourceAPIVersion}}.json
(cd "$out/crds" && FILENAME_FORMAT='{fullgroup}_{kind}_{version}' \
  "$venv/bin/python" "$kc_dir/scripts/openapi2jsonschema.py" "$out"/crd-yaml/*.yaml >/dev/null)
for s in dapr.io_component_v1alpha1 monitoring.coreos.com_servicemonitor_v1 keda.sh_scaledobject_v1alpha1; do
  [ -s "$out/crds/$s.json" ] || { log "no $s schema was generated"; exit 1; }
done
date -u +%FT%TZ >"$out/done"
log "kubeconform $KUBECONFORM_VERSION and schemas ready in $out"
echo "$out"
