package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.vm.Engine;
import dev.cella.vm.GlobalCell;
import dev.cella.vm.HostFunction;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.LinkException;
import dev.cella.vm.Store;
import dev.cella.vm.Table;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import dev.cella.vm.interp.Interpreter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Instances linked in a {@link Store}: a table one exports and another imports is one table, a
 * reference in it may name a function of either, and call_indirect runs that function in its
 * own instance (its globals, its fuel), with the signature compared across modules; table
 * imports are checked against their limits. Every engine does the same, to the fuel.
 */
class LinkedInstancesTest {
    private static final Map<String, Function<Module, Engine>> ENGINES = Map.of(
            "interp", Interpreter::new, "jit", JitEngine::new, "auto", TieredEngine::new);

    /** Exports its table (own function get at 0) and call, which calls through it: get returns g + x. */
    private static final String A = """
            type T (i32) -> (i32)
            global g: i32 mut = 100
            global r: funcref mut = 0
            table tab 4 8
            func get(x: i32) -> (i32) {
                reg v: i32
                i32.global_get v, g
                i32.add v, v, x
                ret v
            }
            func call(i: i32, x: i32) -> (i32) {
                reg v: i32
                call_indirect T, tab, i, (x), (v)
                ret v
            }
            func ref() -> (funcref) {
                reg f: funcref
                ref.func f, get
                ret f
            }
            elem tab 0 [get]
            export table tab "tab"
            export global r "r"
            export func call "call"
            export func ref "ref"
            """;

    /** Imports A's table and places its own get (g * x) and a function of another type at 1 and 2. */
    private static final String B = """
            type T (i32) -> (i32)
            global g: i32 mut = 7
            table tab 2 import "a" "tab"
            func get(x: i32) -> (i32) {
                reg v: i32
                i32.global_get v, g
                i32.mul v, v, x
                ret v
            }
            func other() -> () {
                ret
            }
            func call(i: i32, x: i32) -> (i32) {
                reg v: i32
                call_indirect T, tab, i, (x), (v)
                ret v
            }
            elem tab 1 [get, other]
            export func call "call"
            """;

    private static Module module(String text) {
        Module m = Assembler.assemble(text, "linked.casm");
        Verifier.verify(m);
        return m;
    }

    /** Provides instance {@code a}'s exports as module "a". */
    private static ImportResolver exportsOf(Instance a) {
        return new ImportResolver() {
            @Override
            public HostFunction resolve(String module, String name, FuncType type) {
                return null;
            }

            @Override
            public Table table(String module, String name, ValType type, Limits limits) {
                return module.equals("a") && name.equals("tab") ? a.table(0) : null;
            }

            @Override
            public GlobalCell global(String module, String name, ValType type, boolean mutable) {
                return module.equals("a") && name.equals("r") ? a.globalCell(1) : null;
            }
        };
    }

    /** What happens on one engine: results and traps of a fixed series of calls, and the fuel each instance used. */
    private static List<String> run(Function<Module, Engine> engines) {
        return run(engines, A, B, List.of("call"), new long[][] {{0, 5}, {1, 5}, {2, 5}, {3, 5}, {9, 5}});
    }

    /**
     * Instantiates {@code textA}, then {@code textB} with A's exports, in one store, and calls
     * each of {@code functions} of A, then of B, with each argument list of {@code calls}: the
     * results and traps, then the fuel each instance used.
     */
    private static List<String> run(Function<Module, Engine> engines, String textA, String textB, List<String> functions,
            long[][] calls) {
        Store store = new Store();
        Module ma = module(textA);
        Module mb = module(textB);
        Engine ea = engines.apply(ma);
        Engine eb = engines.apply(mb);
        InstanceOptions options = InstanceOptions.defaults().withFuel(1_000_000);
        Instance a = new Instance(ma, ImportResolver.NONE, options, store, ea);
        Instance b = new Instance(mb, exportsOf(a), options, store, eb);
        List<String> out = new ArrayList<>();
        for (Instance in : List.of(a, b)) {
            Engine e = in == a ? ea : eb;
            for (String function : functions) {
                for (long[] c : calls) {
                    try {
                        out.add(Long.toString(e.invoke(in, in.exportedFunction(function), c)[0]));
                    } catch (Trap t) {
                        out.add(t.kind().name());
                    }
                }
            }
        }
        out.add("fuel " + a.fuelUsed() + " " + b.fuelUsed());
        return out;
    }

