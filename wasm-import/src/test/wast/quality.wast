;; Programs whose translation is compared with hand-written Cella code (TranslationQualityTest
;; counts the instructions each executes); their results are checked here.
(module
  (memory 1)
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  ;; The number of primes below n (at most 65536), with one byte per number at address 0.
  (func (export "sieve") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $count i32)
    (memory.fill (i32.const 0) (i32.const 0) (local.get $n))
    (local.set $i (i32.const 2))
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.eqz (i32.load8_u (local.get $i)))
          (then
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (local.set $j (i32.mul (local.get $i) (local.get $i)))
            (block $inner_done
              (loop $inner
                (br_if $inner_done (i32.ge_u (local.get $j) (local.get $n)))
                (i32.store8 (local.get $j) (i32.const 1))
                (local.set $j (i32.add (local.get $j) (local.get $i)))
                (br $inner)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.get $count))
  ;; The dot product of two f64 vectors of n elements at a and b.
  (func (export "dot") (param $a i32) (param $b i32) (param $n i32) (result f64)
    (local $sum f64)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $sum (f64.add (local.get $sum)
          (f64.mul (f64.load (local.get $a)) (f64.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $sum))
  (func (export "fill") (param $a i32) (param $n i32) (param $v f64)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (f64.store (local.get $a) (local.get $v))
        (local.set $v (f64.add (local.get $v) (f64.const 1)))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next))))
)
(assert_return (invoke "fib" (i32.const 20)) (i32.const 6765))
(assert_return (invoke "sieve" (i32.const 100)) (i32.const 25))
(assert_return (invoke "sieve" (i32.const 65536)) (i32.const 6542))
(assert_return (invoke "fill" (i32.const 0) (i32.const 100) (f64.const 1)))
(assert_return (invoke "fill" (i32.const 800) (i32.const 100) (f64.const 2)))
(assert_return (invoke "dot" (i32.const 0) (i32.const 800) (i32.const 100)) (f64.const 343400))
