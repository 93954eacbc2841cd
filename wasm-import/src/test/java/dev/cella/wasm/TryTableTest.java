package dev.cella.wasm;

import static dev.cella.wasm.WasmBinary.END;
import static dev.cella.wasm.WasmBinary.I32;
import static dev.cella.wasm.WasmBinary.body;
import static dev.cella.wasm.WasmBinary.bytes;
import static dev.cella.wasm.WasmBinary.funcType;
import static dev.cella.wasm.WasmBinary.module;
import static dev.cella.wasm.WasmBinary.section;
import static dev.cella.wasm.WasmBinary.sleb;
import static dev.cella.wasm.WasmBinary.vec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cella.isa.module.ExportKind;
import dev.cella.isa.module.Module;
import dev.cella.jit.JitEngine;
import dev.cella.jit.TieredEngine;
import dev.cella.vm.Engine;
import dev.cella.vm.GuestException;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.interp.Interpreter;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * try_table (the exception-handling proposal's final form), built byte by byte: WABT 1.0.32, which
 * converts our .wast scripts (exceptions.wast covers the legacy try), does not know it.
 */
class TryTableTest {
    private static final int[] NONE = {};
    private static final int BLOCK = 0x02;
    private static final int TRY_TABLE = 0x1F;
    private static final int CALL = 0x10;
    private static final int THROW = 0x08;
    private static final int LOCAL_GET = 0x20;
    private static final int I32_CONST = 0x41;
    private static final int EMPTY = 0x40;

    /**
     * Tag 0 has type (i32); function 0 throws it with its argument; functions 1 to 5 are exported
     * as "tt", "tt-all", "tt-fn", "tt-direct" and "tt-miss", each (i32) -> i32.
     */
    private static final byte[] WASM = module(
            section(1, vec(funcType(new int[] {I32}, new int[] {I32}), funcType(new int[] {I32}, NONE),
                    funcType(NONE, NONE))),
            section(3, vec(0x01, 0x00, 0x00, 0x00, 0x00, 0x00)),
            section(13, vec(bytes(0x00, 0x01), bytes(0x00, 0x02))),
            section(7, vec(bytes("tt", 0x00, 0x01), bytes("tt-all", 0x00, 0x02), bytes("tt-fn", 0x00, 0x03),
                    bytes("tt-direct", 0x00, 0x04), bytes("tt-miss", 0x00, 0x05))),
            section(10, vec(
                    body(LOCAL_GET, 0x00, THROW, 0x00, END),
                    // block (result i32) try_table (result i32) (catch 0 0) f0(x) -1 end end; + 1000
                    body(BLOCK, I32, TRY_TABLE, I32, vec(bytes(0x00, 0x00, 0x00)),
                            LOCAL_GET, 0x00, CALL, 0x00, I32_CONST, sleb(-1), END, END,
                            I32_CONST, sleb(1000), 0x6A, END),
                    // block try_table (catch_all 0) f0(x) end -1 return end 7
                    body(BLOCK, EMPTY, TRY_TABLE, EMPTY, vec(bytes(0x02, 0x00)), LOCAL_GET, 0x00, CALL, 0x00, END,
                            I32_CONST, sleb(-1), 0x0F, END, I32_CONST, 0x07, END),
                    // try_table (result i32) (catch 0 0): the clause's label is the function's
                    body(TRY_TABLE, I32, vec(bytes(0x00, 0x00, 0x00)), LOCAL_GET, 0x00, CALL, 0x00,
                            I32_CONST, sleb(-1), END, END),
                    // block (result i32) try_table (catch 0 0) throw 0 (x) end -1 end: a throw in the same function
                    body(BLOCK, I32, TRY_TABLE, EMPTY, vec(bytes(0x00, 0x00, 0x00)), LOCAL_GET, 0x00, THROW, 0x00,
                            END, I32_CONST, sleb(-1), END, END),
                    // block try_table (catch 1 0) f0(x) end end -1: tag 0 is not caught
                    body(BLOCK, EMPTY, TRY_TABLE, EMPTY, vec(bytes(0x00, 0x01, 0x00)), LOCAL_GET, 0x00, CALL, 0x00,
                            END, END, I32_CONST, sleb(-1), END))));

    private static int call(Module m, Engine engine, String export, int x) {
        Instance instance = new Instance(m, ImportResolver.NONE, InstanceOptions.defaults());
        return (int) engine.invoke(instance, m.export(export, ExportKind.FUNC).index(), x)[0];
    }

    @TestFactory
    Stream<DynamicTest> catchClausesBranchWithThePayloadOnEveryEngine() {
        Module m = WasmImporter.translate(WASM);
        List<Function<Module, Engine>> engines = List.of(Interpreter::new, JitEngine::new, TieredEngine::new);
        return engines.stream().map(make -> DynamicTest.dynamicTest(make.apply(m).getClass().getSimpleName(), () -> {
            Engine e = make.apply(m);
            assertEquals(1005, call(m, e, "tt", 5));
            assertEquals(7, call(m, e, "tt-all", 5));
            assertEquals(9, call(m, e, "tt-fn", 9));
            assertEquals(4, call(m, e, "tt-direct", 4));
            GuestException uncaught = assertThrows(GuestException.class, () -> call(m, e, "tt-miss", 3));
            assertEquals(0, uncaught.tag());
        }));
    }
}
