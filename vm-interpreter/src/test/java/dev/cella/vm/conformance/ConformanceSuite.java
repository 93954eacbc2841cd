package dev.cella.vm.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cella.isa.CellaException;
import dev.cella.isa.ValType;
import dev.cella.isa.VerifyException;
import dev.cella.isa.module.Export;
import dev.cella.isa.module.ExportKind;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.text.AssemblyException;
import dev.cella.isa.verify.Verifier;
import dev.cella.vm.Engine;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.LinkException;
import dev.cella.vm.Trap;
import dev.cella.vm.conformance.Script.AssertGlobal;
import dev.cella.vm.conformance.Script.AssertRejected;
import dev.cella.vm.conformance.Script.AssertReturn;
import dev.cella.vm.conformance.Script.AssertTrap;
import dev.cella.vm.conformance.Script.Call;
import dev.cella.vm.conformance.Script.Command;
import dev.cella.vm.conformance.Script.FuelCheck;
import dev.cella.vm.conformance.Script.Invoke;
import dev.cella.vm.conformance.Script.ModuleCommand;
import dev.cella.vm.conformance.Script.Value;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.AssertionFailedError;

/**
 * Runs the conformance scripts on an engine: one {@link DynamicContainer} per script, one {@link
 * DynamicTest} per command, named {@code file:line command}.
 *
 * <p>Any engine can run the suite: pass a factory that makes the engine for a verified module,
 * for example {@code ConformanceSuite.tests(Interpreter::new)} in a {@code @TestFactory}. The
 * scripts are classpath resources under {@code /conformance/}, listed in {@code
 * /conformance/INDEX} (listing a directory inside a jar is not reliable).
 *
 * <p>Commands of one script share state and run in file order: a module command assembles,
 * verifies and instantiates its module (running its start function), and the assertions after it
 * call that instance, whose memory and globals carry over from one assertion to the next. If a
 * module fails to load, every assertion that needs it fails and names the module's line.
 */
public final class ConformanceSuite {
    /** The classpath folder holding the scripts and their index. */
    public static final String RESOURCE_DIR = "/conformance/";

    private ConformanceSuite() {}

