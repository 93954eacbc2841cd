#!/usr/bin/env bash
# Converts the .wast scripts next to this file into the wast2json output the tests run (one folder
# per script under src/test/resources/wast), so that the tests need no WABT. Run it after editing a
# script; it needs wast2json (Debian: apt-get install wabt). When WABT's spectest-interp is present,
# every script is also run on WABT's own interpreter as an independent check of its expectations.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/../resources/wast"
command -v wast2json >/dev/null || { echo "wast2json not found: apt-get install wabt" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
cd "$here"
for script in *.wast; do
  name=$(basename "$script" .wast)
  mkdir -p "$out/$name"
  # --enable-exceptions: exceptions.wast uses the legacy exception-handling instructions
  wast2json --enable-exceptions "$script" -o "$out/$name/$name.json"
  if command -v spectest-interp >/dev/null; then
    # binary.wast holds a module with a broken name section, which the specification accepts and
    # WABT's reader rejects; its other checks are still reported.
    spectest-interp "$out/$name/$name.json" | tail -n 1 | sed "s/^/$name: wabt: /" || true
  fi
done