    @Test
    void callIndirectThroughASharedTableRunsEachFunctionInItsOwnInstanceOnEveryEngine() {
        List<String> expected = List.of(
                // From A: its own get (100 + 5), B's get (7 * 5, B's global), B's function of
                // another type, an empty element, one past the table.
                "105", "35", "INDIRECT_CALL_TYPE_MISMATCH", "UNINITIALIZED_ELEMENT", "UNDEFINED_ELEMENT",
                // From B, the same table: A's get is foreign to B and still reads A's global.
                "105", "35", "INDIRECT_CALL_TYPE_MISMATCH", "UNINITIALIZED_ELEMENT", "UNDEFINED_ELEMENT");
        List<String> reference = run(Interpreter::new);
        assertEquals(expected, reference.subList(0, expected.size()));
        ENGINES.forEach((name, engines) -> assertEquals(reference, run(engines), name));
    }

    @Test
    void aReferenceInAGlobalAnotherInstanceImportsNamesTheSameFunction() {
        String c = """
                type T (i32) -> (i32)
                global r: funcref import "a" "r"
                table tab 1 import "a" "tab"
                func put() -> () {
                    reg f: funcref, i: i32
                    funcref.global_get f, r
                    i32.const i, 3
                    funcref.table_set tab, i, f
                    ret
                }
                export func put "put"
                """;
        ENGINES.forEach((name, engines) -> {
            Store store = new Store();
            Module ma = module(A);
            Module mc = module(c);
            Engine ea = engines.apply(ma);
            Engine ec = engines.apply(mc);
            Instance a = new Instance(ma, ImportResolver.NONE, InstanceOptions.defaults(), store, ea);
            // A writes a reference to its get into its exported global; C puts it in the table at 3.
            a.globalSet(1, ea.invoke(a, a.exportedFunction("ref"))[0]);
            Instance inst = new Instance(mc, exportsOf(a), InstanceOptions.defaults(), store, ec);
            ec.invoke(inst, inst.exportedFunction("put"));
            assertEquals(a.table(0).get(0), a.table(0).get(3), name);
            assertEquals(142, ea.invoke(a, a.exportedFunction("call"), 3, 42)[0], name);
        });
    }

    @Test
    void aTableImportMustMatchTypeAndLimits() {
        Store store = new Store();
        Module ma = module(A);
        Instance a = new Instance(ma, ImportResolver.NONE, InstanceOptions.defaults(), store, new Interpreter(ma));
        // A's table: funcref, 4 elements, declared maximum 8.
        String[] bad = {"table t 5 import \"a\" \"tab\"", "table t 1 6 import \"a\" \"tab\"",
            "table t 1 externref import \"a\" \"tab\""};
        for (String decl : bad) {
            Module m = module(decl + "\n");
            LinkException e = assertThrows(LinkException.class, () -> new Instance(m, exportsOf(a),
                    InstanceOptions.defaults(), store, new Interpreter(m)), decl);
            assertTrue(e.getMessage().contains("incompatible import type: table a.tab"), e.getMessage());
        }
        for (String ok : new String[] {"table t 4 import \"a\" \"tab\"", "table t 0 8 import \"a\" \"tab\""}) {
            Module m = module(ok + "\n");
            assertEquals(a.table(0), new Instance(m, exportsOf(a), InstanceOptions.defaults(), store,
                    new Interpreter(m)).table(0), ok);
        }
        Module missing = module("table t 1 import \"b\" \"tab\"\n");
        LinkException e = assertThrows(LinkException.class, () -> new Instance(missing, exportsOf(a),
                InstanceOptions.defaults(), store, new Interpreter(missing)));
        assertTrue(e.getMessage().endsWith("missing import b.tab (a funcref table)"), e.getMessage());
        // Alone (no store), an instance's own references are f + 1, as always.
        Instance alone = new Instance(ma, ImportResolver.NONE, InstanceOptions.defaults());
        assertEquals(1, alone.table(0).get(0));
        assertNull(alone.store());
    }

