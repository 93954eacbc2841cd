#!/usr/bin/env bash
# Runs upstream projects' own test suites in cells (see README.md); fetches nothing.
#
#   examples/upstream-tests/run.sh lua     LUA_SRC   [ENGINE...]   Lua 5.4.7's testes/
#   examples/upstream-tests/run.sh quickjs QJS_SRC   [ENGINE...]   QuickJS's tests/
#   examples/upstream-tests/run.sh bzip2   BZIP2_SRC [ENGINE...]   bzip2 1.0.8's `make test`
#
# SRC is an export of the upstream commit README.md names. ENGINEs are cella's (interp, jit,
# auto; default interp and jit) and `native`, which runs the native build given by $NATIVE (a
# lua, qjs or bzip2 executable built from the same sources) on the same files, for comparison.
# Each file runs in a fresh copy of the test folder, mounted as the cell's root (the tests find
# each other by relative names), with an empty directory tmp/ in it for /tmp; the file lists
# (lua-tests.txt, quickjs-tests.txt) say what runs and what is skipped and why, and the patches
# (lua-tests.patch, quickjs-tests.patch) turn off the cases that cannot pass under WASI, each
# with its reason. A file passes when it exits 0. Prints one line per file and engine and a
# summary per engine; logs go to $OUT (default target/upstream-tests). Exits 1 if any failed.
# $TIMEOUT bounds each file (default 1800 s: errors.lua takes minutes on the interpreter);
# $ONLY, a space-separated list of file names, runs just those.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
suite=${1:?usage: run.sh lua|quickjs|bzip2 SRC [ENGINE...]}
src=$(cd "${2:?usage: run.sh lua|quickjs|bzip2 SRC [ENGINE...]}" && pwd)
shift 2
engines=("$@")
[[ ${#engines[@]} -gt 0 ]] || engines=(interp jit)
out=${OUT:-$root/target/upstream-tests}
timeout=${TIMEOUT:-1800}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

case "$suite" in
    lua)
        tests=$src/testes list=$here/lua-tests.txt patchfile=$here/lua-tests.patch
        wasm=$root/examples/exceptions/lua.wasm
        ;;
    quickjs)
        tests=$src/tests list=$here/quickjs-tests.txt patchfile=$here/quickjs-tests.patch
        wasm=$here/qjs.wasm
        ;;
    bzip2)
        tests=$src list= patchfile=
        wasm=$root/examples/bzip2/bzip2.wasm
        ;;
    *)
        echo "run.sh: unknown suite $suite (lua, quickjs or bzip2)" >&2
        exit 64
        ;;
esac
for e in "${engines[@]}"; do
    if [[ $e == native && ! -x ${NATIVE:-} ]]; then
        echo "run.sh: engine native needs NATIVE=the native executable" >&2
        exit 64
    fi
done

# A fresh copy of the test folder in $work/dir, patched, with an empty tmp/ (a cell's mounts
# cannot nest, so /tmp is the root mount's tmp/).
fresh() {
    rm -rf "$work/dir"
    cp -r "$tests" "$work/dir"
    mkdir "$work/dir/tmp"
    if [[ -n $patchfile ]]; then
        patch -s -d "$work/dir" -p1 < "$patchfile"
    fi
    if [[ $suite == lua ]]; then
        cp "$here/subset/lua/tmpfiles.lua" "$work/dir/"
    fi
}

# Runs the program on ENGINE with ARGS in $work/dir, its output in LOG; returns its exit status.
# stdin is empty (a cell's default; natively /dev/null), so neither side sees a terminal.
run_one() {
    local engine=$1 log=$2
    shift 2
    if [[ $engine == native ]]; then
        (cd "$work/dir" && TMPDIR=$work/dir/tmp timeout "$timeout" "$NATIVE" "$@" < /dev/null > "$log" 2>&1)
    else
        timeout "$timeout" "$root/bin/cella" run --engine "$engine" --timeout "${timeout}s" \
            --mount "$work/dir:/:rw" --env PATH=/bin \
            "$wasm" "$@" < /dev/null > "$log" 2>&1
    fi
}

declare -A passed failed skipped
failures=()
report() { # ENGINE NAME RESULT SECONDS
    printf '%-7s %-22s %-5s %ss\n' "$1" "$2" "$3" "$4"
}

# The bzip2 suite is upstream's `make test`: three samples compressed at -1, -2 and -3 and
# decompressed (the third with -s), each compared with the reference file.
bzip2_suite() {
    local engine=$1 level name sample ok
    for level in 1 2 3; do
        sample=sample$level
        for name in "$sample compress" "$sample decompress"; do
            fresh
            local start=$SECONDS
            ok=fail
            if [[ $name == *compress && $name != *decompress ]]; then
                if run_bzip2 "$engine" "-$level" "$work/dir/$sample.ref" "$work/out" \
                        && cmp -s "$work/out" "$work/dir/$sample.bz2"; then
                    ok=pass
                fi
            else
                local flags=-d
                [[ $level == 3 ]] && flags=-ds
                if run_bzip2 "$engine" "$flags" "$work/dir/$sample.bz2" "$work/out" \
                        && cmp -s "$work/out" "$work/dir/$sample.ref"; then
                    ok=pass
                fi
            fi
            tally "$engine" "${name// /-}" "$ok" $((SECONDS - start))
        done
    done
}

run_bzip2() { # ENGINE FLAGS IN OUT: bzip2 FLAGS < IN > OUT
    if [[ $1 == native ]]; then
        timeout "$timeout" "$NATIVE" "$2" < "$3" > "$4"
    else
        timeout "$timeout" "$root/bin/cella" run --engine "$1" --stdin - "$wasm" "$2" < "$3" > "$4"
    fi
}

tally() { # ENGINE NAME pass|fail|skip SECONDS
    case "$3" in
        pass) passed[$1]=$((${passed[$1]:-0} + 1)) ;;
        skip) skipped[$1]=$((${skipped[$1]:-0} + 1)) ;;
        fail)
            failed[$1]=$((${failed[$1]:-0} + 1))
            failures+=("$1 $2")
            ;;
    esac
    report "$1" "$2" "$3" "$4"
}

for engine in "${engines[@]}"; do
    if [[ $suite == bzip2 ]]; then
        bzip2_suite "$engine"
        continue
    fi
    while read -r name how rest; do
        [[ -z $name || $name == \#* ]] && continue
        [[ -z ${ONLY:-} || " $ONLY " == *" $name "* ]] || continue
        if [[ $how == skip ]]; then
            tally "$engine" "$name" skip 0
            continue
        fi
        # The list's arguments field is ours (reviewed, committed), so eval only splits quotes.
        eval "args=($rest)"
        [[ ${#args[@]} -gt 0 ]] || args=("$name")
        if [[ $suite == lua ]]; then
            args=(-e _port=true -l tmpfiles "${args[@]}")
        fi
        fresh
        start=$SECONDS
        log=$out/$suite-$engine-$name.log
        if run_one "$engine" "$log" "${args[@]}"; then
            tally "$engine" "$name" pass $((SECONDS - start))
        else
            tally "$engine" "$name" fail $((SECONDS - start))
        fi
    done < "$list"
done

echo
for engine in "${engines[@]}"; do
    echo "$suite on $engine: ${passed[$engine]:-0} passed, ${failed[$engine]:-0} failed, ${skipped[$engine]:-0} skipped"
done
if [[ ${#failures[@]} -gt 0 ]]; then
    echo "failed: ${failures[*]} (logs in $out)"
    exit 1
fi
