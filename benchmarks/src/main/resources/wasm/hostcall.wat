;; n small fd_write calls of one byte each to stdout (a null sink in the benchmark);
;; returns the total of the bytes-written counts.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "x")
  (func (export "hostcall") (param $n i32) (result i32)
    (local $i i32) (local $total i32)
    (i32.store (i32.const 0) (i32.const 16))   ;; iov.buf
    (i32.store (i32.const 4) (i32.const 1))    ;; iov.len
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $total (i32.add (local.get $total) (i32.load (i32.const 8))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $total)))
