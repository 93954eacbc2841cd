#!/usr/bin/env bash
# Builds the corpus of real programs (see README.md) from already fetched sources; fetches nothing.
#
#   benchmarks/corpus/build.sh wasm   SRC   builds wasm/*.wasm (committed: CI has no toolchain)
#   benchmarks/corpus/build.sh native SRC OUT  builds the same programs natively into OUT
#                                               (gcc -O2; used by `bin/bench corpus`, never committed)
#
# SRC holds one directory per upstream, each an export of the commit recorded in README.md:
#   SRC/lua (lua/lua v5.4.7), SRC/zlib (madler/zlib v1.3.1), SRC/bzip2 (libarchive/bzip2
#   bzip2-1.0.8), SRC/quickjs (bellard/quickjs), SRC/lz4 (lz4/lz4), SRC/stb (nothings/stb),
#   SRC/tre (kokke/tiny-regex-c), for example:
#   git --git-dir=MIRROR archive COMMIT | tar -x -C SRC/lua
# The QuickJS patch in patches/ is applied to a copy, never to SRC.
#
# Toolchain (Debian 12): apt-get install clang lld wasi-libc libclang-rt-dev-wasm32.
# wasm: clang --target=wasm32-wasi -O2, linked with --strip-all (no name section) to keep the
# committed files small.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mode=${1:-}
src=$(cd "${2:?usage: build.sh wasm|native SRC [OUT]}" && pwd)
drivers=$here/drivers
shim=$here/shim

case "$mode" in
    wasm)
        out=$here/wasm
        cc=(clang --target=wasm32-wasi -O2)
        ldflags=(-Wl,--strip-all)
        qjs_stack=(-Wl,-z,stack-size=1048576)
        ext=.wasm
        ;;
    native)
        out=$(mkdir -p "${3:?usage: build.sh native SRC OUT}" && cd "$3" && pwd)
        cc=(${CC:-gcc} -O2)
        ldflags=()
        qjs_stack=()
        ext=
        ;;
    *)
        echo "usage: build.sh wasm|native SRC [OUT]" >&2
        exit 64
        ;;
esac
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Paths compiled into the programs (assert messages name their source file) must not depend on
# where SRC, this directory or the temporary copy are, so that a rebuild gives the same bytes.
cc+=(-ffile-prefix-map="$src"=src -ffile-prefix-map="$work"=src -ffile-prefix-map="$here"=corpus)

# Lua 5.4.7: the standalone interpreter lua.c with all libraries. WASI has no setjmp/longjmp
# (wasi-libc needs the exception-handling proposal for them), so errors abort instead of
# unwinding: LUAI_THROW is abort() and LUAI_TRY runs its block directly. The benchmark scripts
# never raise an error. os.execute, os.tmpname and io.tmpfile fail cleanly (no processes or
# temporary files in WASI). The native build keeps Lua's ordinary longjmp error handling.
lua_src=$(ls "$src"/lua/*.c | grep -v -E '/(ltests|onelua)\.c$')
if [[ $mode == wasm ]]; then
    # shellcheck disable=SC2086
    "${cc[@]}" -I"$shim" -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS \
        -D'LUAI_THROW(L,c)=abort()' -D'LUAI_TRY(L,c,a)=a' -Dluai_jmpbuf=int \
        -D'l_system(cmd)=((cmd)==NULL?0:-1)' -D'lua_tmpnam(b,e)={e=1;}' -DLUA_TMPNAMBUFSIZE=32 \
        $lua_src "$shim/luastubs.c" -o "$out/lua$ext" "${ldflags[@]}" \
        -lwasi-emulated-signal -lwasi-emulated-process-clocks -lm
else
    # shellcheck disable=SC2086
    "${cc[@]}" -DLUA_USE_LINUX $lua_src -o "$out/lua$ext" -lm -ldl
fi

# zlib 1.3.1 with our driver zbench.c (one-shot compress2/uncompress of generated text).
z=$src/zlib
"${cc[@]}" -I"$z" "$z"/{adler32,compress,crc32,deflate,infback,inffast,inflate,inftrees,trees,uncompr,zutil}.c \
    "$drivers/zbench.c" -o "$out/zlib$ext" "${ldflags[@]}"

# bzip2 1.0.8's libbz2 with our driver bzbench.c.
b=$src/bzip2
"${cc[@]}" -I"$b" "$b"/{blocksort,huffman,crctable,randtable,compress,decompress,bzlib}.c \
    "$drivers/bzbench.c" -o "$out/bzip2$ext" "${ldflags[@]}"

# QuickJS with our host qjsrun.c instead of quickjs-libc. Patch: no Atomics (they need threads)
# and no stack-depth check (it assumes a native stack; wasm32-wasi's shadow stack is in linear memory).
# The shadow stack is 1 MiB instead of wasm-ld's 64 KiB default, for the recursive parser and interpreter.
q=$work/quickjs
cp -r "$src/quickjs" "$q"
patch -s -d "$q" -p1 < "$here/patches/quickjs-wasi.patch"
"${cc[@]}" -I"$q" -I"$shim" -D_GNU_SOURCE -DCONFIG_VERSION="\"$(cat "$q/VERSION")\"" \
    "$q"/{quickjs,dtoa,libregexp,libunicode,cutils}.c "$drivers/qjsrun.c" -o "$out/quickjs$ext" \
    "${ldflags[@]}" "${qjs_stack[@]}" -lm

# LZ4 (block API, fast and HC) with our driver lz4bench.c.
l=$src/lz4/lib
"${cc[@]}" -I"$l" "$l"/{lz4,lz4hc,xxhash}.c "$drivers/lz4bench.c" -o "$out/lz4$ext" "${ldflags[@]}"

# stb_image and stb_image_write (PNG and JPEG codecs) with our driver imgbench.c.
"${cc[@]}" -I"$src/stb" "$drivers/imgbench.c" -o "$out/stb_image$ext" "${ldflags[@]}" -lm

# tiny-regex-c with our driver rebench.c.
"${cc[@]}" -I"$src/tre" "$src/tre/re.c" "$drivers/rebench.c" -o "$out/tiny-regex$ext" "${ldflags[@]}"

ls -l "$out"
