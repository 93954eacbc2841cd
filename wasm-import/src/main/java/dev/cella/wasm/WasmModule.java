package dev.cella.wasm;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoded WebAssembly module, as {@link WasmReader} produces it: every section decoded and
 * validated at module level, function bodies kept as byte ranges of the binary for {@link
 * BodyTranslator} to decode, validate and translate. Index spaces are Wasm's: imports first.
 * Offsets are absolute byte offsets in the binary, kept for messages.
 */
final class WasmModule {
    /** What an import or export refers to, with the Wasm external kind byte. */
    enum ExternKind {
        FUNC(0, "function"), TABLE(1, "table"), MEMORY(2, "memory"), GLOBAL(3, "global"), TAG(4, "tag");

        final int code;
        final String noun;

        ExternKind(int code, String noun) {
            this.code = code;
            this.noun = noun;
        }
    }

    /** A constant expression: the initializer of a global or the offset or entry of a segment. */
    record ConstExpr(Op op, ValType type, long bits, int index, long offset, long highBits) {
        enum Op { CONST, GLOBAL_GET, REF_FUNC, REF_NULL }

        /** A constant expression of a scalar value ({@code highBits}: the upper half of a v128 constant). */
        ConstExpr(Op op, ValType type, long bits, int index, long offset) {
            this(op, type, bits, index, offset, 0);
        }
    }

    /** An import; {@code typeIndex} for functions and tags, {@code global} for globals, limits for tables and memories. */
    record Import(String module, String name, ExternKind kind, int typeIndex, GlobalType global, long min, long max,
            long offset) {}

    /** The type of a global. */
    record GlobalType(ValType type, boolean mutable) {}

    /** A global: imported ({@code importIndex} >= 0, {@code init} null) or defined with an initializer. */
    record Global(GlobalType type, ConstExpr init, int importIndex, long offset) {}

    /** A table or memory's limits; {@code max} is -1 when absent. */
    record Limits(long min, long max, long offset) {
        boolean hasMax() {
            return max >= 0;
        }
    }

    record Export(String name, ExternKind kind, int index, long offset) {}

    /** Where an element or data segment goes. */
    enum SegmentMode { ACTIVE, PASSIVE, DECLARATIVE }

    /**
     * An element segment of references of type {@code type}; {@code functions} holds function
     * indices, -1 for a null reference.
     */
    record ElementSegment(SegmentMode mode, int table, ConstExpr offsetExpr, ValType type, int[] functions,
            long offset) {}

    record DataSegment(SegmentMode mode, ConstExpr offsetExpr, byte[] bytes, long offset) {}

    /** A function body: {@code start} is the offset of its local declarations, {@code end} one past its last byte. */
    record Body(int start, int end) {}

    final List<FuncType> types = new ArrayList<>();
    final List<Import> imports = new ArrayList<>();
    /** The type index of every function, imported ones first. */
    final List<Integer> functionTypes = new ArrayList<>();
    int importedFunctions;
    final List<Limits> tables = new ArrayList<>();
    /** The element type of each table, funcref or externref. */
    final List<ValType> tableTypes = new ArrayList<>();
    /** The functions a ref.func in code may name (C.refs): those referenced outside functions. */
    final java.util.Set<Integer> declaredFunctions = new java.util.HashSet<>();
    int importedTables;
    /** The memory's limits, or null if the module has none. */
    Limits memory;
    boolean memoryImported;
    final List<Global> globals = new ArrayList<>();
    int importedGlobals;
    final List<Export> exports = new ArrayList<>();
    /** The type of each tag (exception handling), imported ones first. */
    final List<FuncType> tags = new ArrayList<>();
    /**
     * The Cella tag number of each tag, set by {@link ModuleTranslator} before any body is
     * translated ({@link TagImports} chooses them).
     */
    int[] tagNumbers;
    int start = -1;
    long startOffset;
    final List<ElementSegment> elements = new ArrayList<>();
    final List<DataSegment> data = new ArrayList<>();
    /** The data count section's value, or -1 if there is none. */
    long dataCount = -1;
    final List<Body> bodies = new ArrayList<>();
    /** Function names from the custom "name" section. */
    final Map<Integer, String> functionNames = new HashMap<>();
    /** Local names from the custom "name" section: function index to (local index to name). */
    final Map<Integer, Map<Integer, String>> localNames = new HashMap<>();

    int functionCount() {
        return functionTypes.size();
    }

    FuncType functionType(int function) {
        return types.get(functionTypes.get(function));
    }
}
