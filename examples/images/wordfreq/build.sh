#!/usr/bin/env bash
# Rebuilds wordfreq.wasm from wordfreq.c (committed, so that nothing here needs a compiler).
# Needs (Debian): clang lld wasi-libc libclang-rt-14-dev-wasm32 (or clang-19 and its wasm32 runtime).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
cc=$(command -v clang-19 || command -v clang)
"$cc" --target=wasm32-wasi -O2 -s -Wall -Wextra -Werror -o wordfreq.wasm wordfreq.c
ls -l wordfreq.wasm
