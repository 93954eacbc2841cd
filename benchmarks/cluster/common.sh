# Sourced by the cluster benchmarks: $root, $cella (built if needed), a scratch directory $work
# and the members' PIDs in $pids, both removed or killed (those PIDs only) on exit (the members'
# logs kept in $CELLA_BENCH_LOGS if set), and port,
# which prints a free TCP port on loopback.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cella="$root/bin/cella"
work=$(mktemp -d "${TMPDIR:-/tmp}/cella-cluster.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    # CELLA_BENCH_LOGS=DIR keeps the members' logs there.
    [ -n "${CELLA_BENCH_LOGS:-}" ] && mkdir -p "$CELLA_BENCH_LOGS" && cp "$work"/node-*.log "$CELLA_BENCH_LOGS"/ 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
"$cella" --version >/dev/null # builds the jar if needed
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
