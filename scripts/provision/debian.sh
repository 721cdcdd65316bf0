#!/usr/bin/env bash
# Debian packages the platform runs on: Redis (Dapr pub/sub and local state) and ffmpeg.
source "$(dirname "$0")/../lib/common.sh"
ensure_apt redis-server redis-server ffmpeg ffmpeg
