;; Dense f64 matrix multiply C = A * B of n x n matrices, A[i][j] = i + j, B[i][j] = i - j
;; (as f64, scaled by 1/n); returns the sum of C's elements. A at 0, B at n*n*8, C at 2*n*n*8.
(module
  (memory (export "memory") 8)
  (func (export "matmul") (param $n i32) (result f64)
    (local $i i32) (local $j i32) (local $k i32) (local $sz i32) (local $b i32) (local $c i32)
    (local $acc f64) (local $sum f64) (local $scale f64)
    (local.set $sz (i32.mul (i32.mul (local.get $n) (local.get $n)) (i32.const 8)))
    (local.set $b (local.get $sz))
    (local.set $c (i32.add (local.get $sz) (local.get $sz)))
    (local.set $scale (f64.div (f64.const 1) (f64.convert_i32_s (local.get $n))))
    (local.set $i (i32.const 0))
    (block $idone (loop $iloop
      (br_if $idone (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_s (local.get $j) (local.get $n)))
        (f64.store
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 3))
          (f64.mul (f64.convert_i32_s (i32.add (local.get $i) (local.get $j))) (local.get $scale)))
        (f64.store
          (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 3)))
          (f64.mul (f64.convert_i32_s (i32.sub (local.get $i) (local.get $j))) (local.get $scale)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jloop)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iloop)))
    (local.set $i (i32.const 0))
    (block $idone2 (loop $iloop2
      (br_if $idone2 (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $j (i32.const 0))
      (block $jdone2 (loop $jloop2
        (br_if $jdone2 (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $acc (f64.const 0))
        (local.set $k (i32.const 0))
        (block $kdone (loop $kloop
          (br_if $kdone (i32.ge_s (local.get $k) (local.get $n)))
          (local.set $acc (f64.add (local.get $acc)
            (f64.mul
              (f64.load (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $k)) (i32.const 3)))
              (f64.load (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $n)) (local.get $j)) (i32.const 3)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kloop)))
        (f64.store (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 3)))
          (local.get $acc))
        (local.set $sum (f64.add (local.get $sum) (local.get $acc)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jloop2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iloop2)))
    (local.get $sum)))