    /**
     * The scripts' file names, in the order of {@code /conformance/INDEX} (one name per line;
     * blank lines and lines starting with {@code #} are skipped).
     */
    public static List<String> scriptNames() {
        List<String> names = new ArrayList<>();
        for (String line : resource("INDEX").split("\n")) {
            String name = line.strip();
            if (!name.isEmpty() && !name.startsWith("#")) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * Reads and parses one script from the classpath.
     *
     * @throws ScriptFormatException if the script is malformed
     * @throws UncheckedIOException if it cannot be read
     */
    public static Script load(String name) {
        return ScriptReader.read(name, resource(name));
    }

    private static String resource(String name) {
        try (InputStream in = ConformanceSuite.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new UncheckedIOException(new IOException("missing classpath resource " + RESOURCE_DIR + name));
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every listed script as a container of tests, each run on engines made by {@code engines}. */
    public static Stream<DynamicNode> tests(Function<Module, Engine> engines) {
        return scriptNames().stream().map(name -> tests(load(name), engines));
    }

    /** One script's tests, run on engines made by {@code engines}. */
    public static DynamicContainer tests(Script script, Function<Module, Engine> engines) {
        Session session = new Session(script, engines);
        List<Command> commands = script.commands();
        return DynamicContainer.dynamicContainer(script.file(), IntStream.range(0, commands.size())
                .mapToObj(i -> {
                    Command c = commands.get(i);
                    String name = script.file() + ":" + c.line() + " " + c.text();
                    return DynamicTest.dynamicTest(name, () -> session.runNamed(name, i));
                }));
    }

    /** A loaded module: what the assertions after a module command run against. */
    private record Loaded(Module module, Engine engine, Instance instance) {}

    /** What a call did: its results, or what it threw; and the fuel before and after. */
    private record Outcome(long[] results, RuntimeException thrown, long fuelBefore, long fuelAfter) {}

    /**
     * The state of one script's run. Commands run in file order: when a test is run on its own
     * (selected in an IDE), the commands before it are run first, silently, so that it sees the
     * module and the state it would see in a full run.
     */
    static final class Session {
        private final String file;
        private final List<Command> commands;
        private final Function<Module, Engine> engines;
        /** Index of the next command to run; commands before it have run. */
        private int next;
        private Loaded current;
        /** Line and failure of the last module command, when it did not load. */
        private String loadFailure;

        Session(Script script, Function<Module, Engine> engines) {
            this.file = script.file();
            this.commands = script.commands();
            this.engines = engines;
        }

        /**
         * Runs command {@code index} after any earlier command that has not run yet; a failure's
         * message starts with the test's name, since some reports (surefire's XML) show dynamic
         * tests only by their position.
         */
        void runNamed(String name, int index) {
            while (next < index) {
                try {
                    run(commands.get(next++));
                } catch (AssertionFailedError | RuntimeException e) {
                    // An earlier command's failure is that command's test's to report; a module
                    // that did not load is reported again by every assertion that needs it.
                }
            }
            next = index + 1;
            try {
                run(commands.get(index));
            } catch (AssertionFailedError e) {
                throw new AssertionFailedError(name + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new AssertionFailedError(name + ": " + e, e);
            }
        }

        void run(Command command) {
            switch (command) {
                case ModuleCommand m -> load(m);
                case Invoke i -> {
                    Outcome o = call(i.call());
                    if (o.thrown() != null) {
                        throw failure("expected the call to complete, but it threw " + o.thrown(), o.thrown());
                    }
                }
                case AssertReturn r -> assertReturn(r);
                case AssertTrap t -> assertTrap(t);
                case AssertGlobal g -> assertGlobal(g);
                case AssertRejected r -> assertRejected(r);
            }
        }

        private void load(ModuleCommand m) {
            current = null;
            loadFailure = null;
            try {
                Module module = Assembler.assemble(m.source(), file);
                Verifier.verify(module);
                Engine engine = engines.apply(module);
                Instance instance = new Instance(module, new ConformanceHost(), InstanceOptions.defaults());
                if (module.start() >= 0) {
                    engine.invoke(instance, module.start());
                }
                current = new Loaded(module, engine, instance);
            } catch (RuntimeException e) {
                loadFailure = "the module at " + file + ":" + m.line() + " did not load: " + e;
                throw failure(loadFailure, e);
            }
        }

        private Loaded loaded() {
            if (current == null) {
                fail(loadFailure != null ? loadFailure : "no module before this command");
            }
            return current;
        }

        private Outcome call(Call call) {
            Loaded l = loaded();
            int function = l.instance().exportedFunction(call.function());
            if (function < 0) {
                fail("script error: the module exports no function named " + call.function());
            }
            FuncType type = l.module().types().get(l.module().functionTypeIndex(function));
            List<ValType> argTypes = call.args().stream().map(Value::type).toList();
            if (!argTypes.equals(type.params())) {
                fail("script error: " + call.function() + " has type " + type + " but the arguments are " + argTypes);
            }
            long[] args = call.args().stream().mapToLong(Value::bits).toArray();
            if (call.fuel() >= 0) {
                l.instance().setFuel(call.fuel());
            }
            long before = l.instance().fuelRemaining();
            long[] results = null;
            RuntimeException thrown = null;
            long after;
            try {
                results = l.engine().invoke(l.instance(), function, args);
            } catch (RuntimeException e) {
                thrown = e;
            } finally {
                after = l.instance().fuelRemaining();
                if (call.fuel() >= 0) {
                    // later calls without a budget run with unlimited fuel again
                    l.instance().setFuel(Long.MAX_VALUE);
                }
            }
            return new Outcome(results, thrown, before, after);
        }

        private void assertReturn(AssertReturn r) {
            Loaded l = loaded();
            Outcome o = call(r.call());
            if (o.thrown() != null) {
                throw failure("expected " + r.results() + ", but the call threw " + o.thrown(), o.thrown());
            }
            int function = l.instance().exportedFunction(r.call().function());
            List<ValType> resultTypes = l.module().types().get(l.module().functionTypeIndex(function)).results();
            List<ValType> expectedTypes = r.results().stream().map(Value::type).toList();
            if (!expectedTypes.equals(resultTypes)) {
                fail("script error: " + r.call().function() + " returns " + resultTypes + " but the expected values are "
                        + expectedTypes);
            }
            assertEquals(r.results().size(), o.results().length, "number of results");
            for (int i = 0; i < o.results().length; i++) {
                Value expected = r.results().get(i);
                Value actual = new Value(expected.type(), o.results()[i]);
                if (expected.bits() != actual.bits()) {
                    throw new AssertionFailedError("result " + i + ": expected " + expected + " but was " + actual,
                            expected, actual);
                }
            }
            checkFuel(r.fuel(), o);
        }

        private void assertTrap(AssertTrap t) {
            Loaded l = loaded();
            Outcome o = call(t.call());
            if (o.thrown() == null) {
                fail("expected trap \"" + t.message() + "\", but the call returned " + describe(l, t.call(), o.results()));
            }
            if (!(o.thrown() instanceof Trap trap)) {
                throw failure("expected trap \"" + t.message() + "\", but the call threw " + o.thrown(), o.thrown());
            }
            if (!trap.kind().message.equals(t.message())) {
                throw failure("expected trap \"" + t.message() + "\", but got " + trap.getMessage(), trap);
            }
            if (t.pc() >= 0 && trap.pc() != t.pc()) {
                throw failure("expected the trap at pc " + t.pc() + ", but got " + trap.getMessage(), trap);
            }
            if (t.function() != null) {
                int expected = functionIndex(l.module(), t.function());
                if (trap.function() != expected) {
                    throw failure("expected the trap in " + t.function() + " (function " + expected + "), but got "
                            + trap.getMessage(), trap);
                }
            }
            checkFuel(t.fuel(), o);
        }

        private void checkFuel(FuelCheck check, Outcome o) {
            if (check.left() >= 0) {
                assertEquals(check.left(), o.fuelAfter(), "fuel left after the call");
            }
            if (check.used() >= 0) {
                assertEquals(check.used(), o.fuelBefore() - o.fuelAfter(), "fuel used by the call");
            }
        }

        private void assertGlobal(AssertGlobal g) {
            Loaded l = loaded();
            Export e = l.module().export(g.global(), ExportKind.GLOBAL);
            if (e == null) {
                fail("script error: the module exports no global named " + g.global());
            }
            ValType type = l.module().globals().get(e.index()).type();
            if (type != g.value().type()) {
                fail("script error: global " + g.global() + " has type " + type + ", not " + g.value().type());
            }
            Value actual = new Value(type, l.instance().globals()[e.index()]);
            if (actual.bits() != g.value().bits()) {
                throw new AssertionFailedError("global " + g.global() + ": expected " + g.value() + " but was " + actual,
                        g.value(), actual);
            }
        }

        private void assertRejected(AssertRejected r) {
            Class<? extends CellaException> expected = switch (r.stage()) {
                case MALFORMED -> AssemblyException.class;
                case INVALID -> VerifyException.class;
                case UNLINKABLE -> LinkException.class;
            };
            CellaException thrown = null;
            try {
                Module module = Assembler.assemble(r.source(), file);
                Verifier.verify(module);
                new Instance(module, new ConformanceHost(), InstanceOptions.defaults());
            } catch (CellaException e) {
                thrown = e;
            }
            if (thrown == null) {
                fail("expected " + expected.getSimpleName() + " containing \"" + r.reason()
                        + "\", but the module was accepted");
            }
            if (!expected.isInstance(thrown)) {
                throw failure("expected " + expected.getSimpleName() + " containing \"" + r.reason() + "\", but got "
                        + thrown.getClass().getSimpleName() + ": " + thrown.getMessage(), thrown);
            }
            if (!thrown.getMessage().contains(r.reason())) {
                throw failure("expected " + expected.getSimpleName() + " containing \"" + r.reason() + "\", but the message is: "
                        + thrown.getMessage(), thrown);
            }
        }

        private static String describe(Loaded l, Call call, long[] results) {
            int function = l.instance().exportedFunction(call.function());
            List<ValType> types = l.module().types().get(l.module().functionTypeIndex(function)).results();
            List<String> values = new ArrayList<>();
            for (int i = 0; i < results.length; i++) {
                values.add(i < types.size() ? Literal.format(types.get(i), results[i]) : Long.toString(results[i]));
            }
            return values.toString();
        }

        /** The index of the function named {@code name}: its debugging name or the default {@code fN}. */
        private static int functionIndex(Module module, String name) {
            for (Map.Entry<Integer, String> e : module.names().functions().entrySet()) {
                if (e.getValue().equals(name)) {
                    return e.getKey();
                }
            }
            for (int i = 0; i < module.functionCount(); i++) {
                if (module.names().function(i).equals(name)) {
                    return i;
                }
            }
            fail("script error: the module has no function named " + name);
            return -1;
        }

        private static AssertionFailedError failure(String message, Throwable cause) {
            return new AssertionFailedError(message, cause);
        }
    }
}
