#!/usr/bin/env bash
# Builds training.wasm from training.c (needs clang with a wasm32-wasi sysroot: wasi-libc); the
# .wasm is committed so that builds need no toolchain.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
clang --target=wasm32-wasi -O2 -Wl,--strip-all -o training.wasm training.c
