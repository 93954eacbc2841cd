package dev.cella.vm.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.vm.Engine;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The runner itself, driven by fake engines whose behaviour each test fixes, so that these tests
 * show that every kind of assertion can fail (and passes when it should) independently of any
 * real engine.
 */
class ConformanceRunnerTest {
    private static final String MODULE = """
            (module
                global g: i32 mut = 7
                export global g
                func f(a: i32) -> f32 {
                    reg r: f32
                    f32.const r, nan
                    ret r
                }
                export func f
            )
            """;

    /** An engine that returns {@code results} from every call. */
    private static Function<Module, Engine> returning(long... results) {
        return module -> (instance, function, args) -> results.clone();
    }

    /** An engine whose every call traps with {@code kind} at {@code pc} in function 0, after using {@code fuel}. */
    private static Function<Module, Engine> trapping(TrapKind kind, int pc, long fuel) {
        return module -> (instance, function, args) -> {
            instance.consumeFuelTo(instance.fuelRemaining() - fuel);
            throw new Trap(kind, 0, "f", pc);
        };
    }

    /** Runs every test of {@code script} in order; the failure of each, or null where it passed. */
    private static List<Throwable> run(String script, Function<Module, Engine> engines) {
        DynamicContainer container = ConformanceSuite.tests(ScriptReader.read("self.cst", script), engines);
        List<Throwable> outcomes = new ArrayList<>();
        container.getChildren().forEach(node -> {
            try {
                ((DynamicTest) node).getExecutable().execute();
                outcomes.add(null);
            } catch (Throwable t) {
                outcomes.add(t);
            }
        });
        return outcomes;
    }

    private static AssertionFailedError failure(List<Throwable> outcomes, int index) {
        return assertInstanceOf(AssertionFailedError.class, outcomes.get(index));
    }

    @Test
    void passesWhenEveryBitOfTheResultMatches() {
        List<Throwable> o = run(MODULE + "assert_return f(i32:1) = f32:nan\n", returning(0x7fc00000L));
        assertNull(o.get(0));
        assertNull(o.get(1));
    }

    @Test
    void failsWhenTheResultDiffersInTheSignBitOfANaN() {
        List<Throwable> o = run(MODULE + "assert_return f(i32:1) = f32:nan\n", returning(0xffc00000L));
        AssertionFailedError e = failure(o, 1);
        assertTrue(e.getMessage().startsWith("self.cst:11 assert_return f(i32:1) = f32:nan: "), e.getMessage());
        assertTrue(e.getMessage().contains("0xffc00000"), e.getMessage());
    }

    @Test
    void failsWhenTheNumberOfResultsDiffers() {
        List<Throwable> o = run(MODULE + "assert_return f(i32:1) = f32:nan\n", returning(0x7fc00000L, 0));
        failure(o, 1);
    }

    @Test
    void failsWhenATrapWasExpectedButTheCallReturned() {
        List<Throwable> o = run(MODULE + "assert_trap f(i32:1) \"unreachable\"\n", returning(0x7fc00000L));
        assertTrue(failure(o, 1).getMessage().contains("the call returned [f32:nan (0x7fc00000)]"));
    }

    @Test
    void checksTheTrapKindPcFunctionAndFuel() {
        String script = MODULE + """
                assert_trap f(i32:1) "unreachable" pc 4 in f fuel_used 3
                assert_trap f(i32:1) "integer overflow"
                assert_trap f(i32:1) "unreachable" pc 5
                assert_trap f(i32:1) "unreachable" in f1
                assert_trap f(i32:1) "unreachable" fuel_used 2
                """;
        List<Throwable> o = run(script, trapping(TrapKind.UNREACHABLE, 4, 3));
        assertNull(o.get(1));
        assertTrue(failure(o, 2).getMessage().contains("expected trap \"integer overflow\""));
        assertTrue(failure(o, 3).getMessage().contains("pc 5"));
        assertTrue(failure(o, 4).getMessage().contains("no function named f1"));
        assertTrue(failure(o, 5).getMessage().contains("fuel used by the call"));
    }

    @Test
    void runsAFuelBudgetAndRestoresUnlimitedFuelAfterwards() {
        String script = MODULE + """
                assert_trap fuel 10 f(i32:1) "fuel exhausted" fuel_left 7
                assert_trap fuel 10 f(i32:1) "fuel exhausted" fuel_left 6
                assert_trap f(i32:1) "fuel exhausted" fuel_left 9223372036854775804
                """;
        List<Throwable> o = run(script, trapping(TrapKind.FUEL_EXHAUSTED, 0, 3));
        assertNull(o.get(1));
        failure(o, 2);
        assertNull(o.get(3));
    }

