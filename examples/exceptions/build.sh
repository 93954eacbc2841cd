#!/usr/bin/env bash
# Builds the exception-handling examples (see README.md) with Debian's clang 19; fetches nothing.
#
#   examples/exceptions/build.sh LUA_SRC     rewrites lua.wasm and exceptions.wasm (commit them)
#                                            and the expected outputs, from native builds
#
# LUA_SRC is an export of Lua 5.4.7 (github.com/lua/lua, tag v5.4.7, commit
# 1ab3208a1fceb12fca8f24ba57d6e13c5bff15e3), for example
#   git --git-dir=MIRROR archive 1ab3208a1fceb12fca8f24ba57d6e13c5bff15e3 | tar -x -C LUA_SRC
# Toolchain (Debian): clang-19 lld-19 wasi-libc libc++-19-dev-wasm32 libc++abi-19-dev-wasm32
# libclang-rt-19-dev-wasm32, and gcc/g++ for the native builds that give the expected outputs.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "${1:?usage: build.sh LUA_SRC}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc=(clang-19 --target=wasm32-wasi -O2 -ffile-prefix-map="$src"=src -ffile-prefix-map="$here"=examples)

# Lua 5.4.7 with its own error handling (LUAI_THROW is longjmp, LUAI_TRY setjmp): setjmp and
# longjmp through Wasm exceptions (-mllvm -wasm-enable-sjlj, our runtime/). os.execute, os.tmpname
# and io.tmpfile fail cleanly, as in the benchmark corpus (WASI has no processes or temporary files).
# The shadow stack (the C stack, in linear memory) is 1 MiB instead of wasm-ld's 64 KiB: Lua lets
# C calls nest 200 deep (LUAI_MAXCCALLS) before its "stack overflow" error, and 200 levels of a
# recursive string.gsub need more than 64 KiB, which ended in a trap (lua/cstack.lua).
lua_src=$(ls "$src"/*.c | grep -v -E '/(ltests|onelua)\.c$')
# shellcheck disable=SC2086
"${cc[@]}" -mllvm -wasm-enable-sjlj -I"$here/runtime" \
    -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS \
    -D'l_system(cmd)=((cmd)==NULL?0:-1)' -D'lua_tmpnam(b,e)={e=1;}' -DLUA_TMPNAMBUFSIZE=32 \
    $lua_src "$here/../../benchmarks/corpus/shim/luastubs.c" "$here/runtime/wasm-sjlj.c" \
    -o "$here/lua.wasm" -Wl,--strip-all -Wl,-z,stack-size=1048576 -lwasi-emulated-signal -lwasi-emulated-process-clocks -lm

# A C++ program with libc++ and exceptions (-fwasm-exceptions); runtime/cxxeh.cpp is the C++
# exception runtime that Debian's libc++abi for wasm32 (built without exceptions) lacks.
clang++-19 --target=wasm32-wasi -O2 -fwasm-exceptions -ffile-prefix-map="$here"=examples \
    "$here/exceptions.cpp" "$here/runtime/cxxeh.cpp" -o "$here/exceptions.wasm" -Wl,--strip-all

# Expected outputs: the same sources built natively (Lua with its ordinary longjmp).
# shellcheck disable=SC2086
gcc -O2 -DLUA_USE_LINUX $lua_src -o "$work/lua" -lm -ldl
"$work/lua" - < "$here/lua/errors.lua" > "$here/lua/errors.expected"
"$work/lua" "$here/lua/cstack.lua" > "$here/lua/cstack.expected"
g++ -O2 "$here/exceptions.cpp" -o "$work/exceptions"
"$work/exceptions" > "$here/exceptions.expected"
ls -l "$here"/*.wasm
