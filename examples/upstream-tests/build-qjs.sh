#!/usr/bin/env bash
# Builds qjs.wasm, QuickJS's own `qjs` command with quickjs-libc (its std and os modules), for
# wasm32-wasi; fetches nothing (see README.md).
#
#   examples/upstream-tests/build-qjs.sh QJS_SRC     rewrites qjs.wasm (commit it)
#
# QJS_SRC is an export of the QuickJS commit README.md names. The REPL that qjs embeds is
# bytecode compiled from repl.js by a native qjsc, as QuickJS's Makefile does: the script builds
# one with `make qjsc` in a copy of the sources, unless $QJSC names one built from the same
# commit. Toolchain (Debian): clang lld wasi-libc libclang-rt-dev-wasm32, and gcc and make.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "${1:?usage: build-qjs.sh QJS_SRC}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

qjsc=${QJSC:-}
if [[ -z $qjsc ]]; then
    cp -r "$src" "$work/native"
    make -s -C "$work/native" qjsc
    qjsc=$work/native/qjsc
fi

# The same patch as the benchmark corpus's QuickJS (no Atomics, no native stack-depth check;
# benchmarks/corpus/README.md says why) and ours for quickjs-libc (qjs-wasi/).
q=$work/quickjs
cp -r "$src" "$q"
patch -s -d "$q" -p1 < "$here/../../benchmarks/corpus/patches/quickjs-wasi.patch"
patch -s -d "$q" -p1 < "$here/qjs-wasi/quickjs-libc-wasi.patch"
(cd "$q" && "$qjsc" -s -c -o repl.c -m repl.js)

# QuickJS's Makefile flags (-fwrapv: signed overflow wraps, as its code expects) for wasm32-wasi;
# signals, process clocks and getpid from wasi-libc's emulation libraries; the shadow stack is
# 1 MiB, as for the corpus's QuickJS, instead of wasm-ld's 64 KiB. --strip-all keeps the
# committed module small; -ffile-prefix-map makes a rebuild give the same bytes.
clang --target=wasm32-wasi -O2 -fwrapv -D_GNU_SOURCE -DCONFIG_VERSION="\"$(cat "$q/VERSION")\"" \
    -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_GETPID \
    -I"$q" -I"$here/qjs-wasi" -I"$here/../../benchmarks/corpus/shim" \
    -ffile-prefix-map="$work"=src -ffile-prefix-map="$here"=upstream-tests \
    "$q"/{qjs,repl,quickjs-libc,quickjs,dtoa,libregexp,libunicode,cutils}.c "$here/qjs-wasi/wasi-process.c" \
    -o "$here/qjs.wasm" -Wl,--strip-all -Wl,-z,stack-size=1048576 \
    -lwasi-emulated-signal -lwasi-emulated-process-clocks -lwasi-emulated-getpid -lm
ls -l "$here/qjs.wasm"
