#!/usr/bin/env bash
# Makes the lab's certificates with openssl (ECDSA P-256: a whole set takes under a second) and
# one kubeconfig per client. Usage: certs.sh <pki dir>
source "$(dirname "$0")/lib.sh"
pki=${1:?pki dir}
mkdir -p "$pki"
cd "$pki"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

ca() { # name subject
  key "$1"
  openssl req -x509 -new -key "$1.key" -subj "$2" -days 30 -out "$1.crt" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

# cert <name> <signing ca> <subject> <extendedKeyUsage> [subjectAltName]
cert() {
  local name=$1 signer=$2 subj=$3 eku=$4 san=${5:-}
  key "$name"
  openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [ -z "$san" ] || echo "subjectAltName=$san"
  } >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA "$signer.crt" -CAkey "$signer.key" -CAcreateserial \
    -days 30 -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

kubeconfig() { # name (its cert/key pair names the user)
  cat >"$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster:
    certificate-authority: $pki/ca.crt
    server: https://$NODE_IP:$APISERVER_PORT
users:
- name: $1
  user:
    client-certificate: $pki/$1.crt
    client-key: $pki/$1.key
contexts:
- name: lab
  context: {cluster: lab, user: $1}
current-context: lab
EOF
}

ca ca "/CN=vidp-lab-ca"
ca front-proxy-ca "/CN=vidp-lab-front-proxy-ca"

svc_names="DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN,DNS:localhost"
cert apiserver ca "/CN=kube-apiserver" serverAuth \
  "$svc_names,IP:$KUBERNETES_SERVICE_IP,IP:$NODE_IP,IP:127.0.0.1"
cert apiserver-kubelet-client ca "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
cert front-proxy-client front-proxy-ca "/CN=front-proxy-client" clientAuth
cert kubelet-serving ca "/CN=$NODE_NAME" serverAuth "DNS:$NODE_NAME,IP:$NODE_IP"
cert metrics-server ca "/CN=metrics-server" serverAuth \
  "DNS:metrics-server.kube-system.svc,DNS:metrics-server.kube-system.svc.$CLUSTER_DOMAIN"

cert admin ca "/O=system:masters/CN=vidp-lab-admin" clientAuth
cert controller-manager ca "/CN=system:kube-controller-manager" clientAuth
cert scheduler ca "/CN=system:kube-scheduler" clientAuth
cert kubelet ca "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
cert kube-proxy ca "/CN=system:kube-proxy" clientAuth
# kube-router runs on the node like kube-proxy; its ClusterRole is in addons/node-agents.yaml.
cert kube-router ca "/CN=vidp-lab:kube-router" clientAuth
for c in admin controller-manager scheduler kubelet kube-proxy kube-router; do kubeconfig "$c"; done

# Service-account token signing pair.
key sa
openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
rm -f ./*.srl
chmod 600 ./*.key
chmod 644 ./*.crt ./*.pub ./*.kubeconfig
