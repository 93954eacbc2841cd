#!/usr/bin/env bash
# The cluster goal of docs/cluster.md: N short cells (default 1000) run by `cella batch` on one JVM
# and by `cella cluster submit` on a three-member cluster (three JVMs on this machine, plain TCP
# on loopback); checks that every output file is identical and prints the wall and CPU seconds
# of each run (`/usr/bin/time`), runs alternating so that a busy machine hurts both alike.
#
#   benchmarks/cluster/bench.sh [CELLS] [ROUNDS]
#
# CELLA_NODE_JAVA_OPTS: JVM options of the members only (e.g. -Dcella.cluster.batch=false);
# CELLA_SUBMIT_ARGS: options of `cella cluster submit` (e.g. --segment-fuel 0); LOCAL=0 skips
# the local batch (A/B runs of the cluster alone); THREADS=1 also prints the members' CPU of each
# round by thread (the cells' carriers, Pekko's dispatchers, C1, GC...), as docs/cluster.md does.
#
# The members start once and are killed at the end (their PIDs only); the submitter and the
# local batch are fresh `cella` processes each round, so both include a JVM start.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cells=${1:-1000}
rounds=${2:-3}
mkdir -p "$work/local/out" "$work/remote/out"
for i in $(seq 0 $((cells - 1))); do
    echo "name=c$i binary=$root/examples/fib.casm args=\"$((14 + i % 8))\" stdout=out/c$i.txt"
done > "$work/batch.txt"
cp "$work/batch.txt" "$work/local/batch.txt"
cp "$work/batch.txt" "$work/remote/batch.txt"

p1=$(port); p2=$(port); p3=$(port)
c1=$(port) # the first member's client port, which the submitter talks to
for p in "$p1" "$p2" "$p3"; do
    client=$(port); [ "$p" = "$p1" ] && client=$c1
    CELLA_JAVA_OPTS="${CELLA_NODE_JAVA_OPTS:-${CELLA_JAVA_OPTS:-}}" "$cella" cluster node --port "$p" --client-port "$client" --seed "127.0.0.1:$p1" --cores 1 --memory 4G \
        > "$work/node-$p.log" 2>&1 &
    pids+=("$!")
done
for p in "$p1" "$p2" "$p3"; do
    for _ in $(seq 1 600); do grep -q "is up" "$work/node-$p.log" && break; sleep 0.1; done
done
"$cella" cluster status --to "127.0.0.1:$c1"

# CPU time the members have used so far, in clock ticks (user+sys from /proc/PID/stat, fields
# 14 and 15: 1/100 s on Linux), so that a round's share is exact to a hundredth of a second.
tck=$(getconf CLK_TCK)
members_cpu() {
    local total=0 p f
    for p in "${pids[@]}"; do
        read -ra f < "/proc/$p/stat" || continue
        total=$((total + f[13] + f[14])) # comm (field 2) has no spaces: "java"
    done
    echo "$total"
}
seconds() { python3 -c "print(f'{$1 / $tck:.2f}')"; }
# Every member thread's CPU ticks, one "tid name ticks" line each (the name is /proc's comm,
# which may hold spaces: it is the text between the first '(' and the last ')').
thread_ticks() {
    local p t s rest
    for p in "${pids[@]}"; do
        for t in /proc/"$p"/task/*; do
            s=$(cat "$t/stat" 2>/dev/null) || continue
            rest=${s##*) }
            read -ra f <<< "$rest"
            name=${s#*(}; name=${name%)*}
            echo "${t##*/} ${name// /_} $((f[11] + f[12]))"
        done
    done
}
# The ticks of each thread name (digits dropped: a pool's threads together) between two snapshots.
threads_used() {
    awk -v tck="$tck" 'NR == FNR { before[$1] = $3; next }
        { n = $2; gsub(/[0-9]+/, "#", n); used[n] += $3 - before[$1] }
        END { for (n in used) if (used[n] > 0) printf "  %6.2f s  %s\n", used[n] / tck, n }' "$1" "$2" | sort -rn
}

for r in $(seq 1 "$rounds"); do
    [ "${LOCAL:-1}" = 0 ] || (cd "$work/local" && /usr/bin/time -f "local   round $r: %e s wall, %U s user, %S s sys" \
        "$cella" batch batch.txt > /dev/null)
    before=$(members_cpu)
    [ "${THREADS:-0}" = 0 ] || thread_ticks > "$work/threads-before"
    (cd "$work/remote" && /usr/bin/time -f "cluster round $r: %e s wall, %U s user, %S s sys (submitter only)" \
        "$cella" cluster submit ${CELLA_SUBMIT_ARGS:-} --to "127.0.0.1:$c1" batch.txt > submit.log)
    echo "cluster round $r: members used $(seconds $(( $(members_cpu) - before ))) CPU seconds (user+sys)"
    if [ "${THREADS:-0}" != 0 ]; then
        thread_ticks > "$work/threads-after"
        threads_used "$work/threads-before" "$work/threads-after"
    fi
    [ "${LOCAL:-1}" = 0 ] || diff -r "$work/local/out" "$work/remote/out" > /dev/null || { echo "outputs differ in round $r"; exit 1; }
done
tail -1 "$work/remote/submit.log"
[ "${LOCAL:-1}" = 0 ] || echo "outputs identical: $cells files"
