#!/usr/bin/env bash
# Writes the node's configuration files into the lab folder: containerd (CRI), CNI, kubelet, kube-proxy.
source "$(dirname "$0")/lib.sh"
mkdir -p "$LAB/etc" "$LAB/cni/net.d" "$LAB/containerd" "$LAB/kubelet"

cat >"$LAB/etc/containerd.toml" <<EOF
version = 2
root = "$CONTAINERD_ROOT/root"
state = "/run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "/run/containerd/containerd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$LAB/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # runc cannot set oom_score_adj below its parent's here (no CAP_SYS_RESOURCE): keep scores at or above it.
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$LAB/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
EOF

# Pods on their own bridge; the node reaches them directly, nothing leaves the namespace.
cat >"$LAB/cni/net.d/10-vidp-lab.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "vidp-lab",
  "plugins": [
    {
      "type": "bridge", "bridge": "cni0", "isGateway": true, "isDefaultGateway": true,
      "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$LAB/cni/ipam",
        "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$POD_GATEWAY" }]]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF

echo "nameserver $NODE_IP" >"$LAB/etc/resolv.conf"

cat >"$LAB/etc/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $LAB/pki/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $LAB/pki/kubelet-serving.crt
tlsPrivateKeyFile: $LAB/pki/kubelet-serving.key
containerRuntimeEndpoint: unix:///run/containerd/containerd.sock
cgroupDriver: cgroupfs
# Every cgroup the lab makes lives under this one subtree, removed at teardown.
cgroupRoot: /$LAB_ID
cgroupsPerQOS: true
failCgroupV1: false
failSwapOn: false
# kubelet is built to only warn about kernel settings (see scripts/provision/kubernetes.sh); this keeps it from failing.
protectKernelDefaults: false
clusterDNS: [$DNS_SERVICE_IP]
clusterDomain: $CLUSTER_DOMAIN
resolvConf: $LAB/etc/resolv.conf
staticPodPath: ""
serializeImagePulls: false
# A shared machine: never evict or collect images because other work fills the disk.
evictionHard: {memory.available: "50Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
nodeStatusReportFrequency: 10s
syncFrequency: 10s
fileCheckFrequency: 10s
maxPods: 110
podPidsLimit: 4096
EOF

cat >"$LAB/etc/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $LAB/pki/kube-proxy.kubeconfig}
hostnameOverride: $NODE_NAME
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
clusterCIDR: $POD_CIDR
mode: iptables
# Zero leaves the conntrack table size and timeouts as they are: those settings are machine-wide.
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
