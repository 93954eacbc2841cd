/* setjmp and longjmp for wasm32-wasi through the exception-handling proposal, with LLVM's Wasm
 * SjLj lowering (clang -mllvm -wasm-enable-sjlj): Debian's wasi-libc has no <setjmp.h>. The
 * compiler rewrites every call of setjmp and longjmp into calls of the runtime in wasm-sjlj.c,
 * so these declarations only give the types; jmp_buf holds that runtime's record. */
#ifndef CELLA_SETJMP_H
#define CELLA_SETJMP_H

typedef struct {
    void *invocation;
    unsigned label;
    void *env;
    int value;
} jmp_buf[1];

int setjmp(jmp_buf env);
_Noreturn void longjmp(jmp_buf env, int value);

#endif
