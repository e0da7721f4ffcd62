(* SPDX-License-Identifier: MIT *)
(* gc_alloc ROUNDS [READY_FIFO QUIT_FIFO]

   An allocation-heavy OCaml program for the GC hooks' tests and the
   overhead benchmark.  Each round builds short-lived lists (minor
   collections), keeps a sliding window of longer-lived trees alive
   (promotion, major slices) and registers finalisers (finalisation).

   At the end it prints the collection counts Gc.quick_stat reads from the
   runtime, which the test compares with the spans in the trace.  So that
   no collection can follow that read:
   - Gc.minor () empties the minor heap first; what the program allocates
     afterwards (the stat record, the output) is a few hundred words, far
     below the minor heap (256k words) and below half of it (where a major
     slice is triggered), so neither a minor collection nor a slice can
     run before exit;
   - a second Gc.minor () on the now empty minor heap shows the 4.13
     semantics the count relies on: an empty minor heap is neither hooked
     nor counted (caml_empty_minor_heap does both only when the heap is not
     empty), so the printed count and the spans stay equal.

   It also prints the processor time it used (bench/gc compares it with
   and without the hooks).

   With two fifo paths it then says "ready" on the first and waits for a
   line on the second, so that a test can look at the trace while the
   program is still alive (mprof top). *)

type tree = Leaf | Node of tree * int * tree

let rec build d n = if d = 0 then Leaf else Node (build (d - 1) (2 * n), n, build (d - 1) (2 * n + 1))

let rec check = function Leaf -> 0 | Node (l, n, r) -> n + check l - check r

let finalised = ref 0

let () =
  let rounds = if Array.length Sys.argv > 1 then int_of_string Sys.argv.(1) else 200 in
  let window = Array.make 64 Leaf in
  let sum = ref 0 in
  for i = 1 to rounds do
    (* Short-lived: dies in the minor heap. *)
    for j = 1 to 200 do
      let l = List.init 100 (fun k -> (k * j) + i) in
      sum := !sum + List.fold_left ( + ) 0 (List.rev_map (fun x -> x land 7) l)
    done;
    (* Longer-lived: survives a few rounds, so it is promoted and the major
       heap has work. *)
    let t = build 10 i in
    window.(i land 63) <- t;
    sum := !sum + check window.((i * 7) land 63);
    if i mod 50 = 0 then Gc.finalise (fun _ -> incr finalised) (ref i)
  done;
  (* Run the finalisers (a gc.finalise span). *)
  Gc.full_major ();
  Gc.minor ();
  Gc.minor ();
  let s = Gc.quick_stat () in
  Printf.printf "checksum %d finalised %d\nminor_collections %d\nmajor_collections %d\n" (!sum land 0xffff) !finalised
    s.Gc.minor_collections s.Gc.major_collections;
  (* Processor time of the whole run, for bench/gc. *)
  Printf.printf "cpu_s %.6f\n" (Sys.time ());
  if Array.length Sys.argv > 3 then begin
    let ready = open_out Sys.argv.(2) in
    output_string ready "ready\n";
    close_out ready;
    let quit = open_in Sys.argv.(3) in
    (try ignore (input_line quit) with End_of_file -> ());
    close_in quit
  end