    @Test
    void checksExportedGlobals() {
        List<Throwable> o = run(MODULE + "assert_global g = i32:7\nassert_global g = i32:8\n", returning());
        assertNull(o.get(1));
        assertTrue(failure(o, 2).getMessage().contains("expected i32:8 (0x00000008) but was i32:7"), o.get(2).getMessage());
    }

    @Test
    void rejectsScriptErrorsAtRunTime() {
        String script = MODULE + """
                assert_return missing(i32:1) = f32:0.0
                assert_return f(i64:1) = f32:0.0
                assert_return f(i32:1) = i32:0
                """;
        List<Throwable> o = run(script, returning(0));
        assertTrue(failure(o, 1).getMessage().contains("no function named missing"));
        assertTrue(failure(o, 2).getMessage().contains("but the arguments are [i64]"));
        assertTrue(failure(o, 3).getMessage().contains("but the expected values are [i32]"));
    }

    @Test
    void invokeFailsWhenTheCallTraps() {
        List<Throwable> o = run(MODULE + "invoke f(i32:1)\n", trapping(TrapKind.UNREACHABLE, 0, 0));
        assertTrue(failure(o, 1).getMessage().contains("expected the call to complete"));
    }

    @Test
    void assertionsAfterAModuleThatDoesNotLoadFailNamingIt() {
        String script = """
                (module
                    func f() {
                        i32.nonsense
                    }
                )
                assert_return f()
                """;
        List<Throwable> o = run(script, returning());
        assertTrue(failure(o, 0).getMessage().contains("unknown mnemonic"));
        assertTrue(failure(o, 1).getMessage().contains("the module at self.cst:1 did not load"));
    }

    @Test
    void assemblerErrorsNameTheScriptLine() {
        String script = "; a comment\n\n(module\n    func f() {\n        i32.nonsense\n    }\n)\n";
        List<Throwable> o = run(script, returning());
        assertTrue(failure(o, 0).getMessage().contains("self.cst:5:"), o.get(0).getMessage());
    }

    @Test
    void rejectionAssertionsFailWhenTheModuleIsAccepted() {
        String script = """
                assert_invalid (module
                    func f() {
                        ret
                    }
                ) "anything"
                assert_malformed (module
                    func f() {
                        ret
                    }
                ) "anything"
                assert_unlinkable (module
                    import n "host" "nop" () -> ()
                ) "anything"
                """;
        List<Throwable> o = run(script, returning());
        assertEquals(3, o.size());
        for (Throwable t : o) {
            assertInstanceOf(AssertionFailedError.class, t);
            assertTrue(t.getMessage().contains("but the module was accepted"), t.getMessage());
        }
    }

    @Test
    void rejectionAssertionsCheckTheStageAndTheReason() {
        String script = """
                assert_invalid (module
                    func f() {
                        i32.nonsense
                    }
                ) "unknown mnemonic"
                assert_malformed (module
                    func f() {
                        i32.nonsense
                    }
                ) "something else"
                assert_malformed (module
                    func f() {
                        i32.nonsense
                    }
                ) "unknown mnemonic"
                """;
        List<Throwable> o = run(script, returning());
        assertTrue(failure(o, 0).getMessage().contains("expected VerifyException"), o.get(0).getMessage());
        assertTrue(failure(o, 1).getMessage().contains("but the message is"), o.get(1).getMessage());
        assertNull(o.get(2));
    }

    /** The tests of {@code script}, in order. */
    private static List<DynamicTest> testsOf(String script) {
        return ConformanceSuite.tests(ScriptReader.read("self.cst", script), returning()).getChildren()
                .map(DynamicTest.class::cast).toList();
    }

    @Test
    void aTestRunAloneFirstRunsTheCommandsBeforeIt() throws Throwable {
        // Without the module command having run, these would fail with "no module before this command".
        testsOf(MODULE + "assert_global g = i32:7\n").get(1).getExecutable().execute();
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> testsOf(MODULE + "assert_global g = i32:8\n").get(1).getExecutable().execute());
        assertTrue(e.getMessage().contains("but was i32:7"), e.getMessage());
    }
}
