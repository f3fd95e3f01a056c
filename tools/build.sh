#!/usr/bin/env bash
# Builds everything `ediary serve` needs, with cargo, wasm-bindgen-cli, wabt
# and brotli only (cargo-leptos is for `make dev`'s watch loop alone):
#   1. the staff bundle (crate frontend) into SITE/pkg/ediary.<hash>.{js,wasm,css},
#   2. the phone bundle (tools/phone-bundle.sh) into SITE/pkg/phone-<hash>/,
#   3. public/ copied into SITE,
#   4. the server binary, with hash.txt beside it: Leptos reads it to name the
#      hashed files in its pages, and the server caches them for good.
# Release builds strip the WASM and precompress what browsers download.
# Each step prints its time, for BENCHMARKS.md.
#   tools/build.sh debug|release SITE_ROOT
set -euo pipefail
mode="${1:?debug or release}"
site="${2:?site root}"
target="${CARGO_TARGET_DIR:-$PWD/target}"
case "$mode" in
  debug) wasm_profile=(); wasm_dir=debug; bin_profile=(); bin_dir=debug ;;
  release) wasm_profile=(--profile wasm-release); wasm_dir=wasm-release; bin_profile=(--release); bin_dir=release ;;
  *) echo "build: mode must be debug or release" >&2; exit 2 ;;
esac
# Leptos reads the output name at compile time: the same in every build.
export LEPTOS_OUTPUT_NAME="${LEPTOS_OUTPUT_NAME:-ediary}"
name="$LEPTOS_OUTPUT_NAME"

step_started=$SECONDS
step() {
  echo "build: $1 in $((SECONDS - step_started)) s"
  step_started=$SECONDS
}

# 1. The staff bundle. The same flags and target dir as cargo-leptos, so a
# `make dev` in between rebuilds nothing it need not.
cargo build -p frontend --lib --target wasm32-unknown-unknown --no-default-features \
  "${wasm_profile[@]}" --target-dir "$target/front"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name "$name" \
  "$target/front/wasm32-unknown-unknown/$wasm_dir/frontend.wasm"
if [ "$mode" = release ]; then
  wasm-strip "$out/${name}_bg.wasm"
fi
# A name per content: hex of SHA-256, like the phone bundle's.
hash_of() { sha256sum "$1" | cut -c1-22; }
js_hash=$(hash_of "$out/$name.js")
wasm_hash=$(hash_of "$out/${name}_bg.wasm")
css_hash=$(hash_of style/main.css)
pkg="$site/pkg"
mkdir -p "$pkg"
fresh=("$name.$js_hash.js" "$name.$wasm_hash.wasm" "$name.$css_hash.css")
cp "$out/$name.js" "$pkg/${fresh[0]}.tmp"
cp "$out/${name}_bg.wasm" "$pkg/${fresh[1]}.tmp"
cp style/main.css "$pkg/${fresh[2]}.tmp"
for f in "${fresh[@]}"; do
  mv "$pkg/$f.tmp" "$pkg/$f"
done
# Older releases of the staff bundle go (the phone bundle's own script
# prunes its folders).
for old in "$pkg/$name".* "$pkg/${name}_bg".*; do
  keep=false
  for f in "${fresh[@]}"; do
    case "$old" in "$pkg/$f" | "$pkg/$f".gz | "$pkg/$f".br) keep=true ;; esac
  done
  [ "$keep" = true ] || rm -f "$old"
done
step "staff bundle ($(stat -c %s "$pkg/${fresh[1]}") bytes of WASM)"

# 2. The phone bundle.
CARGO_TARGET_DIR="$target" tools/phone-bundle.sh "$mode" "$site"
step "phone bundle"

# 3. The static files.
cp -r --preserve=timestamps public/. "$site/"

# What the server sends to browsers that accept it (leptos_axum serves a
# file's .br or .gz beside it). The phone bundle compresses its own.
if [ "$mode" = release ]; then
  for f in "${fresh[@]/#/$pkg/}" "$site"/*.js "$site"/*.svg "$site"/*.webmanifest; do
    [ -f "$f" ] || continue
    [ -f "$f.br" ] && [ "$f.br" -nt "$f" ] && continue
    gzip -9 -k -f "$f"
    brotli -q 11 -k -f "$f"
  done
  step "precompressed"
fi

# 4. The server, and the names of the hashed files beside it.
cargo build -p server --bin ediary --no-default-features "${bin_profile[@]}"
printf 'js: %s\nwasm: %s\ncss: %s\n' "$js_hash" "$wasm_hash" "$css_hash" > "$target/$bin_dir/hash.txt"
step "server"
