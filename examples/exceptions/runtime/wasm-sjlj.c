/* The runtime LLVM's Wasm SjLj lowering (clang -mllvm -wasm-enable-sjlj) calls, written for Cella
 * because Debian's wasi-libc lacks it.
 *
 * The lowering turns setjmp(env) in a function into __wasm_setjmp(env, label, invocation), where
 * label numbers that setjmp call within the function and invocation identifies this activation
 * of the function; it turns longjmp(env, value) into __wasm_longjmp(env, value), which throws the
 * exception of tag __c_longjmp (tag 1 of __builtin_wasm_throw) with a pointer to {env, value}.
 * Every function that calls setjmp catches that tag, asks __wasm_setjmp_test(env, invocation)
 * whether the buffer was set by this very activation (then it gets the label and resumes after
 * that setjmp with the value) and otherwise calls __wasm_longjmp again, which rethrows outward. */
#include <stdint.h>

struct record {
    void *invocation;
    uint32_t label;
    struct longjmp_args {
        void *env;
        int value;
    } args;
};

_Static_assert(sizeof(struct record) <= 16, "jmp_buf in setjmp.h must hold a struct record");

void __wasm_setjmp(void *env, uint32_t label, void *invocation) {
    struct record *r = env;
    r->invocation = invocation;
    r->label = label;
}

uint32_t __wasm_setjmp_test(void *env, void *invocation) {
    struct record *r = env;
    return r->invocation == invocation ? r->label : 0;
}

void __wasm_longjmp(void *env, int value) {
    struct record *r = env;
    r->args.env = env;
    r->args.value = value == 0 ? 1 : value; /* longjmp(env, 0) makes setjmp return 1 */
    __builtin_wasm_throw(1, &r->args);
}
