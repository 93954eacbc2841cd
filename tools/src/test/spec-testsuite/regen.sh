#!/usr/bin/env bash
# Regenerates this folder from the WebAssembly testsuite repository (see README.md): every
# top-level .wast of the pinned commit converted with wast2json into <name>/<name>.json plus its
# .wasm and .wat files. Needs git and wabt's wast2json 1.0.32 (Debian: apt-get install wabt).
# Usage: regen.sh [TESTSUITE-CHECKOUT]   (default: clones https://github.com/WebAssembly/testsuite)
set -euo pipefail
commit=3a04b2cf93bd8fce277458d419eea8d9c326345c
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v wast2json >/dev/null || { echo "wast2json not found: apt-get install wabt" >&2; exit 1; }
version=$(wast2json --version)
[ "$version" = 1.0.32 ] || echo "warning: wast2json $version, not 1.0.32: the output may differ" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -ge 1 ]; then
  git -C "$1" archive "$commit" | tar -x -C "$work"
else
  git clone -q https://github.com/WebAssembly/testsuite "$work/repo"
  git -C "$work/repo" archive "$commit" | tar -x -C "$work"
fi
find "$here" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
cp "$work/LICENSE" "$here/LICENSE"
cd "$work"
for script in *.wast; do
  name=$(basename "$script" .wast)
  mkdir -p "$here/$name"
  (cd "$here/$name" && wast2json --enable-all "$work/$script" -o "$name.json")
done
# The exception-handling proposal's tests at the same commit (the legacy try/catch/delegate form),
# as eh.<name>.
for script in proposals/exception-handling/*.wast; do
  name=eh.$(basename "$script" .wast)
  mkdir -p "$here/$name"
  (cd "$here/$name" && wast2json --enable-all "$work/$script" -o "$name.json")
done
