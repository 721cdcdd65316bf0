#!/usr/bin/env bash
# Debian packages the platform runs on: Redis (Dapr pub/sub and local state) and ffmpeg.
source "$(dirname "$0")/../lib/common.sh"
ensure_apt redis-server redis-server ffmpeg ffmpeg
ensure_apt darknet darknet
[ -d /usr/share/pocketsphinx/test/data/librivox ] || ensure_apt pocketsphinx-testdata vidp-no-pocketsphinx-testdata
# Browser tests (subtitles as a <track>) drive Debian's Chromium with playwright-core.
ensure_apt chromium chromium
# Synthetic French speech for the translation test.
ensure_apt espeak-ng espeak-ng
