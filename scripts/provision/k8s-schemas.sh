#!/usr/bin/env bash
# Offline validation of the Kubernetes manifests: kubeconform, and the JSON schemas it checks
# against, generated once from sources the module proxy and PyPI serve (kubeconform's default
# schema source is on the internet, which these machines do not reach):
#   k8s/     Kubernetes built-ins, from api/openapi-spec/swagger.json in the k8s.io/kubernetes
#            module, by PyPI's openapi2jsonschema (the tool kubeconform's own schemas come from)
#   crds/    Dapr's CRDs (charts/dapr/crds in the dapr module) and the Prometheus operator's
#            (example/prometheus-operator-crd), by kubeconform's scripts/openapi2jsonschema.py
#   crd-yaml/ the CRDs themselves, for the test that installs them in a real kube-apiserver
# Cached by versions; prints the folder (which also holds bin/kubeconform) on stdout.
source "$(dirname "$0")/../lib/common.sh"

: "${KUBERNETES_VERSION:=1.37.2}"
: "${KUBECONFORM_VERSION:=0.8.0}"
: "${PROMETHEUS_OPERATOR_VERSION:=0.85.0}"
: "${OPENAPI2JSONSCHEMA_VERSION:=0.9.1}"
recipe="k8s-$KUBERNETES_VERSION dapr-$DAPR_VERSION promop-$PROMETHEUS_OPERATOR_VERSION kubeconform-$KUBECONFORM_VERSION o2js-$OPENAPI2JSONSCHEMA_VERSION"
out="$VIDP_CACHE/k8s-schemas/$(printf '%s' "$recipe" | sha256sum | cut -c1-12)"
if [ "$(cat "$out/recipe" 2>/dev/null)" = "$recipe" ] && [ -x "$out/bin/kubeconform" ]; then
  echo "$out"
  exit 0
fi
command -v go >/dev/null || { log "Go is required to build kubeconform"; exit 1; }
command -v python3 >/dev/null || { log "Python 3 is required to generate the schemas"; exit 1; }
log "generating Kubernetes, Dapr and Prometheus-operator schemas for kubeconform (first run only, ~1-2 min)"
rm -rf "$out" && mkdir -p "$out/bin" "$out/k8s" "$out/crds" "$out/crd-yaml"

module_dir() {
  local dir
  dir=$(go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir" ] || { log "could not download $1"; exit 1; }
  echo "$dir"
}
k8s_dir=$(module_dir "k8s.io/kubernetes@v$KUBERNETES_VERSION")
dapr_dir=$(module_dir "github.com/dapr/dapr@v$DAPR_VERSION")
promop_dir=$(module_dir "github.com/prometheus-operator/prometheus-operator@v$PROMETHEUS_OPERATOR_VERSION")
kc_dir=$(module_dir "github.com/yannh/kubeconform@v$KUBECONFORM_VERSION")

with_heartbeat "building kubeconform" env GOBIN="$out/bin" CGO_ENABLED=0 nice -n 10 \
  go install -trimpath -ldflags "-s -w" "github.com/yannh/kubeconform/cmd/kubeconform@v$KUBECONFORM_VERSION"

# openapi2jsonschema 0.9.1 pins nothing, and newer jsonref/click broke it: install it alone.
venv="$VIDP_CACHE/k8s-schemas/venv-o2js-$OPENAPI2JSONSCHEMA_VERSION"
if ! [ -x "$venv/bin/openapi2jsonschema" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --no-deps "openapi2jsonschema==$OPENAPI2JSONSCHEMA_VERSION"
  "$venv/bin/pip" install -q "jsonref<0.3" "click<8" "pyyaml"
fi

# It resolves references against <cwd>/<output>: the output must be a relative path.
(cd "$out" && with_heartbeat "converting the Kubernetes OpenAPI document" nice -n 10 "$venv/bin/openapi2jsonschema" \
  -o k8s --expanded --kubernetes --stand-alone --strict "$k8s_dir/api/openapi-spec/swagger.json" >/dev/null)

cp "$dapr_dir"/charts/dapr/crds/*.yaml "$promop_dir"/example/prometheus-operator-crd/*.yaml "$out/crd-yaml/"
chmod u+w "$out"/crd-yaml/*
# File names <group>_<kind>_<version>.json, for -schema-location crds/{{.Group}}_{{.ResourceKind}}_{{.ResourceAPIVersion}}.json
(cd "$out/crds" && FILENAME_FORMAT='{fullgroup}_{kind}_{version}' \
  "$venv/bin/python" "$kc_dir/scripts/openapi2jsonschema.py" "$out"/crd-yaml/*.yaml >/dev/null)

[ -s "$out/k8s/deployment-apps-v1.json" ] || { log "no Deployment schema was generated"; exit 1; }
[ -s "$out/crds/dapr.io_component_v1alpha1.json" ] || { log "no Dapr Component schema was generated"; exit 1; }
[ -s "$out/crds/monitoring.coreos.com_servicemonitor_v1.json" ] || { log "no ServiceMonitor schema was generated"; exit 1; }
echo "$recipe" >"$out/recipe"
log "kubeconform $KUBECONFORM_VERSION and schemas ready in $out"
echo "$out"
