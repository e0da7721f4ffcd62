#!/usr/bin/env bash
# make demo, GC part (docs/GC.md): an OCaml program and a Boehm GC program
# traced through their runtimes' own GC callbacks, then summarised.
set -euo pipefail
O=${O:-build}
MPROF=${MPROF:-$O/bin/mprof}
out=${DEMO_DIR:-demo-trace}
ocaml=$O/gc-hooks/ocaml/test/gc_alloc
boehm=$O/gc-hooks/boehm/test/boehm_alloc
mkdir -p "$out"
rm -rf "$out/gc-ocaml" "$out/gc-boehm"

echo "== GC: mprof record -o $out/gc-ocaml -- $ocaml 2000   (ocamlopt + gc-hooks/ocaml/mprof_gc_ocaml.o)"
"$MPROF" record -o "$out/gc-ocaml" -- "$ocaml" 2000
echo
echo "== mprof stats $out/gc-ocaml/gc_alloc-*   (one trace per process)"
"$MPROF" stats "$out"/gc-ocaml/*-[0-9]*
echo
echo "== GC: mprof record -o $out/gc-boehm -- $boehm 4 300   (Boehm GC, 4 threads)"
"$MPROF" record -o "$out/gc-boehm" -- "$boehm" 4 300
echo
echo "== mprof top --gc $out/gc-boehm/boehm_alloc-* --count 1   (live view; here of a finished trace)"
"$MPROF" top --gc "$out"/gc-boehm/*-[0-9]* --count 1
echo
echo "== babeltrace2 $out/gc-boehm | head -12"
babeltrace2 "$out/gc-boehm" | head -12 || true
