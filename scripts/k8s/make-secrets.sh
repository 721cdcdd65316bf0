#!/usr/bin/env bash
# Writes the git-ignored secret env files the Kubernetes base reads (k8s/base/secrets/*.env) from
# the committed examples, each CHANGE-ME replaced by a random value. Files that exist are kept, so
# running it again never rotates a secret. Usage: bash scripts/k8s/make-secrets.sh [secrets-dir]
set -euo pipefail
dir=${1:-"$(cd "$(dirname "$0")/../.." && pwd)/k8s/base/secrets"}
command -v openssl >/dev/null || { echo "openssl is needed to generate the secrets" >&2; exit 1; }
umask 077
shopt -s nullglob
examples=("$dir"/*.env.example)
[ ${#examples[@]} -gt 0 ] || { echo "no *.env.example files in $dir" >&2; exit 1; }
for example in "${examples[@]}"; do
  out=${example%.example}
  [ -e "$out" ] && continue
  while IFS= read -r line; do
    case "$line" in
      \#* | "") continue ;;
      keyfile=*) printf 'keyfile=%s\n' "$(openssl rand -base64 756 | tr -d '\n')" ;;
      *=CHANGE-ME*) printf '%s=%s\n' "${line%%=*}" "$(openssl rand -hex 24)" ;;
      *) printf '%s\n' "$line" ;;
    esac
  done <"$example" >"$out.tmp"
  mv "$out.tmp" "$out"
  echo "wrote $out" >&2
done
echo "The front end's sign-in password is in $dir/web-password.env" >&2
