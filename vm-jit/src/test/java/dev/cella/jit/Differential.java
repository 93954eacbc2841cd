package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cella.isa.CellaException;
import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.vm.Engine;
import dev.cella.vm.GuestExit;
import dev.cella.vm.HostFunction;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.StateValidator;
import dev.cella.vm.Trap;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * Runs one program on several engines and compares everything observable: each call's results or
 * the exact failure (for a trap: kind, function and pc), the fuel used after each call, how often
 * the interrupt hook was polled (both engines poll at the same fuel points), the final memory
 * contents and globals.
 *
 * <p>The host functions a program may import are deterministic and the same for every engine:
 * {@code env.mix (i32, i64) -> i64} computes a value from its arguments; {@code env.burn (i32) ->
 * i32} consumes some of the instance's fuel (testing fuel hand-over around host calls); {@code
 * env.quit (i32) -> ()} ends the guest with a {@link GuestExit} when its argument is odd.
 */
final class Differential {
    private Differential() {}

    /** What one engine did with a program. */
    record Outcome(List<String> calls, byte[] memory, long[] globals, String tables) {
        String describe() {
            return String.join("\n", calls) + "\nglobals " + Arrays.toString(globals) + "\ntables " + tables
                    + "\nmemory hash " + Arrays.hashCode(memory);
        }
    }

    /** A program: its source, how to run it, and its limits (the stack in bytes, {@link InstanceOptions#maxStackBytes}). */
    record Program(String source, long[] args, long fuel, int maxDepth, int calls, long stackBytes) {
        /** A program with the largest stack. */
        Program(String source, long[] args, long fuel, int maxDepth, int calls) {
            this(source, args, fuel, maxDepth, calls, StateValidator.MAX_STACK_BYTES);
        }

        /** Its options for an instance. */
        InstanceOptions options() {
            return InstanceOptions.defaults().withFuel(fuel).withMaxCallDepth(maxDepth).withMaxStackBytes(stackBytes);
        }
        Module module() {
            Module m = Assembler.assemble(source, "generated.casm");
            Verifier.verify(m);
            return m;
        }

        @Override
        public String toString() {
            return "fuel " + fuel + ", max depth " + maxDepth + ", stack " + stackBytes + ", args " + Arrays.toString(args) + ", calls " + calls
                    + "\n" + source;
        }
    }

    static ImportResolver hosts() {
        return (module, name, type) -> switch (name) {
            case "mix" -> (HostFunction) (instance, a) -> (int) a[0] * 31L + a[1] * 7L;
            case "burn" -> (HostFunction) (instance, a) -> {
                long burn = Math.min(instance.fuelRemaining(), a[0] & 0xFF);
                instance.consumeFuelTo(instance.fuelRemaining() - burn);
                return burn;
            };
            case "quit" -> (HostFunction) (instance, a) -> {
                if ((a[0] & 1) != 0) {
                    throw new GuestExit((int) a[0]);
                }
                return 0;
            };
            default -> null;
        };
    }

    /** Runs {@code program}'s exported {@code main} {@code calls} times on an engine made by {@code engines}. */
    static Outcome run(Program program, Module module, Function<Module, Engine> engines) {
        Engine engine = engines.apply(module);
        Instance instance = new Instance(module, hosts(), program.options());
        int[] polls = new int[1];
        instance.interruptHook(i -> polls[0]++);
        int main = instance.exportedFunction("main");
        List<String> calls = new java.util.ArrayList<>();
        for (int c = 0; c < program.calls(); c++) {
            String what;
            try {
                long[] r = engine.invoke(instance, main, program.args());
                what = "returned " + describe(r, module.functionType(main));
            } catch (Trap t) {
                what = "trap " + t.kind() + " in function " + t.function() + " (" + t.functionName() + ") at pc "
                        + t.pc() + ": " + t.getMessage();
            } catch (GuestExit e) {
                what = "exit " + e.status();
            } catch (CellaException e) {
                what = e.getClass().getName() + ": " + e.getMessage();
            }
            calls.add(what + "; fuel used " + instance.fuelUsed() + ", remaining " + instance.fuelRemaining()
                    + ", interrupt polls " + polls[0]);
            if (!what.startsWith("returned")) {
                break;
            }
        }
        byte[] memory = instance.memory() == null ? new byte[0] : instance.memory().snapshot();
        StringBuilder tables = new StringBuilder();
        for (int t = 0; t < module.tables().size(); t++) {
            long[] elements = new long[instance.table(t).size()];
            for (int i = 0; i < elements.length; i++) {
                elements[i] = instance.table(t).get(i);
            }
            tables.append(Arrays.toString(elements));
        }
        return new Outcome(calls, memory, instance.globals().clone(), tables.toString());
    }

    private static String describe(long[] r, FuncType type) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < r.length; i++) {
            ValType t = type.results().get(i);
            sb.append(i == 0 ? "" : ", ").append(t).append(' ').append("0x").append(Long.toHexString(r[i]));
        }
        return sb.append(']').toString();
    }

    /** Asserts that every engine made by {@code others} does exactly what {@code reference} does. */
    @SafeVarargs
    static void assertAgree(Program program, Function<Module, Engine> reference, Function<Module, Engine>... others) {
        assertAgree(program, program.module(), reference, others);
    }

    /** As above, with the program's module already assembled (to share one among several runs). */
    @SafeVarargs
    static void assertAgree(Program program, Module module, Function<Module, Engine> reference,
            Function<Module, Engine>... others) {
        Outcome expected = run(program, module, reference);
        for (Function<Module, Engine> other : others) {
            Outcome actual = run(program, module, other);
            assertEquals(expected.calls(), actual.calls(), () -> "calls differ for\n" + program);
            assertEquals(Arrays.toString(expected.globals()), Arrays.toString(actual.globals()),
                    () -> "globals differ for\n" + program);
            assertEquals(expected.tables(), actual.tables(), () -> "tables differ for\n" + program);
            if (!Arrays.equals(expected.memory(), actual.memory())) {
                int at = Arrays.mismatch(expected.memory(), actual.memory());
                throw new AssertionError("memory differs at byte " + at + " (sizes " + expected.memory().length
                        + " and " + actual.memory().length + ") for\n" + program + "\n" + hex(expected.memory(), at)
                        + "\n" + hex(actual.memory(), at));
            }
        }
    }

    private static String hex(byte[] m, int at) {
        int from = Math.max(0, Math.min(at, m.length) - 8);
        int to = Math.min(m.length, from + 24);
        return HexFormat.ofDelimiter(" ").formatHex(m, from, to);
    }
}
