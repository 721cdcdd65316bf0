#!/usr/bin/env bash
# Everything VidP runs on, installed or built once and cached outside git:
# Debian packages, daprd, FerretDB, npm packages, the whisper.cpp binding, the models. A second run takes seconds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/provision/debian.sh"
bash "$here/provision/ferretdb.sh"
bash "$here/provision/daprd.sh"
bash "$here/provision/zipkin.sh"
bash "$here/lib/node-deps.sh"
bash "$here/provision/whisper-native.sh"
bash "$here/provision/detector-model.sh"
bash "$here/provision/classifier-model.sh"
bash "$here/provision/speech-model.sh"
bash "$here/provision/schemathesis.sh"