    @Test
    void aSegmentPlacedBeforeAFailingOneStaysAndItsFunctionRunsInItsInstance() {
        String c = """
                type T (i32) -> (i32)
                global g: i32 = 1000
                table tab 1 import "a" "tab"
                func get(x: i32) -> (i32) {
                    reg v: i32
                    i32.global_get v, g
                    i32.sub v, v, x
                    ret v
                }
                elem tab 3 [get]
                elem tab 4 [get]
                """;
        ENGINES.forEach((name, engines) -> {
            Store store = new Store();
            Module ma = module(A);
            Module mc = module(c);
            Engine ea = engines.apply(ma);
            Instance a = new Instance(ma, ImportResolver.NONE, InstanceOptions.defaults(), store, ea);
            assertThrows(LinkException.class, () -> new Instance(mc, exportsOf(a), InstanceOptions.defaults(), store,
                    engines.apply(mc)), name);
            assertEquals(958, ea.invoke(a, a.exportedFunction("call"), 3, 42)[0], name);
        });
    }

    /** Calls of each type, (v128) -> i32 as V and (i64, i64) -> i32 as P, through table tab; exported. */
    private static final String VECTOR_CALLS = """
            func callv(i: i32, a: i64, b: i64) -> (i32) {
                reg x: i32
                call_indirect V, tab, i, (a, b), (x)
                ret x
            }
            func callp(i: i32, a: i64, b: i64) -> (i32) {
                reg x: i32
                call_indirect P, tab, i, (a, b), (x)
                ret x
            }
            export func callv "callv"
            export func callp "callp"
            """;

    /** Own functions of P and V at 0 and 1 of its exported table, and the calls. */
    private static final String VECTORS = """
            type V (v128) -> (i32)
            type P (i64, i64) -> (i32)
            table tab 2
            func fp(a: i64, b: i64) -> (i32) {
                reg x: i32
                i32.const x, 1
                ret x
            }
            func fv(v: v128) -> (i32) {
                reg x: i32
                i32.const x, 2
                ret x
            }
            elem tab 0 [fp, fv]
            export table tab "tab"
            """ + VECTOR_CALLS;

    /** The calls through the table of VECTORS, from a module that lists the two types the other way round. */
    private static final String VECTOR_CALLER = """
            type P (i64, i64) -> (i32)
            type V (v128) -> (i32)
            table tab 2 import "a" "tab"
            """ + VECTOR_CALLS;

    private static List<String> runVectors(Function<Module, Engine> engines) {
        return run(engines, VECTORS, VECTOR_CALLER, List.of("callv", "callp"), new long[][] {{0, 3, 4}, {1, 3, 4}});
    }

    @Test
    void aV128ParameterAndTwoI64ParametersAreDifferentTypesWithinAndAcrossInstancesOnEveryEngine() {
        // Each module: callv on fp (i64, i64) and fv (v128), then callp on both.
        List<String> once = List.of("INDIRECT_CALL_TYPE_MISMATCH", "2", "1", "INDIRECT_CALL_TYPE_MISMATCH");
        List<String> reference = runVectors(Interpreter::new);
        assertEquals(once, reference.subList(0, 4));
        assertEquals(once, reference.subList(4, 8));
        ENGINES.forEach((name, engines) -> assertEquals(reference, runVectors(engines), name));
    }
}
