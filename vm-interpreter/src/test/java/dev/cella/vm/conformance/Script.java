package dev.cella.vm.conformance;

import dev.cella.isa.ValType;
import java.util.List;

/**
 * A parsed conformance script ({@code .cst}, see {@code docs/conformance.md}): modules in Cella
 * assembly, each followed by the assertions that run against it.
 *
 * @param file the script's name, used in test names and messages
 * @param commands the commands in file order
 */
public record Script(String file, List<Command> commands) {

    public Script {
        commands = List.copyOf(commands);
    }

    /** Number of commands that check something (every command but a plain module). */
    public long assertionCount() {
        return commands.stream().filter(c -> !(c instanceof ModuleCommand)).count();
    }

    /** One line-level command of a script. */
    public sealed interface Command permits ModuleCommand, Invoke, AssertReturn, AssertTrap, AssertGlobal,
            AssertRejected {
        /** The 1-based line of the command in its script. */
        int line();

        /** The command as written (its first line, without a trailing comment), for test names. */
        String text();
    }

    /**
     * A module text: {@code (module ... )}. It becomes the current module that later assertions
     * run against.
     *
     * @param source the Cella assembly between the opening and closing lines, preceded by as many
     *     empty lines as come before it in the script, so that assembler errors give script lines
     */
    public record ModuleCommand(int line, String text, String source) implements Command {}

    /** {@code invoke CALL}: runs a function for its effects; it must not trap. */
    public record Invoke(int line, String text, Call call) implements Command {}

    /**
     * {@code assert_return CALL [= V, ...] [fuel_left N] [fuel_used N]}: the call returns exactly
     * these values, bit for bit.
     */
    public record AssertReturn(int line, String text, Call call, List<Value> results, FuelCheck fuel)
            implements Command {
        public AssertReturn {
            results = List.copyOf(results);
        }
    }

    /**
     * {@code assert_trap CALL "message" [pc N] [in FUNC] [fuel_left N] [fuel_used N]}: the call
     * traps with the trap kind whose message is {@code message}.
     *
     * @param pc the expected pc of the trap, or -1 if not checked
     * @param function the name of the function expected to trap, or null if not checked
     */
    public record AssertTrap(int line, String text, Call call, String message, int pc, String function,
            FuelCheck fuel) implements Command {}

    /** {@code assert_global NAME = V}: the exported global NAME currently holds V, bit for bit. */
    public record AssertGlobal(int line, String text, String global, Value value) implements Command {}

    /**
     * {@code assert_invalid}, {@code assert_malformed} or {@code assert_unlinkable}: a module that
     * must be rejected at the given stage, with a message containing {@code reason}. It does not
     * replace the current module.
     */
    public record AssertRejected(int line, String text, Stage stage, String source, String reason)
            implements Command {}

    /** Where a rejected module must fail. */
    public enum Stage {
        /** The assembler throws {@code AssemblyException}. */
        MALFORMED("assert_malformed"),
        /** The verifier throws {@code VerifyException}. */
        INVALID("assert_invalid"),
        /** Instantiation throws {@code LinkException}. */
        UNLINKABLE("assert_unlinkable");

        /** The script keyword. */
        public final String keyword;

        Stage(String keyword) {
            this.keyword = keyword;
        }
    }

    /**
     * A call of an exported function.
     *
     * @param function the export name
     * @param args the arguments, raw bits with their types
     * @param fuel the fuel budget to run the call with, or -1 to leave the instance's fuel as it is
     */
    public record Call(String function, List<Value> args, long fuel) {
        public Call {
            args = List.copyOf(args);
        }
    }

    /**
     * Expected fuel after a call; -1 for a figure that is not checked.
     *
     * @param left fuel remaining after the call
     * @param used fuel consumed by the call
     */
    public record FuelCheck(long left, long used) {
        public static final FuelCheck NONE = new FuelCheck(-1, -1);
    }

    /**
     * A typed value held as raw bits, as engines hold it: an i32 sign-extended, an f32's bits
     * zero-extended, an f64's and i64's bits as they are.
     */
    public record Value(ValType type, long bits) {
        @Override
        public String toString() {
            return Literal.format(type, bits);
        }
    }
}
