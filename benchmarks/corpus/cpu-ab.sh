#!/usr/bin/env bash
# A/B whole-process CPU seconds (user + system) of corpus programs, the variants run back to back
# per program, for machines too loaded for wall times (docs/performance.md, "Tiering policy").
#
#   benchmarks/corpus/cpu-ab.sh VARIANTS [PROGRAM-REGEX] [RUNS]
#
# VARIANTS: a file, one variant a line: LABEL|JAR|JVM OPTIONS|ENGINE[|CELLA OPTIONS], for example
#   interp|tools/target/cella.jar||interp
#   auto-c1|/tmp/main.jar|-XX:TieredStopAtLevel=1|auto|--no-cache
#   jit-warm|tools/target/cella.jar|-XX:TieredStopAtLevel=1|jit|--cache-dir /tmp/warm
# (a variant with a cache directory measures repeated runs once a first run has filled it:
# docs/performance.md, "Class cache").
# Prints one line per run: program, label, CPU s, wall s, ok or WRONG (standard output against
# expected/NAME.out), load average, fuel used (from --stats). Needs $JAVA_HOME or java 21+ on PATH.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
variants=$1
only=${2:-.*}
runs=${3:-1}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' "$here/programs.txt" | while IFS='|' read -r name wasm mount args _; do
    name=$(echo $name); wasm=$(echo $wasm); mount=$(echo $mount)
    [[ $name =~ ^($only)$ ]] || continue
    m=()
    [[ $mount == - ]] || m=(--mount "$here/${mount%%:*}:${mount#*:}")
    for _ in $(seq "$runs"); do
        while IFS='|' read -r label jar opts engine cella; do
            [[ -z $label || $label == \#* ]] && continue
            # shellcheck disable=SC2086 # opts and args are word lists, split on purpose
            /usr/bin/time -f '%U %S %e' -o "$tmp/time" "$java" $opts -jar "$jar" run --engine "$engine" ${cella:-} --stats \
                "${m[@]}" "$here/wasm/$wasm" $args > "$tmp/out" 2> "$tmp/err" < /dev/null || true
            ok=ok
            cmp -s "$tmp/out" "$here/expected/$name.out" || ok=WRONG
            read -r user sys wall < <(tail -1 "$tmp/time")
            fuel=$(grep 'fuel used' "$tmp/err" | tr -dc 0-9)
            printf '%s %s %.2f %.2f %s %s %s\n' "$name" "$label" "$(echo "$user + $sys" | bc)" "$wall" "$ok" \
                "$(cut -d' ' -f1 /proc/loadavg)" "${fuel:--}"
        done < "$variants"
    done
done
