package dev.cella.isa.verify;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import dev.cella.isa.code.CodeReader;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import org.junit.jupiter.api.Test;

/**
 * Verifier cases written in assembly for readability. The assembler resolves names but checks
 * no types or ranges, so invalid programs reach the verifier as written.
 */
class VerifierAssemblyTest {

    private static Module assemble(String source) {
        return Assembler.assemble(source, "test.casm");
    }

    /** The pc of instruction number {@code n} (from 0) of function {@code function}. */
    private static int pcOf(Module m, int function, int n) {
        CodeReader reader = new CodeReader(m.function(function).code(), 0);
        for (int i = 0; i < n; i++) {
            reader.next();
        }
        return reader.pc();
    }

    @Test
    void acceptsTheFibonacciExampleOfTheAssemblyGuide() {
        Module m = assemble("""
                func fib(n: i32) -> i32 {
                    reg a: i32, b: i32, two: i32
                    i32.const two, 2
                    i32.br_lt_s n, two, small
                    i32.const a, 1
                    i32.sub a, n, a
                    call fib, (a), (a)
                    i32.sub b, n, two
                    call fib, (b), (b)
                    i32.add a, a, b
                    ret a
                small:
                    ret n
                }
                """);
        assertDoesNotThrow(() -> Verifier.verify(m));
    }

    @Test
    void acceptsAnIndirectCallThroughATable() {
        Module m = assemble("""
                type binop (i32, i32) -> i32
                table ops 2
                elem ops 0 [add, add]
                func add(a: i32, b: i32) -> i32 {
                    i32.add a, a, b
                    ret a
                }
                func main(x: i32) -> i32 {
                    reg slot: i32
                    i32.const slot, 1
                    call_indirect binop, ops, slot, (x, x), (x)
                    ret x
                }
                """);
        assertDoesNotThrow(() -> Verifier.verify(m));
    }

    @Test
    void rejectsALoopThatFallsOffTheEnd() {
        Module m = assemble("""
                func count(n: i32) {
                    reg one: i32
                    i32.const one, 1
                top:
                    i32.sub n, n, one
                    br_if n, top
                }
                """);
        ModuleBuilder.assertRejected(m, 0, pcOf(m, 0, 2), "control falls off the end of the function after br_if");
    }

    @Test
    void rejectsWritingAGlobalDeclaredWithoutMut() {
        Module m = assemble("""
                global limit: i32 = 10
                func reset() {
                    reg zero: i32
                    i32.const zero, 0
                    i32.global_set limit, zero
                    ret
                }
                """);
        ModuleBuilder.assertRejected(m, 0, pcOf(m, 0, 1), "i32.global_set writes global g0 (limit), which is immutable");
    }

    @Test
    void rejectsCallingAFunctionWithItsArgumentsSwapped() {
        Module m = assemble("""
                func scale(x: f64, times: i32) -> f64 {
                    ret x
                }
                func main(v: f64, k: i32) -> f64 {
                    call scale, (k, v), (v)
                    ret v
                }
                """);
        ModuleBuilder.assertRejected(m, 1, 0, "argument 0 of call is register r1 (k) of type i32, but f64 is required");
    }

    @Test
    void rejectsStoringAnI64WithI32Store() {
        Module m = assemble("""
                memory 1
                func put(p: i32, v: i64) {
                    i32.store p, 0, v
                    ret
                }
                """);
        ModuleBuilder.assertRejected(m, 0, 0, "operand 2 of i32.store is register r1 (v) of type i64, but i32 is required");
    }

    @Test
    void rejectsReturningFewerValuesThanDeclared() {
        Module m = assemble("""
                func pair(a: i32) -> (i32, i32) {
                    ret a
                }
                """);
        ModuleBuilder.assertRejected(m, 0, 0, "ret lists 1 return value but the function's type (i32) -> (i32, i32) has 2 results");
    }

    @Test
    void rejectsAStartFunctionThatTakesAnArgument() {
        Module m = assemble("""
                start init
                func init(x: i32) {
                    ret
                }
                """);
        ModuleBuilder.assertRejected(m, -1, -1, "the start function 0 has type (i32) -> () but must have type () -> ()");
    }
}
