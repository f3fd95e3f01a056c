#!/usr/bin/env bash
# Builds the phone app's own WASM bundle (crate phone-frontend) into
# SITE/pkg/phone-<hash>/ (phone.js, phone_bg.wasm), the directory the server
# serves /diary from, and removes older phone bundles there. The hash in the
# directory name changes with the content, so browsers and the service
# worker may keep the files for good.
#   tools/phone-bundle.sh debug|release SITE_ROOT
set -euo pipefail
mode="${1:?debug or release}"
site="${2:?site root}"
target="${CARGO_TARGET_DIR:-$PWD/target}/front"
case "$mode" in
  debug) profile_flag=(); profile_dir=debug ;;
  release) profile_flag=(--profile wasm-release); profile_dir=wasm-release ;;
  *) echo "phone-bundle: mode must be debug or release" >&2; exit 2 ;;
esac
export LEPTOS_OUTPUT_NAME="${LEPTOS_OUTPUT_NAME:-ediary}"
cargo build -p phone-frontend --lib --target wasm32-unknown-unknown "${profile_flag[@]}" --target-dir "$target"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name phone \
  "$target/wasm32-unknown-unknown/$profile_dir/phone_frontend.wasm"
if [ "$mode" = release ]; then
  wasm-strip "$out/phone_bg.wasm"
fi
hash=$(cat "$out/phone.js" "$out/phone_bg.wasm" | sha256sum | cut -c1-20)
pkg="$site/pkg"
mkdir -p "$pkg"
dest="$pkg/phone-$hash"
if [ ! -d "$dest" ]; then
  mkdir -p "$dest.tmp"
  cp "$out/phone.js" "$out/phone_bg.wasm" "$dest.tmp/"
  if [ "$mode" = release ]; then
    # What the server sends to browsers that accept them.
    for f in "$dest.tmp"/*; do
      gzip -9 -k "$f"
      brotli -q 11 -k "$f"
    done
  fi
  mv "$dest.tmp" "$dest"
fi
for old in "$pkg"/phone-*; do
  [ "$old" = "$dest" ] || rm -rf "$old"
done
echo "phone bundle: $dest ($(stat -c %s "$dest/phone_bg.wasm") bytes of WASM)"
