#!/usr/bin/env bash
# wrk (Debian's), the HTTP load generator of the load benchmarks; installed only when missing.
source "$(dirname "$0")/../lib/common.sh"
ensure_apt wrk wrk
