;; A loop of indirect calls through a table of four (i32) -> i32 functions:
;; acc = table[i & 3](acc) for i in [0, n); returns acc.
(module
  (type $op (func (param i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $inc $dbl $xor $rot)
  (func $inc (type $op) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (type $op) (i32.add (local.get 0) (local.get 0)))
  (func $xor (type $op) (i32.xor (local.get 0) (i32.const 0x5bd1e995)))
  (func $rot (type $op) (i32.rotl (local.get 0) (i32.const 5)))
  (func (export "indirect") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $acc (call_indirect (type $op) (local.get $acc) (i32.and (local.get $i) (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $acc)))
