#!/usr/bin/env bash
# Steady state of the corpus by thread CPU per run (docs/performance.md, "Steady state under C2"):
# runs SteadyRuns (CorpusBenchmark's setup once, then its run() WARM + N times in one JVM) for
# each program, one JVM at a time, and prints a Markdown table of the median CPU ms per run
# next to the native build, with the geometric means against issue 12's goal (within 3x of
# native on the corpus, 5x on Lua).
#
#   benchmarks/corpus/steady.sh [REGEX]          every program whose name matches (default all)
#
# Environment: WARM (20) and N (5) runs; RUNTIMES (CELLA_JIT CHICORY_COMPILER); TIMEOUT (300 s per
# JVM); NATIVE_DIR, native builds from `build.sh native` (each timed here: median CPU ms of 5
# whole processes, perf stat's task-clock); without it the native column is the whole-process wall seconds recorded in
# docs/performance.md (2 decimals: a 0.01 s cell is 5-15 ms, mostly exec and process start).
# Needs benchmarks/target/benchmarks.jar (any bin/bench command builds it). Each JVM's output is
# kept in target/steady/PROGRAM.RUNTIME.log, to check that the last warm-up runs have levelled off.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
. bin/jdk.sh
JAVA_HOME=$(find_jdk)
jar=benchmarks/target/benchmarks.jar
[[ -f $jar ]] || { echo "steady: $jar missing; build it with bin/bench jmh -l" >&2; exit 66; }
only=${1:-.}
warm=${WARM:-20}
n=${N:-5}
read -r -a runtimes <<< "${RUNTIMES-CELLA_JIT CHICORY_COMPILER}"  # RUNTIMES= : native only
mkdir -p target/steady

# Whole-process wall seconds of the native build (gcc 12 -O2), from the session 4 corpus table.
declare -A recorded=(
    [lua-fib]=0.04 [lua-queens]=0.01 [lua-mandelbrot]=0.01 [lua-heapsort]=0.03 [lua-sieve]=0.01
    [lua-binarytrees]=0.03 [lua-spectralnorm]=0.01 [zlib-compress]=0.03 [zlib-decompress]=0.02
    [bzip2-compress]=0.02 [bzip2-decompress]=0.03 [quickjs-fib]=0.00 [quickjs-objects]=0.20
    [quickjs-strings]=0.02 [quickjs-nbody]=0.01 [lz4-compress]=0.06 [lz4-hc]=0.09
    [lz4-decompress]=0.01 [stb-image]=0.04 [tiny-regex]=0.02)

# native_ms NAME WASM MOUNT ARGS: the native figure in ms, or "" if none.
native_ms() {
    local name=$1 wasm=$2 mount=$3 args=$4
    if [[ -z ${NATIVE_DIR:-} ]]; then
        awk -v s="${recorded[$name]:-}" 'BEGIN { if (s != "" && s > 0) printf "%.0f", s * 1000 }'
        return
    fi
    local exe=$NATIVE_DIR/${wasm%.wasm} host guest
    if [[ $mount != - ]]; then
        host=$root/benchmarks/corpus/${mount%%:*} guest=${mount#*:}
        args=${args//$guest\//$host/}
    fi
    # shellcheck disable=SC2086 # the arguments are words
    # perf stat's task-clock: CPU ms of the whole process (exec and dynamic loading included,
    # about 1 ms); /usr/bin/time counts in 10 ms steps, too coarse for these programs.
    for _ in 1 2 3 4 5; do
        perf stat -x, -e task-clock -- "$exe" $args 2>&1 > /dev/null < /dev/null | grep task-clock
    done | awk -F, '{ print $1 }' | sort -n | sed -n 3p | awk '{ printf "%.1f", $1 }'
}

# steady NAME RUNTIME: the median CPU ms per run, or a failure note.
steady() {
    local log=target/steady/$1.$2.log
    if timeout "${TIMEOUT:-300}" "$JAVA_HOME/bin/java" -Xss16m -cp "$jar" dev.cella.bench.corpus.SteadyRuns \
        "$1" "$2" "$warm" "$n" > "$log" 2>&1; then
        sed -n 's/.*median \([0-9]*\),.*/\1/p' "$log"
    else
        echo "FAIL($?)"
    fi
}

header="| program |"
rule="| --- |"
for r in "${runtimes[@]}"; do header+=" $r ms |"; rule+=" ---: |"; done
echo "$header native ms | JIT / native |"
echo "$rule ---: | ---: |"
ratios=() lua=()
while IFS='|' read -r name wasm mount args _; do
    name=$(echo $name) wasm=$(echo $wasm) mount=$(echo $mount) args=$(echo $args)
    [[ -z $name || $name == \#* || ! $name =~ $only ]] && continue
    row="| $name |"
    jit=""
    for r in "${runtimes[@]}"; do
        ms=$(steady "$name" "$r")
        [[ $r == CELLA_JIT ]] && jit=$ms
        row+=" $ms |"
    done
    nat=$(native_ms "$name" "$wasm" "$mount" "$args")
    ratio=—
    if [[ $jit =~ ^[0-9]+$ && -n $nat && $nat != 0 && $nat != 0.0 ]]; then
        ratio=$(awk -v a="$jit" -v b="$nat" 'BEGIN { printf "%.1f", a / b }')
        ratios+=("$ratio")
        [[ $name == lua-* ]] && lua+=("$ratio")
    fi
    echo "$row ${nat:-—} | $ratio |"
done < benchmarks/corpus/programs.txt

geomean() { (($#)) && printf '%s\n' "$@" | awk '{ s += log($1); k++ } END { printf "%.2f (%d programs)", exp(s / k), k }' || echo "none"; }
echo
echo "JIT / native, geometric mean: $(geomean "${ratios[@]}") (goal: within 3x)"
echo "Lua only: $(geomean "${lua[@]}") (goal: within 5x)"
