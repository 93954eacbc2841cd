;; Table-driven CRC-32 (IEEE, reflected, polynomial 0xEDB88320) over len bytes of a
;; generated buffer: byte k = (k * 7 + 3) & 255. Table at 0 (1 KiB), data at 1024.
(module
  (memory (export "memory") 17)
  (func (export "crc32") (param $len i32) (result i32)
    (local $i i32) (local $k i32) (local $c i32) (local $crc i32)
    ;; build the table
    (block $tdone (loop $tloop
      (br_if $tdone (i32.ge_u (local.get $i) (i32.const 256)))
      (local.set $c (local.get $i))
      (local.set $k (i32.const 0))
      (block $bdone (loop $bloop
        (br_if $bdone (i32.ge_u (local.get $k) (i32.const 8)))
        (local.set $c
          (if (result i32) (i32.and (local.get $c) (i32.const 1))
            (then (i32.xor (i32.shr_u (local.get $c) (i32.const 1)) (i32.const 0xEDB88320)))
            (else (i32.shr_u (local.get $c) (i32.const 1)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $bloop)))
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $c))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $tloop)))
    ;; fill the data
    (local.set $i (i32.const 0))
    (block $fdone (loop $floop
      (br_if $fdone (i32.ge_u (local.get $i) (local.get $len)))
      (i32.store8 offset=1024 (local.get $i)
        (i32.and (i32.add (i32.mul (local.get $i) (i32.const 7)) (i32.const 3)) (i32.const 255)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $floop)))
    ;; checksum
    (local.set $crc (i32.const -1))
    (local.set $i (i32.const 0))
    (block $cdone (loop $cloop
      (br_if $cdone (i32.ge_u (local.get $i) (local.get $len)))
      (local.set $crc
        (i32.xor
          (i32.load (i32.shl
            (i32.and (i32.xor (local.get $crc) (i32.load8_u offset=1024 (local.get $i))) (i32.const 255))
            (i32.const 2)))
          (i32.shr_u (local.get $crc) (i32.const 8))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $cloop)))
    (i32.xor (local.get $crc) (i32.const -1))))
