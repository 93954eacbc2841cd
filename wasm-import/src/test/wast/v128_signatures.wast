;; A v128 parameter or result travels as two i64 values in Cella, but (v128) and (i64 i64) stay
;; different function types: call_indirect traps when one is called as the other, within a module
;; and through a table or function of another module (docs/wasm.md, "Signatures with v128").

(module $A
  (type $v (func (param v128) (result i32)))
  (type $ii (func (param i64 i64) (result i32)))
  (type $to_v (func (result v128)))
  (type $to_ii (func (result i64 i64)))
  (func $f_ii (export "f_ii") (type $ii) (i32.wrap_i64 (i64.add (local.get 0) (local.get 1))))
  (func $f_v (export "f_v") (type $v) (i32x4.extract_lane 1 (local.get 0)))
  (func $make_v (type $to_v) (v128.const i32x4 1 2 3 4))
  (func $make_ii (type $to_ii) (i64.const 5) (i64.const 6))
  (table $t (export "tab") 4 funcref)
  (elem (table $t) (i32.const 0) func $f_ii $f_v $make_v $make_ii)

  (func (export "v_as_v") (result i32)
    (call_indirect $t (type $v) (v128.const i32x4 0 7 0 0) (i32.const 1)))
  (func (export "ii_as_ii") (result i32)
    (call_indirect $t (type $ii) (i64.const 3) (i64.const 4) (i32.const 0)))
  (func (export "ii_as_v") (result i32)
    (call_indirect $t (type $v) (v128.const i64x2 3 4) (i32.const 0)))
  (func (export "v_as_ii") (result i32)
    (call_indirect $t (type $ii) (i64.const 0x700000000) (i64.const 0) (i32.const 1)))
  (func (export "to_v_as_to_v") (result i32)
    (i32x4.extract_lane 3 (call_indirect $t (type $to_v) (i32.const 2))))
  (func (export "to_ii_as_to_ii") (result i64)
    (i64.add (call_indirect $t (type $to_ii) (i32.const 3))))
  (func (export "to_ii_as_to_v") (result i32)
    (i32x4.extract_lane 0 (call_indirect $t (type $to_v) (i32.const 3))))
  (func (export "to_v_as_to_ii") (result i64)
    (i64.add (call_indirect $t (type $to_ii) (i32.const 2))))
)
(register "A" $A)

(assert_return (invoke "v_as_v") (i32.const 7))
(assert_return (invoke "ii_as_ii") (i32.const 7))
(assert_trap (invoke "ii_as_v") "indirect call type mismatch")
(assert_trap (invoke "v_as_ii") "indirect call type mismatch")
(assert_return (invoke "to_v_as_to_v") (i32.const 4))
(assert_return (invoke "to_ii_as_to_ii") (i64.const 11))
(assert_trap (invoke "to_ii_as_to_v") "indirect call type mismatch")
(assert_trap (invoke "to_v_as_to_ii") "indirect call type mismatch")

;; The same calls through A's table from another module, whose types are its own.
(module $B
  (type $ii (func (param i64 i64) (result i32)))
  (type $v (func (param v128) (result i32)))
  (import "A" "tab" (table $t 4 funcref))
  (func (export "v_as_v") (result i32)
    (call_indirect $t (type $v) (v128.const i32x4 0 9 0 0) (i32.const 1)))
  (func (export "ii_as_ii") (result i32)
    (call_indirect $t (type $ii) (i64.const 4) (i64.const 5) (i32.const 0)))
  (func (export "ii_as_v") (result i32)
    (call_indirect $t (type $v) (v128.const i64x2 3 4) (i32.const 0)))
  (func (export "v_as_ii") (result i32)
    (call_indirect $t (type $ii) (i64.const 0x700000000) (i64.const 0) (i32.const 1)))
)

(assert_return (invoke "v_as_v") (i32.const 9))
(assert_return (invoke "ii_as_ii") (i32.const 9))
(assert_trap (invoke "ii_as_v") "indirect call type mismatch")
(assert_trap (invoke "v_as_ii") "indirect call type mismatch")

;; A function import checks the type of what it links to the same way.
(assert_unlinkable
  (module (import "A" "f_v" (func (param i64 i64) (result i32))))
  "incompatible import type")
(module (import "A" "f_ii" (func (param i64 i64) (result i32))))
