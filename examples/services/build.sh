#!/bin/sh
# Builds the service examples for wasm32-wasi with Debian's clang and wasi-libc; the .wasm files
# are committed, so running the examples and the tests needs no toolchain.
set -e
cd "$(dirname "$0")"
LIB=../../guest/services
for p in producer consumer counter denied; do
    clang --target=wasm32-wasi -O2 -I"$LIB" "$p.c" "$LIB/cella_services.c" -o "$p.wasm"
done
