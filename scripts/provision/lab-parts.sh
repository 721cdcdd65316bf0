#!/usr/bin/env bash
# What the Kubernetes lab test (tests/cluster) runs besides Kubernetes itself, built before the
# tests so that no test step waits on a build: the lab's add-ons (cluster-lab.sh) and VidP's images
# from their Dockerfiles (scripts/images/build.sh). Cached; a second run is a check of a few seconds.
# As root, like the lab (buildah, containerd).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/cluster-lab.sh" >/dev/null
bash "$here/../images/build.sh"
