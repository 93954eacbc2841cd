;; Tags linked between modules (cella wast numbers every module's tags in one namespace): an
;; exception keeps its tag from one instance to another, through handlers that do not take it and
;; through catch_all and rethrow, and a tag of the same type defined elsewhere is another tag.

(module $a
  (tag $e (export "e") (param i32))
  (func (export "throw") (param i32) (throw $e (local.get 0)))
)
(register "a" $a)

(module $b
  (import "a" "throw" (func $throw (param i32)))
  (tag $own (param i32))
  ;; a handler for another tag: a's exception passes through it
  (func (export "pass") (param i32)
    (try (do (call $throw (local.get 0))) (catch $own (drop))))
  ;; catch_all, then rethrow: still a's exception
  (func (export "rethrow") (param i32)
    (try (do (call $throw (local.get 0))) (catch_all (rethrow 0))))
  ;; b's own tag, thrown through a handler for another
  (func (export "own") (param i32)
    (try (do (throw $own (local.get 0))) (catch_all (rethrow 0))))
)
(register "b" $b)

(module $c
  (import "a" "e" (tag $e (param i32)))
  (import "b" "pass" (func $pass (param i32)))
  (import "b" "rethrow" (func $rethrow (param i32)))
  (import "b" "own" (func $own (param i32)))
  (func (export "through-pass") (param i32) (result i32)
    (try (result i32) (do (call $pass (local.get 0)) (i32.const -1)) (catch $e)))
  (func (export "through-rethrow") (param i32) (result i32)
    (try (result i32) (do (call $rethrow (local.get 0)) (i32.const -1)) (catch $e)))
  (func (export "not-mine") (param i32) (result i32)
    (try (result i32) (do (call $own (local.get 0)) (i32.const -1))
      (catch $e (i32.const 1000) (i32.add))
      (catch_all (i32.const 99))))
)
(assert_return (invoke "through-pass" (i32.const 7)) (i32.const 7))
(assert_return (invoke "through-rethrow" (i32.const 8)) (i32.const 8))
(assert_return (invoke "not-mine" (i32.const 9)) (i32.const 99))

;; the same type defined again is another tag
(module $d
  (import "a" "throw" (func $throw (param i32)))
  (tag $e (param i32))
  (func (export "other-tag") (param i32) (result i32)
    (try (result i32) (do (call $throw (local.get 0)) (i32.const -1))
      (catch $e)
      (catch_all (i32.const 99))))
)
(assert_return (invoke "other-tag" (i32.const 1)) (i32.const 99))
(assert_exception (invoke $b "rethrow" (i32.const 2)))

;; link errors: another type, a name that is not exported, a function where a tag is expected
(assert_unlinkable (module (import "a" "e" (tag (param i64)))) "incompatible import type")
(assert_unlinkable (module (import "a" "e" (tag))) "incompatible import type")
(assert_unlinkable (module (import "a" "nope" (tag (param i32)))) "unknown import")
(assert_unlinkable (module (import "a" "throw" (tag (param i32)))) "incompatible import type")
