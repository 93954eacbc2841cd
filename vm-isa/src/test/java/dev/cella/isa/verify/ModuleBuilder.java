package dev.cella.isa.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.ValType;
import dev.cella.isa.VerifyException;
import dev.cella.isa.module.DataSegment;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.Export;
import dev.cella.isa.module.ExportKind;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Global;
import dev.cella.isa.module.Import;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Module;
import dev.cella.isa.module.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds test modules from the model records. Signatures are interned as the assembler does,
 * so a builder never lists one twice unless a test adds a raw type with {@link #rawType}.
 * Add imports before functions: a function's index is fixed when it is added.
 */
final class ModuleBuilder {
    final List<FuncType> types = new ArrayList<>();
    final List<Import> imports = new ArrayList<>();
    final List<Function> functions = new ArrayList<>();
    final List<Limits> tables = new ArrayList<>();
    final List<ValType> tableTypes = new ArrayList<>();
    Limits memory;
    final List<Global> globals = new ArrayList<>();
    final List<Export> exports = new ArrayList<>();
    int start = -1;
    final List<ElementSegment> elements = new ArrayList<>();
    final List<DataSegment> data = new ArrayList<>();
    Names names = Names.EMPTY;

    /** The index of the signature {@code params -> results}, added if new. */
    int type(List<ValType> params, List<ValType> results) {
        FuncType t = new FuncType(params, results);
        int i = types.indexOf(t);
        if (i >= 0) {
            return i;
        }
        types.add(t);
        return types.size() - 1;
    }

    /** Appends a type even if it is already listed; returns its index. */
    int rawType(List<ValType> params, List<ValType> results) {
        types.add(new FuncType(params, results));
        return types.size() - 1;
    }

    /** Adds an import; returns its function index. */
    int importFunction(String module, String name, List<ValType> params, List<ValType> results) {
        imports.add(new Import(module, name, type(params, results)));
        return imports.size() - 1;
    }

    /**
     * Adds a function whose registers are its parameters followed by {@code locals}; returns its
     * function index.
     */
    int function(List<ValType> params, List<ValType> results, List<ValType> locals, byte[] code) {
        List<ValType> registers = new ArrayList<>(params);
        registers.addAll(locals);
        functions.add(new Function(type(params, results), registers, code));
        return imports.size() + functions.size() - 1;
    }

    /** Adds a function with an explicit type index and register list; returns its function index. */
    int rawFunction(int typeIndex, List<ValType> registers, byte[] code) {
        functions.add(new Function(typeIndex, registers, code));
        return imports.size() + functions.size() - 1;
    }

    /** Adds a () -> () function whose body is just ret; returns its function index. */
    int emptyFunction() {
        return function(List.of(), List.of(), List.of(), new Body().ret().bytes());
    }

    ModuleBuilder memory(long min, long max) {
        memory = new Limits(min, max);
        return this;
    }

    int table(long min, long max) {
        return table(ValType.FUNCREF, min, max);
    }

    int table(ValType type, long min, long max) {
        tables.add(new Limits(min, max));
        tableTypes.add(type);
        return tables.size() - 1;
    }

    int global(ValType type, boolean mutable, long init) {
        globals.add(new Global(type, mutable, init));
        return globals.size() - 1;
    }

    ModuleBuilder export(String name, ExportKind kind, int index) {
        exports.add(new Export(name, kind, index));
        return this;
    }

    ModuleBuilder functionName(int index, String name) {
        names = new Names(Map.of(index, name), Map.of(), Map.of());
        return this;
    }

    Module build() {
        return new Module(types, imports, functions, tables, memory, globals, exports, start, elements, data, names,
                tableTypes);
    }

    /**
     * Asserts that verifying the built module fails naming {@code function} and {@code pc} with
     * a reason containing {@code reasonPart}; returns the exception for further checks.
     */
    VerifyException assertRejected(int function, int pc, String reasonPart) {
        return assertRejected(build(), function, pc, reasonPart);
    }

    static VerifyException assertRejected(Module module, int function, int pc, String reasonPart) {
        VerifyException e = assertThrows(VerifyException.class, () -> Verifier.verify(module));
        assertEquals(function, e.function(), () -> "function of: " + e.getMessage());
        assertEquals(pc, e.pc(), () -> "pc of: " + e.getMessage());
        assertTrue(e.reason().contains(reasonPart), () -> "expected \"" + reasonPart + "\" in: " + e.getMessage());
        return e;
    }

    /** Asserts a module-level rejection (no function, no pc). */
    VerifyException assertRejected(String reasonPart) {
        return assertRejected(-1, -1, reasonPart);
    }
}
