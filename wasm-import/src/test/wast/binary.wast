;; The binary format: header, sections, LEB128 rules, names, custom sections, and malformed encodings.
(module binary "\00asm" "\01\00\00\00")
(module binary
  "\00asm" "\01\00\00\00"
  "\00\04\03abc"                          ;; a custom section before any other
  "\01\05\01\60\00\01\7f"                 ;; type: () -> i32
  "\00\05\04meta"                         ;; a custom section between two others
  "\03\02\01\00"                          ;; function 0 has type 0
  "\07\05\01\01f\00\00"                   ;; export "f" = function 0
  "\0a\0a\01\08\00\41\ff\ff\ff\ff\7f\0b"  ;; body: i32.const -1 (a signed LEB of the maximum length)
  "\00\02\01x"                            ;; a custom section at the end
)
(assert_return (invoke "f") (i32.const -1))

;; A name section naming function 0; then a broken one, which must not invalidate the module (custom
;; section contents never do, by the specification; wabt's reader is stricter and rejects it).
(module binary
  "\00asm" "\01\00\00\00"
  "\01\05\01\60\00\01\7f"
  "\03\02\01\00"
  "\07\05\01\01g\00\00"
  "\0a\06\01\04\00\41\2a\0b"
  "\00\0d\04name\01\06\01\00\03add"
)
(assert_return (invoke "g") (i32.const 42))
(module binary
  "\00asm" "\01\00\00\00"
  "\01\05\01\60\00\01\7f"
  "\03\02\01\00"
  "\07\05\01\01g\00\00"
  "\0a\06\01\04\00\41\2a\0b"
  "\00\08\04name\01\09\01"
)
(assert_return (invoke "g") (i32.const 42))

(assert_malformed (module binary "") "unexpected end")
(assert_malformed (module binary "\00asm") "unexpected end")
(assert_malformed (module binary "asm\00\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "\00asm\0d\00\00\00") "unknown binary version")
(assert_malformed (module binary "\00asm\01\00\00\00\0e\00") "malformed section id")
(assert_malformed (module binary "\00asm\01\00\00\00\01\05\01\60\00\00") "section size mismatch")
(assert_malformed (module binary "\00asm\01\00\00\00\01\01") "unexpected end")
(assert_malformed (module binary "\00asm\01\00\00\00\03\01\00\01\01\00") "unexpected content after last section")
(assert_malformed (module binary "\00asm\01\00\00\00\01\04\01\60\00\00\01\04\01\60\00\00") "unexpected content after last section")
(assert_malformed (module binary "\00asm\01\00\00\00\01\04\01\61\00\00") "malformed function type")
(assert_malformed (module binary "\00asm\01\00\00\00\01\05\01\60\01\7a\00") "malformed value type")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00")
  "function and code section have inconsistent lengths")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\0a\04\01\02\00\0b")
  "function and code section have inconsistent lengths")
;; LEB128: a type index of six bytes is too long; a u32 with bits past 32 is too large.
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\07\01\80\80\80\80\80\00")
  "integer representation too long")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\06\01\80\80\80\80\10")
  "integer too large")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\05\01\60\00\01\7f" "\03\02\01\00"
    "\0a\0a\01\08\00\41\80\80\80\80\70\0b")
  "integer too large")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\05\01\60\00\01\7e" "\03\02\01\00"
    "\0a\0f\01\0d\00\42\80\80\80\80\80\80\80\80\80\7e\0b")
  "integer too large")
;; Names must be UTF-8.
(assert_malformed (module binary "\00asm\01\00\00\00\00\02\01\ff") "malformed UTF-8 encoding")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\02\07\01\02\c0\80\01a\00\00")
  "malformed UTF-8 encoding")
;; Instructions.
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\0a\05\01\03\00\ff\0b")
  "illegal opcode")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
    "\0a\07\01\05\00\3f\01\1a\0b")
  "zero byte expected")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
    "\0a\0b\01\09\00\41\00\41\00\41\00\fc\08\00\00\0b" "\0b\03\01\01\00")
  "data count section required")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\0a\04\01\02\00\00")
  "unexpected end")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\0a\05\01\03\00\0b\0b")
  "section size mismatch")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00"
    "\0a\0c\01\0a\02\ff\ff\ff\ff\0f\7f\02\7e\0b")
  "too many locals")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\05\03\01\08\01")
  "integer too large")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\0c\01\02" "\0b\01\00")
  "data count and data section have inconsistent lengths")
