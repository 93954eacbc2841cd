#!/usr/bin/env bash
# Rebuilds the C test programs and their expected outputs: each PROGRAM.c becomes build/PROGRAM.wasm
# (clang for wasm32-wasi, -O2, stripped) and a native executable, and every run listed in cases.txt
# is made with the native executable, recording expected/NAME.stdout, .stderr and .status.
# CProgramsTest then runs the committed .wasm files in cells and compares; it needs no compiler.
#
# Needs (Debian): clang lld wasi-libc libclang-rt-14-dev-wasm32.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
command -v clang >/dev/null || { echo "clang not found: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32" >&2; exit 1; }
native=$(mktemp -d)
out=$(mktemp -d)
trap 'rm -rf "$native" "$out"' EXIT
mkdir -p build expected
rm -f build/*.wasm expected/*
for src in *.c; do
  prog=${src%.c}
  # No fused multiply-add natively either: Wasm has none, and nbody's output depends on rounding.
  clang --target=wasm32-wasi -O2 -s -Wall -Wextra -Werror -o "build/$prog.wasm" "$src"
  clang -O2 -ffp-contract=off -Wall -Wextra -Werror -o "$native/$prog" "$src" -lm
done
map() { local a=$1; a=${a/#\/in\//$here/inputs/}; a=${a/#\/out\//$out/}; printf '%s' "$a"; }
while read -r name prog stdin args; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  argv=()
  for a in $args; do argv+=("$(map "$a")"); done
  input=/dev/null
  [[ "$stdin" != "-" ]] && input=$(map "$stdin")
  status=0
  "$native/$prog" "${argv[@]}" < "$input" > "expected/$name.stdout" 2> "expected/$name.stderr" || status=$?
  echo "$status" > "expected/$name.status"
  echo "$name: exit $status"
done < cases.txt
ls -l build/*.wasm
