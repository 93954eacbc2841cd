#!/usr/bin/env bash
# The migration figures of docs/cluster.md ("Measured"): a durable cell with 16 MiB of memory
# (examples/sieve.casm 16000000, interpreted so that it runs long enough to be moved twice) on a three-member cluster on loopback (plain TCP, default
# failure detector), moved twice:
#   drain: from `cella cluster drain` of the member running it to the resume on another member;
#   kill:  from `kill -9` of the member running it to the resume on another member.
# The resume time is the member's log line "resuming ... at T ms" (wall clock, one host), which
# is written when the new member starts restoring the segment.
# For the drain, the pause (docs/cluster.md, "Moving a cell"): from the moment the cell stopped
# executing on the drained member (its log line "handing ... over: stopped at T ms") to the moment
# it executes on the new one ("running ... at T ms").
#
#   benchmarks/cluster/migrate.sh
#   CELLA_JAVA_OPTS=-Dcella.cluster.handover=false benchmarks/cluster/migrate.sh   (the drain without handover)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ports=($(port) $(port) $(port))
declare -A pidOf clientOf
for p in "${ports[@]}"; do clientOf[$p]=$(port); done # each member's client port (submitters)
# The seed (the coordinator) offers less memory, so that the cell goes to the others first.
for p in "${ports[@]}"; do
    mem=1G; [ "$p" = "${ports[0]}" ] && mem=128M
    "$cella" cluster node --port "$p" --client-port "${clientOf[$p]}" --seed "127.0.0.1:${ports[0]}" --cores 1 --memory "$mem" > "$work/node-$p.log" 2>&1 &
    pids+=("$!")
    pidOf[$p]=$!
done
for p in "${ports[@]}"; do
    for _ in $(seq 1 600); do grep -q "is up" "$work/node-$p.log" && break; sleep 0.1; done
done
sleep 3 # every member's load reported
mkdir -p "$work/out"
echo "name=sieve binary=$root/examples/sieve.casm args=16000000 memory=64M engine=interp stdout=out/sieve.txt" > "$work/batch.txt"
now() { date +%s%3N; }

# Waits until a member other than the seed runs the cell and has committed a segment; prints its port.
running_on() {
    for _ in $(seq 1 600); do # 2 minutes at most
        "$cella" cluster status --to "127.0.0.1:${clientOf[${ports[0]}]}" > "$work/status" 2>/dev/null || true
        for p in "${ports[@]:1}"; do
            if awk -v m="127.0.0.1:$p" '$1 == m && $(NF-2) > 0 && $NF > 0 { found = 1 } END { exit !found }' "$work/status"; then
                echo "$p"; return
            fi
        done
        sleep 0.2
    done
    echo "the cell did not start on a member other than the seed within 2 minutes" >&2; exit 1
}
resumed_at() { # the time of the first line "$2 ... at T ms" (default: resuming) logged after $1 ms on any member
    for _ in $(seq 1 600); do
        t=$(grep -ho "${2:-resuming} .* at [0-9]* ms" "$work"/node-*.log | awk '{print $(NF-1)}' | awk -v a="$1" '$1 >= a' | head -1)
        [ -n "$t" ] && { echo "$t"; return; }
        sleep 0.05
    done
    echo "no resume logged" >&2; exit 1
}

"$cella" cluster submit --to "127.0.0.1:${clientOf[${ports[0]}]}" --segment-fuel 10000000 "$work/batch.txt" > "$work/submit.txt" 2>&1 &
sub=$!
victim=$(running_on)
t0=$(now)
"$cella" cluster drain --to "127.0.0.1:${clientOf[$victim]}" > /dev/null
t1=$(resumed_at "$t0")
td=$(grep -ho 'draining .* at [0-9]* ms' "$work/node-$victim.log" | awk '{print $(NF-1)}' | tail -1)
echo "drain: member $victim drained; resumed $((t1 - td)) ms after it received the drain ($((t1 - t0)) ms after the drain command started, its JVM start included)"
grep -h "resuming .* at $t1 ms" "$work"/node-*.log | head -1
tr=$(resumed_at "$t0" running)
ts=$(grep -ho 'stopped at [0-9]* ms' "$work/node-$victim.log" | awk '{print $(NF-1)}' | tail -1)
echo "pause: $((tr - ts)) ms from the cell's stop on member $victim to its run on the new member"
grep -h 'stopped at' "$work/node-$victim.log" | tail -1
grep -h 'pre-copy round' "$work/node-$victim.log" || true # the intermediate rounds, while the cell ran
grep -h "restored .* at [0-9]* ms\|running .* at $tr ms" "$work"/node-*.log | head -2
# Kill -9 whichever member runs it now (if the seed runs it, only the drain figure is measured).
# First the drained member leaves (its process ends), so that it is neither counted nor picked.
for _ in $(seq 1 300); do kill -0 "${pidOf[$victim]}" 2>/dev/null || break; sleep 0.1; done
other=
for _ in $(seq 1 100); do
    kill -0 "$sub" 2>/dev/null || break # the cell has ended
    "$cella" cluster status --to "127.0.0.1:${clientOf[${ports[0]}]}" > "$work/status" 2>/dev/null || true
    # A member that is up and runs a cell, is not the drained one and is one this script started.
    for p in $(awk -v s="127.0.0.1:${ports[0]}" '$1 ~ /^127/ && $1 != s && $2 == "up" && $(NF-2) > 0 { sub(/.*:/, "", $1); print $1 }' "$work/status"); do
        [ "$p" != "$victim" ] && [ -n "${pidOf[$p]:-}" ] && { other=$p; break; }
    done
    [ -n "$other" ] && break
    awk -v s="127.0.0.1:${ports[0]}" '$1 == s && $(NF-2) > 0 { f = 1 } END { exit !f }' "$work/status" && break
    sleep 0.2
done
# The split brain resolver (keep-majority) keeps the survivors only if they are more than half of
# the members, or exactly half and hold the lowest address (same host: the lowest port). Otherwise
# the survivors down themselves and the cell has nowhere to resume: not measured then.
survivors_kept() {
    awk -v k="127.0.0.1:$1" '$1 ~ /^127/ { n++; if ($1 != k) { s++; sub(/.*:/, "", $1); if (min == "" || $1 + 0 < min) min = $1 + 0 } }
        END { exit !(2 * s > n || (2 * s == n && min < k_port)) }' k_port="$1" "$work/status"
}
if [ -n "$other" ] && ! survivors_kept "$other"; then
    echo "kill -9: not measured in this run (killing member $other would leave the survivors without a majority)"
elif [ -n "$other" ]; then
    t2=$(now)
    kill -9 "${pidOf[$other]}"
    if t3=$(resumed_at "$t2" 2>/dev/null); then
        echo "kill -9: member $other killed; resumed $((t3 - t2)) ms later (failure detection included)"
        grep -h "resuming .* at $t3 ms" "$work"/node-*.log | head -1
    else
        echo "kill -9: member $other killed; no resume logged within 30 s"
    fi
else
    echo "kill -9: the cell moved to the seed member or ended first; not measured in this run"
fi
# The submitter's own limit is 300 s; wait at most as long, then say so rather than hang.
for _ in $(seq 1 3000); do kill -0 "$sub" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$sub" 2>/dev/null; then
    kill -9 "$sub" 2>/dev/null || true
    echo "the submitter did not finish within 300 s after the moves; stopped it"
fi
wait "$sub" || true
cat "$work/submit.txt"
echo "local: $("$cella" run "$root/examples/sieve.casm" 16000000)  cluster: $(cat "$work/out/sieve.txt")"
