package dev.cella.isa.verify;

import dev.cella.isa.ValType;
import dev.cella.isa.VerifyException;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.module.DataSegment;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.Export;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Global;
import dev.cella.isa.module.Import;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Module;
import dev.cella.isa.module.TableImport;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides whether a {@link Module} is valid, in one linear pass over each function body: it
 * rejects and never "fixes".
 *
 * <p>What a verified module guarantees to the engines, so that they run it without any
 * per-instruction type or range check:
 * <ul>
 *   <li>every type, function, global, table and memory index in the module refers to something
 *       that exists; each signature is listed once, so two type indices are equal exactly when
 *       the signatures are (call_indirect compares indices);
 *   <li>every register operand is a register of the function with the type its opcode needs
 *       (registers are typed, so no dataflow analysis is needed), and every call, call_indirect
 *       and ret lists registers that match the signature in number and type;
 *   <li>every branch target is the start of an instruction of the same function, and control
 *       never falls off the end of a body: its last instruction is a terminator;
 *   <li>global.set only writes mutable globals of the opcode's type; memory instructions only
 *       occur in modules with a memory; host imports return at most one value;
 *   <li>tables, memory, element and data segments fit their limits statically, so
 *       instantiation never writes out of bounds; global initial values are valid raw bits
 *       for their type (see {@link ValType}).
 * </ul>
 *
 * <p>Malformed instruction encodings (possible in a module built in memory rather than read from a
 * binary) are reported as a {@link VerifyException} naming the function and the pc of the
 * instruction that could not be decoded, not as a {@link dev.cella.isa.FormatException}: a
 * function body inside a {@code Module} has no file offset to report. A {@code null} where the
 * model needs a value is reported the same way, so {@link #verify} never throws anything else.
 *
 * <p>Function-level problems name the function by its index in the function index space
 * (imports first) and its debugging name if {@link Module#names()} holds one; problems in a body
 * also name the pc (byte offset in the body). Module-level problems carry no function.
 */
public final class Verifier {
    /**
     * The largest function body accepted, in bytes (1 MiB). It bounds the memory and time the
     * verifier and the engines spend on one function and keeps every pc well inside an int.
     * Larger functions must be split by whatever produced them.
     */
    public static final int MAX_CODE_BYTES = 1 << 20;

    /**
     * The largest table accepted, in elements (10 million), at its minimum size and as far as
     * table.grow can take it; with the memory quota, which counts table elements (see
     * Instance.hostBytes), the bound keeps a hostile module from asking the host for gigabytes
     * of table.
     */
    public static final long MAX_TABLE_SIZE = 10_000_000;

    private final Module module;

    private Verifier(Module module) {
        this.module = module;
    }

    /**
     * Checks {@code module} completely.
     *
     * @param module the module to check; not null
     * @throws VerifyException naming the first problem found (function, pc and reason)
     * @throws NullPointerException if {@code module} is null
     */
    public static void verify(Module module) {
        Objects.requireNonNull(module, "module");
        new Verifier(module).run();
    }

    private void run() {
        // Order matters: function bodies rely on types, imports, function headers, tables,
        // memory and globals having been checked first.
        checkTypes();
        checkImports();
        checkTables();
        checkMemory();
        checkGlobals();
        for (int i = 0; i < module.functions().size(); i++) {
            checkFunctionHeader(module.imports().size() + i);
        }
        for (int i = 0; i < module.functions().size(); i++) {
            int index = module.imports().size() + i;
            new CodeVerifier(module, index, functionName(index)).verify();
        }
        checkExports();
        checkStart();
        checkElements();
        checkData();
    }

    /** The stored debugging name of function {@code index}, or null if it has none. */
    private String functionName(int index) {
        return module.names().functions().get(index);
    }

    private void checkTypes() {
        Map<FuncType, Integer> seen = new HashMap<>();
        List<FuncType> types = module.types();
        for (int i = 0; i < types.size(); i++) {
            FuncType t = types.get(i);
            if (!t.params().stream().allMatch(ValType::isScalar) || !t.results().stream().allMatch(ValType::isScalar)) {
                throw new VerifyException("type " + i + " " + t + " uses v128, which is an operand type only"
                        + " (a v128 value travels as two i64 values)");
            }
            Integer first = seen.putIfAbsent(types.get(i), i);
            if (first != null) {
                throw new VerifyException("type " + i + " " + types.get(i) + " duplicates type " + first
                        + "; each signature must be listed once so that type indices are canonical");
            }
        }
    }

    private void checkImports() {
        List<Import> imports = module.imports();
        for (int i = 0; i < imports.size(); i++) {
            Import imp = imports.get(i);
            if (imp.module() == null || imp.name() == null) {
                throw new VerifyException("import " + i + " has no module or field name");
            }
            String what = "import " + i + " (" + imp.module() + "." + imp.name() + ")";
            checkTypeIndex(imp.typeIndex(), what);
            FuncType type = module.types().get(imp.typeIndex());
            if (type.results().size() > 1) {
                throw new VerifyException(what + " has type " + type + " with " + type.results().size()
                        + " results, but a host function returns at most one value");
            }
        }
    }

    private void checkTypeIndex(int typeIndex, String what) {
        if (typeIndex < 0 || typeIndex >= module.types().size()) {
            throw new VerifyException(what + " has type index " + typeIndex + ", out of range ("
                    + "the module has " + count(module.types().size(), "type") + ")");
        }
    }

    private void checkTables() {
        List<Limits> tables = module.tables();
        if (module.tableTypes().size() != tables.size()) {
            throw new VerifyException("the module lists " + count(module.tableTypes().size(), "table type") + " for "
                    + count(tables.size(), "table"));
        }
        if (module.tableImports().size() != tables.size()) {
            throw new VerifyException("the module lists " + count(module.tableImports().size(), "table origin")
                    + " for " + count(tables.size(), "table"));
        }
        for (int i = 0; i < tables.size(); i++) {
            Limits limits = tables.get(i);
            String what = "table " + i;
            if (module.tableType(i) == null || !module.tableType(i).isReference()) {
                throw new VerifyException(what + " has element type " + module.tableType(i)
                        + "; a table holds funcref or externref");
            }
            checkLimits(limits, what, MAX_TABLE_SIZE, "elements", false);
            TableImport imp = module.tableImport(i);
            if (imp != null && (imp.module() == null || imp.name() == null)) {
                throw new VerifyException(what + " is imported without a module or field name");
            }
        }
    }

    private void checkMemory() {
        Limits memory = module.memory();
        if (memory == null && module.memoryImport() != null) {
            throw new VerifyException("the module imports a memory but gives no limits for it");
        }
        if (memory != null && module.memoryImport() != null
                && (module.memoryImport().module() == null || module.memoryImport().name() == null)) {
            throw new VerifyException("the memory import has no module or field name");
        }
        if (memory != null) {
            checkLimits(memory, "the memory", Module.MAX_MEMORY_PAGES, "pages", true);
        }
    }

    /**
     * Checks {@code 0 <= min <= limit} and, if there is a maximum, {@code min <= max}, and
     * {@code max <= limit} if {@code boundMax} (a memory's maximum is bounded because memory can
     * never grow past the limit; a table's is not: table.grow stops at the limit whatever the maximum).
     */
    private void checkLimits(Limits limits, String what, long limit, String unit, boolean boundMax) {
        long min = limits.min();
        if (min < 0) {
            throw new VerifyException(what + " has a negative minimum size " + min);
        }
        if (min > limit) {
            throw new VerifyException(what + " has minimum size " + min + " " + unit + ", over the limit of "
                    + limit + " " + unit);
        }
        if (limits.hasMax()) {
            long max = limits.max();
            if (max < min) {
                throw new VerifyException(what + " has maximum size " + max + " below its minimum size " + min);
            }
            if (boundMax && max > limit) {
                throw new VerifyException(what + " has maximum size " + max + " " + unit + ", over the limit of "
                        + limit + " " + unit);
            }
        }
    }

    private void checkGlobals() {
        List<Global> globals = module.globals();
        for (int i = 0; i < globals.size(); i++) {
            Global g = globals.get(i);
            if (g.type() == null) {
                throw new VerifyException("global " + i + " has no type");
            }
            if (g.imported()) {
                if (g.importName() == null) {
                    throw new VerifyException("global " + i + " is imported without a field name");
                }
                continue; // the host provides its value
            }
            long bits = g.init();
            boolean valid = switch (g.type()) {
                case I32 -> bits == (int) bits;
                case F32 -> (bits >>> 32) == 0;
                case I64, F64, EXTERNREF -> true;
                case FUNCREF -> bits >= 0 && bits <= module.functionCount();
                case V128 -> throw new VerifyException("global " + i + " has type v128, which is an operand type only");
            };
            if (!valid && g.type() == ValType.FUNCREF) {
                throw new VerifyException("global " + i + " of type funcref has initial bits " + bits
                        + ", which name no function (0 is null, f + 1 is function f)");
            }
            if (!valid) {
                String rule = g.type() == ValType.I32 ? "an i32 is held sign-extended" : "an f32 is held in the low 32 bits";
                throw new VerifyException("global " + i + " of type " + g.type() + " has initial bits 0x"
                        + Long.toHexString(bits) + " that are not a valid " + g.type() + " value (" + rule + ")");
            }
        }
    }

    private void checkFunctionHeader(int index) {
        Function f = module.function(index);
        String name = functionName(index);
        if (f.typeIndex() < 0 || f.typeIndex() >= module.types().size()) {
            throw new VerifyException(index, name, -1, "type index " + f.typeIndex() + " is out of range ("
                    + "the module has " + count(module.types().size(), "type") + ")");
        }
        FuncType type = module.types().get(f.typeIndex());
        List<ValType> registers = f.registers();
        if (registers.size() > CodeReader.MAX_REGISTERS) {
            throw new VerifyException(index, name, -1, "declares " + registers.size()
                    + " registers, over the limit of " + CodeReader.MAX_REGISTERS);
        }
        for (int r = 0; r < registers.size(); r++) {
            if (!registers.get(r).isScalar()) {
                throw new VerifyException(index, name, -1, "register r" + r + " has type v128, which is an operand"
                        + " type only (a v128 operand names two consecutive i64 registers)");
            }
        }
        List<ValType> params = type.params();
        if (registers.size() < params.size()) {
            throw new VerifyException(index, name, -1, "declares " + count(registers.size(), "register")
                    + " but its type " + type + " has " + count(params.size(), "parameter")
                    + "; the parameters are the first registers");
        }
        for (int i = 0; i < params.size(); i++) {
            if (registers.get(i) != params.get(i)) {
                throw new VerifyException(index, name, -1, "register r" + i + " has type " + registers.get(i)
                        + " but parameter " + i + " of its type " + type + " is " + params.get(i));
            }
        }
        if (f.code() == null || f.code().length == 0) {
            throw new VerifyException(index, name, -1, "has an empty body; a body ends with a terminator");
        }
        if (f.code().length > MAX_CODE_BYTES) {
            throw new VerifyException(index, name, -1, "has a body of " + f.code().length
                    + " bytes, over the limit of " + MAX_CODE_BYTES + " bytes (1 MiB)");
        }
    }

    private void checkExports() {
        Set<String> names = new HashSet<>();
        List<Export> exports = module.exports();
        for (int i = 0; i < exports.size(); i++) {
            Export e = exports.get(i);
            if (e.name() == null || e.kind() == null) {
                throw new VerifyException("export " + i + " has no name or no kind");
            }
            String what = "export \"" + e.name() + "\"";
            if (!names.add(e.name())) {
                throw new VerifyException(what + " is exported twice; export names must be unique");
            }
            int index = e.index();
            switch (e.kind()) {
                case FUNC -> checkIndex(index, module.functionCount(), what + " names function", "function");
                case TABLE -> checkIndex(index, module.tables().size(), what + " names table", "table");
                case GLOBAL -> checkIndex(index, module.globals().size(), what + " names global", "global");
                case MEMORY -> {
                    if (module.memory() == null) {
                        throw new VerifyException(what + " names a memory but the module has none");
                    }
                    if (index != 0) {
                        throw new VerifyException(what + " names memory " + index + "; only memory 0 exists");
                    }
                }
            }
        }
    }

    private static void checkIndex(long index, int size, String what, String noun) {
        if (index < 0 || index >= size) {
            throw new VerifyException(what + " " + index + ", out of range (the module has " + count(size, noun) + ")");
        }
    }

    private void checkStart() {
        int start = module.start();
        if (start == -1) {
            return;
        }
        checkIndex(start, module.functionCount(), "the start function is function", "function");
        FuncType type = module.functionType(start);
        if (!type.params().isEmpty() || !type.results().isEmpty()) {
            throw new VerifyException("the start function " + start + " has type " + type + " but must have type () -> ()");
        }
    }

    private void checkElements() {
        List<ElementSegment> elements = module.elements();
        for (int i = 0; i < elements.size(); i++) {
            ElementSegment seg = elements.get(i);
            String what = "element segment " + i;
            if (seg.functions() == null) {
                throw new VerifyException(what + " has no function list");
            }
            int[] functions = seg.functions();
            for (int j = 0; j < functions.length; j++) {
                if (functions[j] != -1) {
                    checkIndex(functions[j], module.functionCount(), what + " entry " + j + " names function",
                            "function");
                }
            }
            if (seg.passive()) {
                continue;
            }
            checkIndex(seg.table(), module.tables().size(), what + " initializes table", "table");
            if (!fits(seg, module.tableType(seg.table()))) {
                throw new VerifyException(what + " places functions in table " + seg.table() + ", which holds "
                        + module.tableType(seg.table()));
            }
            if (module.tableImport(seg.table()) != null) {
                continue; // an imported table's size is known at instantiation, which checks the range
            }
            long size = module.tables().get(seg.table()).min();
            checkRange(seg.offset(), functions.length, size, what, "table " + seg.table(), "element");
        }
    }

    /**
     * True if segment {@code seg} may be placed in a table of element type {@code type}: a
     * funcref table takes any segment, another only one of nulls.
     */
    static boolean fits(ElementSegment seg, ValType type) {
        if (type == ValType.FUNCREF) {
            return true;
        }
        for (int f : seg.functions()) {
            if (f != -1) {
                return false;
            }
        }
        return true;
    }

    private void checkData() {
        List<DataSegment> data = module.data();
        for (int i = 0; i < data.size(); i++) {
            DataSegment seg = data.get(i);
            String what = "data segment " + i;
            if (module.memory() == null) {
                throw new VerifyException(what + " initializes memory but the module has none");
            }
            if (seg.bytes() == null) {
                throw new VerifyException(what + " has no bytes");
            }
            if (module.memoryImport() != null) {
                continue; // an imported memory's size is known at instantiation, which checks the range
            }
            long size = module.memory().min() * Module.PAGE_SIZE;
            checkRange(seg.offset(), seg.bytes().length, size, what, "the memory", "byte");
        }
    }

    /**
     * Checks that {@code [offset, offset + length)} lies within {@code [0, size)}; the segment
     * must fit the initial size so that instantiation never writes out of bounds.
     */
    private static void checkRange(long offset, int length, long size, String what, String target, String unit) {
        // size <= MAX_MEMORY_PAGES * 65536 and length >= 0, so size - length cannot overflow.
        if (offset < 0 || offset > size - length) {
            throw new VerifyException(what + " (offset " + offset + ", " + count(length, unit) + ") does not fit in the "
                    + count(size, unit) + " of " + target + " at its minimum size");
        }
    }

    /** "1 type", "3 types": for messages. */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
