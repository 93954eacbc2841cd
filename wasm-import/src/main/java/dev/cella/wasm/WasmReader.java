package dev.cella.wasm;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.wasm.WasmModule.ConstExpr;
import dev.cella.wasm.WasmModule.DataSegment;
import dev.cella.wasm.WasmModule.ElementSegment;
import dev.cella.wasm.WasmModule.Export;
import dev.cella.wasm.WasmModule.ExternKind;
import dev.cella.wasm.WasmModule.Global;
import dev.cella.wasm.WasmModule.GlobalType;
import dev.cella.wasm.WasmModule.Import;
import dev.cella.wasm.WasmModule.Limits;
import dev.cella.wasm.WasmModule.SegmentMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decodes a WebAssembly binary module and validates everything outside function bodies: section
 * order and sizes, types, imports, tables, memory, globals and their initializers, exports, the
 * start function, element and data segments. Function bodies are only framed here (sizes and
 * count); {@link BodyTranslator} decodes and validates their instructions.
 *
 * <p>Malformed encodings are {@link WasmException.Kind#MALFORMED}, validation failures {@link
 * WasmException.Kind#INVALID}, and a construct of a proposal Cella does not translate (SIMD
 * types, shared memories, memory64, exception tags, reference-typed tables and globals, more than
 * one table) {@link WasmException.Kind#UNSUPPORTED} naming the proposal.
 */
final class WasmReader {
    /** The most pages a Wasm 1.0 memory may declare (4 GiB). */
    static final long MAX_WASM_PAGES = 65536;
    private static final int MAGIC = 0x6D736100;

    private final WasmInput in;
    private final WasmModule module = new WasmModule();
    /** Number of function section entries (defined functions), checked against the code section. */
    private int definedFunctions = -1;

    private WasmReader(byte[] binary) {
        this.in = new WasmInput(binary);
    }

    /**
     * Decodes and validates {@code binary} at module level.
     *
     * @throws WasmException naming the offset and reason of the first problem
     */
    static WasmModule read(byte[] binary) {
        return new WasmReader(binary).module();
    }

    private WasmModule module() {
        if (in.remaining() < 4 || in.fixed32() != MAGIC) {
            throw WasmException.malformed(0, "magic header not detected");
        }
        if (in.remaining() < 4) {
            throw WasmException.malformed(4, "unexpected end: no version");
        }
        int version = in.fixed32();
        if (version != 1) {
            throw WasmException.malformed(4, "unknown binary version " + version);
        }
        int lastRank = 0;
        while (in.hasRemaining()) {
            int at = in.position();
            int id = in.u8();
            int size = in.index();
            if (size > in.remaining()) {
                throw WasmException.malformed(at, "section size " + size + " is past the end ("
                        + in.remaining() + " bytes left)");
            }
            int end = in.position() + size;
            if (id != 0) {
                int rank = rank(id, at);
                if (rank <= lastRank) {
                    throw WasmException.malformed(at, "unexpected content after last section (section " + id
                            + " out of order or repeated)");
                }
                lastRank = rank;
            }
            int outer = in.limit(end);
            section(id, at);
            if (in.position() != end) {
                throw WasmException.malformed(in.position(), "section size mismatch: section " + id + " ends at "
                        + end + " but its contents end at " + in.position());
            }
            in.limit(outer);
        }
        // (A code section whose count differs from the function section's is reported where it is read.)
        if (definedFunctions > 0 && module.bodies.isEmpty()) {
            throw WasmException.malformed(in.position(), "function and code section have inconsistent lengths");
        }
        if (module.dataCount >= 0 && module.dataCount != module.data.size()) {
            throw WasmException.malformed(in.position(), "data count and data section have inconsistent lengths ("
                    + module.dataCount + " and " + module.data.size() + ")");
        }
        return module;
    }

    /** The position of section {@code id} in the required order (the data count section goes before code). */
    private static int rank(int id, int at) {
        return switch (id) {
            case 1, 2, 3, 4, 5, 6, 7, 8, 9 -> 2 * id;
            case 13 -> 11; // the tag section, between the memory and global sections
            case 12 -> 20;
            case 10 -> 22;
            case 11 -> 24;
            default -> throw WasmException.malformed(at, "malformed section id " + id);
        };
    }

    private void section(int id, int at) {
        switch (id) {
            case 0 -> customSection();
            case 1 -> typeSection();
            case 2 -> importSection();
            case 3 -> functionSection();
            case 4 -> tableSection();
            case 5 -> memorySection();
            case 6 -> globalSection();
            case 7 -> exportSection();
            case 8 -> startSection();
            case 9 -> elementSection();
            case 10 -> codeSection();
            case 11 -> dataSection();
            case 12 -> module.dataCount = in.u32();
            case 13 -> tagSection();
            default -> throw WasmException.malformed(at, "malformed section id " + id);
        }
    }

    private void customSection() {
        String name = in.name();
        if (name.equals("name")) {
            NameSection.read(in, module);
        }
        // A custom section's contents never make the module malformed: skip whatever is left.
        in.position(in.limit());
    }

    private ValType valType() {
        return valType(in);
    }

    /**
     * Reads a value type; the vector and reference types of proposals Cella does not translate
     * are reported as unsupported, anything else unknown as malformed.
     */
    static ValType valType(WasmInput in) {
        int at = in.position();
        int code = in.u8();
        ValType t = ValType.fromCode(code);
        if (t != null) {
            return t;
        }
        throw switch (code) {
            case 0x7B -> WasmException.unsupported(at, "SIMD (value type v128)");
            case 0x70, 0x6F -> WasmException.unsupported(at, "reference types (value type "
                    + (code == 0x70 ? "funcref" : "externref") + " outside a table)");
            default -> WasmException.malformed(at, "malformed value type 0x" + Integer.toHexString(code));
        };
    }

    private List<ValType> valTypes() {
        int n = in.count(1);
        List<ValType> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(valType());
        }
        return out;
    }

    private void typeSection() {
        // One byte at least per entry: a function type takes three, but a type of another
        // proposal (to be reported as unsupported) may take fewer.
        int n = in.count(1);
        for (int i = 0; i < n; i++) {
            int at = in.position();
            int form = in.u8();
            if (form != 0x60) {
                if (form == 0x5E || form == 0x5F || form == 0x50 || form == 0x4E) {
                    throw WasmException.unsupported(at, "GC (composite type 0x" + Integer.toHexString(form) + ")");
                }
                throw WasmException.malformed(at, "malformed function type: form 0x" + Integer.toHexString(form)
                        + " instead of 0x60");
            }
            List<ValType> params = valTypes();
            List<ValType> results = valTypes();
            module.types.add(new FuncType(params, results));
        }
    }

    private int typeIndex() {
        int at = in.position();
        int t = in.index();
        if (t >= module.types.size()) {
            throw WasmException.invalid(at, "unknown type " + t);
        }
        return t;
    }

    private void importSection() {
        int n = in.count(4);
        for (int i = 0; i < n; i++) {
            int at = in.position();
            String mod = in.name();
            String name = in.name();
            int kindAt = in.position();
            int kind = in.u8();
            switch (kind) {
                case 0 -> {
                    int type = typeIndex();
                    module.imports.add(new Import(mod, name, ExternKind.FUNC, type, null, 0, 0, at));
                    module.functionTypes.add(type);
                    module.importedFunctions++;
                }
                case 1 -> {
                    ValType type = refType();
                    Limits limits = limits(0xFFFFFFFFL, "table", false);
                    module.imports.add(new Import(mod, name, ExternKind.TABLE, -1, null, limits.min(), limits.max(), at));
                    addTable(type, limits);
                    module.importedTables++;
                }
                case 2 -> {
                    Limits limits = memoryType();
                    module.imports.add(new Import(mod, name, ExternKind.MEMORY, -1, null, limits.min(), limits.max(), at));
                    setMemory(limits, at);
                    module.memoryImported = true;
                }
                case 3 -> {
                    GlobalType type = globalType();
                    module.imports.add(new Import(mod, name, ExternKind.GLOBAL, -1, type, 0, 0, at));
                    module.globals.add(new Global(type, null, module.importedGlobals, at));
                    module.importedGlobals++;
                }
                case 4 -> {
                    int type = tagType();
                    module.imports.add(new Import(mod, name, ExternKind.TAG, type, null, 0, 0, at));
                }
                default -> throw WasmException.malformed(kindAt, "malformed import kind " + kind);
            }
        }
    }

    private void functionSection() {
        int n = in.count(1);
        definedFunctions = n;
        for (int i = 0; i < n; i++) {
            module.functionTypes.add(typeIndex());
        }
    }

    private Limits limits(long maxAllowed, String what, boolean memory) {
        int at = in.position();
        int flags = in.u8();
        if (memory && (flags == 2 || flags == 3)) {
            throw WasmException.unsupported(at, "threads (shared memory)");
        }
        if (memory && flags >= 4 && flags <= 7) {
            throw WasmException.unsupported(at, "memory64 or custom page sizes (limits flags 0x"
                    + Integer.toHexString(flags) + ")");
        }
        if (flags > 1) {
            throw WasmException.malformed(at, "integer too large: limits flags 0x" + Integer.toHexString(flags));
        }
        long min = in.u32();
        long max = flags == 1 ? in.u32() : -1;
        if (min > maxAllowed) {
            throw WasmException.invalid(at, what + " size must be at most " + maxAllowed + ", not " + min);
        }
        if (max > maxAllowed) {
            throw WasmException.invalid(at, what + " size must be at most " + maxAllowed + ", not " + max);
        }
        if (max >= 0 && max < min) {
            throw WasmException.invalid(at, "size minimum must not be greater than maximum (" + min + " > " + max + ")");
        }
        return new Limits(min, max, at);
    }

    /** A reference type: funcref (0x70) or externref (0x6F). */
    private ValType refType() {
        int at = in.position();
        int ref = in.u8();
        if (ref == 0x70) {
            return ValType.FUNCREF;
        }
        if (ref == 0x6F) {
            return ValType.EXTERNREF;
        }
        throw WasmException.malformed(at, "malformed reference type 0x" + Integer.toHexString(ref));
    }

    private Limits memoryType() {
        return limits(MAX_WASM_PAGES, "memory", true);
    }

    private void addTable(ValType type, Limits limits) {
        module.tables.add(limits);
        module.tableTypes.add(type);
    }

    private void setMemory(Limits limits, int at) {
        if (module.memory != null) {
            throw WasmException.invalid(at, "multiple memories");
        }
        module.memory = limits;
    }

    private GlobalType globalType() {
        ValType type = valType();
        int at = in.position();
        int mut = in.u8();
        if (mut > 1) {
            throw WasmException.malformed(at, "malformed mutability 0x" + Integer.toHexString(mut));
        }
        return new GlobalType(type, mut == 1);
    }

    private void tableSection() {
        int n = in.count(2);
        for (int i = 0; i < n; i++) {
            ValType type = refType();
            addTable(type, limits(0xFFFFFFFFL, "table", false));
        }
    }

    private void memorySection() {
        int n = in.count(2);
        for (int i = 0; i < n; i++) {
            int at = in.position();
            setMemory(memoryType(), at);
        }
    }

    private void globalSection() {
        int n = in.count(3);
        for (int i = 0; i < n; i++) {
            int at = in.position();
            GlobalType type = globalType();
            ConstExpr init = constExpr(type.type());
            module.globals.add(new Global(type, init, -1, at));
        }
    }

    /**
     * A constant expression of type {@code expected}: a constant, global.get of an immutable
     * imported global, ref.null or ref.func (whose function becomes declared: C.refs).
     */
    private ConstExpr constExpr(ValType expected) {
        int at = in.position();
        int op = in.u8();
        ConstExpr e = switch (op) {
            case 0x41 -> new ConstExpr(ConstExpr.Op.CONST, ValType.I32, in.s32(), -1, at);
            case 0x42 -> new ConstExpr(ConstExpr.Op.CONST, ValType.I64, in.s64(), -1, at);
            case 0x43 -> new ConstExpr(ConstExpr.Op.CONST, ValType.F32, in.fixed32() & 0xFFFFFFFFL, -1, at);
            case 0x44 -> new ConstExpr(ConstExpr.Op.CONST, ValType.F64, in.fixed64(), -1, at);
            case 0x23 -> {
                int g = in.index();
                if (g >= module.importedGlobals) {
                    throw WasmException.invalid(at, "unknown global " + g + " (a constant expression may only read"
                            + " an imported global)");
                }
                GlobalType t = module.globals.get(g).type();
                if (t.mutable()) {
                    throw WasmException.invalid(at, "constant expression required (global " + g + " is mutable)");
                }
                yield new ConstExpr(ConstExpr.Op.GLOBAL_GET, t.type(), 0, g, at);
            }
            case 0xD2 -> {
                int f = in.index();
                if (f >= module.functionCount()) {
                    throw WasmException.invalid(at, "unknown function " + f);
                }
                module.declaredFunctions.add(f);
                yield new ConstExpr(ConstExpr.Op.REF_FUNC, ValType.FUNCREF, 0, f, at);
            }
            case 0xD0 -> new ConstExpr(ConstExpr.Op.REF_NULL, heapType(), 0, -1, at);
            case 0xFD -> {
                long sub = in.u32();
                if (sub != 12) {
                    throw WasmException.invalid(at, "constant expression required (opcode 0xfd " + sub + ")");
                }
                long lo = in.fixed64();
                yield new ConstExpr(ConstExpr.Op.CONST, ValType.V128, lo, -1, at, in.fixed64());
            }
            default -> throw WasmException.invalid(at, "constant expression required (opcode 0x"
                    + Integer.toHexString(op) + ")");
        };
        int endAt = in.position();
        int end = in.u8();
        if (end != 0x0B) {
            throw WasmException.invalid(endAt, "constant expression required: expected end (0x0b), found 0x"
                    + Integer.toHexString(end));
        }
        if (e.type() != expected) {
            throw WasmException.invalid(at, "type mismatch: constant expression of type " + e.type() + " where "
                    + expected + " is expected");
        }
        return e;
    }

    private void exportSection() {
        int n = in.count(3);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < n; i++) {
            int at = in.position();
            String name = in.name();
            int kindAt = in.position();
            int kind = in.u8();
            int indexAt = in.position();
            int index = in.index();
            ExternKind k = switch (kind) {
                case 0 -> ExternKind.FUNC;
                case 1 -> ExternKind.TABLE;
                case 2 -> ExternKind.MEMORY;
                case 3 -> ExternKind.GLOBAL;
                case 4 -> ExternKind.TAG;
                default -> throw WasmException.malformed(kindAt, "malformed export kind " + kind);
            };
            int count = switch (k) {
                case FUNC -> module.functionCount();
                case TABLE -> module.tables.size();
                case MEMORY -> module.memory == null ? 0 : 1;
                case GLOBAL -> module.globals.size();
                case TAG -> module.tags.size();
            };
            if (index >= count) {
                throw WasmException.invalid(indexAt, "unknown " + k.noun + " " + index);
            }
            if (!names.add(name)) {
                throw WasmException.invalid(at, "duplicate export name \"" + name + "\"");
            }
            module.exports.add(new Export(name, k, index, at));
            if (k == ExternKind.FUNC) {
                module.declaredFunctions.add(index);
            }
        }
    }

    /** The tag section (exception handling): each a tag type ({@link #tagType}). */
    private void tagSection() {
        int n = in.count(2);
        for (int i = 0; i < n; i++) {
            tagType();
        }
    }

    /**
     * Reads a tag type, an attribute (0, an exception) and the index of a type without results,
     * and adds the tag to the module's; returns the type index.
     */
    private int tagType() {
        int at = in.position();
        int attribute = in.u8();
        if (attribute != 0) {
            throw WasmException.malformed(at, "malformed tag attribute " + attribute);
        }
        int typeAt = in.position();
        int type = in.index();
        if (type >= module.types.size()) {
            throw WasmException.invalid(typeAt, "unknown type " + type);
        }
        FuncType t = module.types.get(type);
        if (!t.results().isEmpty()) {
            throw WasmException.invalid(typeAt, "non-empty tag result type: " + t);
        }
        for (ValType p : t.params()) {
            if (p != ValType.I32 && p != ValType.I64 && p != ValType.F32 && p != ValType.F64) {
                // A payload travels as i64 bits, and Cella has no reference-to-bits move.
                throw WasmException.unsupported(typeAt, "exception handling (a tag with a " + p + " parameter)");
            }
        }
        module.tags.add(t);
        return type;
    }

    private void startSection() {
        int at = in.position();
        int f = in.index();
        if (f >= module.functionCount()) {
            throw WasmException.invalid(at, "unknown function " + f);
        }
        FuncType t = module.functionType(f);
        if (!t.params().isEmpty() || !t.results().isEmpty()) {
            throw WasmException.invalid(at, "start function " + f + " has type " + t + ", not () -> ()");
        }
        module.start = f;
        module.startOffset = at;
    }

    private int functionIndex() {
        int at = in.position();
        int f = in.index();
        if (f >= module.functionCount()) {
            throw WasmException.invalid(at, "unknown function " + f);
        }
        return f;
    }

    private int tableIndex() {
        int at = in.position();
        int t = in.index();
        if (t >= module.tables.size()) {
            throw WasmException.invalid(at, "unknown table " + t);
        }
        return t;
    }

    private ValType heapType() {
        return heapType(in);
    }

    /** Reads the heap type of ref.null: func (0x70) or extern (0x6F), as the reference type it makes. */
    static ValType heapType(WasmInput in) {
        int at = in.position();
        int ref = in.u8();
        return switch (ref) {
            case 0x70 -> ValType.FUNCREF;
            case 0x6F -> ValType.EXTERNREF;
            default -> throw WasmException.malformed(at, "malformed reference type 0x" + Integer.toHexString(ref));
        };
    }

    private void elementSection() {
        int n = in.count(1);
        for (int i = 0; i < n; i++) {
            int at = in.position();
            long flags = in.u32();
            if (flags > 7) {
                throw WasmException.malformed(at, "malformed elements segment kind " + flags);
            }
            boolean passiveOrDeclarative = (flags & 1) != 0;
            boolean explicitTable = (flags & 2) != 0;
            boolean expressions = (flags & 4) != 0;
            SegmentMode mode = !passiveOrDeclarative ? SegmentMode.ACTIVE
                    : explicitTable ? SegmentMode.DECLARATIVE : SegmentMode.PASSIVE;
            int table = 0;
            ConstExpr offset = null;
            if (mode == SegmentMode.ACTIVE) {
                table = explicitTable ? tableIndex() : 0;
                if (!explicitTable && module.tables.isEmpty()) {
                    throw WasmException.invalid(at, "unknown table 0");
                }
                offset = constExpr(ValType.I32);
            }
            ValType type = ValType.FUNCREF;
            if (passiveOrDeclarative || explicitTable) {
                int kindAt = in.position();
                if (expressions) {
                    type = refType();
                } else {
                    int kind = in.u8();
                    if (kind != 0x00) {
                        throw WasmException.malformed(kindAt, "malformed element kind 0x" + Integer.toHexString(kind));
                    }
                }
            }
            if (mode == SegmentMode.ACTIVE && module.tableTypes.get(table) != type) {
                throw WasmException.invalid(at, "type mismatch: element segment of " + type + " for table " + table
                        + " of " + module.tableTypes.get(table));
            }
            int count = in.count(1);
            int[] functions = new int[count];
            for (int j = 0; j < count; j++) {
                if (expressions) {
                    ConstExpr e = constExpr(type);
                    if (e.op() == ConstExpr.Op.GLOBAL_GET) {
                        throw WasmException.unsupported(e.offset(), "global.get in an element segment (reference"
                                + " imports are not translated)");
                    }
                    functions[j] = e.op() == ConstExpr.Op.REF_FUNC ? e.index() : -1;
                } else {
                    functions[j] = functionIndex();
                    module.declaredFunctions.add(functions[j]);
                }
            }
            module.elements.add(new ElementSegment(mode, table, offset, type, functions, at));
        }
    }

    private void codeSection() {
        int n = in.count(1);
        if (n != Math.max(definedFunctions, 0)) {
            throw WasmException.malformed(in.position(), "function and code section have inconsistent lengths ("
                    + Math.max(definedFunctions, 0) + " functions, " + n + " bodies)");
        }
        for (int i = 0; i < n; i++) {
            int size = in.index();
            if (size > in.remaining()) {
                throw in.malformed("unexpected end: function body of " + size + " bytes past the end of the section");
            }
            int start = in.position();
            module.bodies.add(new WasmModule.Body(start, start + size));
            in.position(start + size);
        }
    }

    private void dataSection() {
        int n = in.count(1);
        for (int i = 0; i < n; i++) {
            int at = in.position();
            long flags = in.u32();
            SegmentMode mode;
            ConstExpr offset = null;
            switch ((int) Math.min(flags, 3)) {
                case 0 -> {
                    mode = SegmentMode.ACTIVE;
                    requireMemory(at);
                    offset = constExpr(ValType.I32);
                }
                case 1 -> mode = SegmentMode.PASSIVE;
                case 2 -> {
                    mode = SegmentMode.ACTIVE;
                    int memAt = in.position();
                    int memory = in.index();
                    if (memory != 0) {
                        throw WasmException.unsupported(memAt, "multi-memory (memory index " + memory + ")");
                    }
                    requireMemory(at);
                    offset = constExpr(ValType.I32);
                }
                default -> throw WasmException.malformed(at, "malformed data segment kind " + flags);
            }
            int length = in.count(1);
            byte[] bytes = in.bytes(length);
            module.data.add(new DataSegment(mode, offset, bytes, at));
        }
    }

    private void requireMemory(int at) {
        if (module.memory == null) {
            throw WasmException.invalid(at, "unknown memory 0");
        }
    }
}
