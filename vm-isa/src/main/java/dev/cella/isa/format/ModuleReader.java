package dev.cella.isa.format;

import dev.cella.isa.FormatException;
import dev.cella.isa.ValType;
import dev.cella.isa.code.ByteInput;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.module.DataSegment;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.Export;
import dev.cella.isa.module.ExportKind;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Global;
import dev.cella.isa.module.Import;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.MemoryImport;
import dev.cella.isa.module.Module;
import dev.cella.isa.module.Names;
import dev.cella.isa.module.TableImport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes a guest binary ({@code .cel}) into a {@link Module}; the layout is specified in
 * {@code docs/binary-format.md}.
 *
 * <p>The reader is the first line of defence against hostile input. It never reads outside the
 * array, never loops longer than the input justifies (every loop consumes at least one byte or
 * is bounded by a count that was checked against the bytes left), never allocates for a count
 * before checking it against the bytes left, and reports every structural problem as a {@link
 * FormatException} naming the absolute byte offset. It decodes every instruction of every
 * function body, so a module it returns is well formed; whether indices are in range, types
 * agree and branches land on instructions is the verifier's business, and such values are
 * stored as they are.
 */
public final class ModuleReader {
    private final byte[] bytes;

    private List<FuncType> types = List.of();
    private List<Import> imports = List.of();
    private List<Limits> tables = List.of();
    private List<ValType> tableTypes = List.of();
    private MemoryImport memoryImport;
    private List<TableImport> tableImports;
    private Limits memory;
    private List<Global> globals = List.of();
    private List<Export> exports = List.of();
    private int start = -1;
    private List<ElementSegment> elements = List.of();
    private List<Function> functions = List.of();
    private List<DataSegment> data = List.of();
    private Names names = Names.EMPTY;

    private ModuleReader(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Decodes {@code binary}. The array is not modified, and the module keeps no reference to it.
     *
     * @return the module, well formed but not verified
     * @throws FormatException if the binary is malformed in any way, at the offset where the
     *     problem was found
     */
    public static Module read(byte[] binary) {
        ModuleReader r = new ModuleReader(binary);
        r.readModule();
        return new Module(r.types, r.imports, r.functions, r.tables, r.memory, r.globals, r.exports, r.start,
                r.elements, r.data, r.names, r.tableTypes, r.memoryImport, r.tableImports);
    }

    private void readModule() {
        ByteInput in = new ByteInput(bytes);
        header(in);
        Section last = null;
        while (in.hasRemaining()) {
            int idAt = in.position();
            if (last == Section.NAMES) {
                throw in.error(idAt, "trailing bytes after the names section, the last section");
            }
            int id = in.u8();
            Section s = Section.fromId(id);
            if (s == null) {
                throw in.error(idAt, "unknown section id " + id);
            }
            if (last != null && s == last) {
                throw in.error(idAt, "duplicate " + s);
            }
            if (last != null && s.id < last.id) {
                throw in.error(idAt, s + " after the " + last + ": sections must appear in increasing id order");
            }
            int sizeAt = in.position();
            long size = in.u32();
            if (size > in.remaining()) {
                throw in.error(sizeAt, s.title + " section size " + size + " runs past the end of the input ("
                        + in.remaining() + " bytes left)");
            }
            int payloadStart = in.position();
            int payloadEnd = payloadStart + (int) size;
            section(s, payloadStart, payloadEnd);
            in.position(payloadEnd);
            last = s;
        }
    }

    /**
     * True if {@code bytes} start with the magic of a Cella binary ({@link Section#MAGIC}); the
     * one test of it that tools use to tell a binary from assembly text.
     */
    public static boolean hasMagic(byte[] bytes) {
        for (int i = 0; i < 4; i++) {
            if (i == bytes.length || bytes[i] != magicByte(i)) {
                return false;
            }
        }
        return true;
    }

    /** Byte {@code i} (0-3) of the magic, in file order. */
    private static byte magicByte(int i) {
        return (byte) (Section.MAGIC >>> (8 * i));
    }

    private void header(ByteInput in) {
        for (int i = 0; i < 4; i++) {
            if (i == bytes.length) {
                throw in.error(i, "unexpected end of input in the magic number");
            }
            if (bytes[i] != magicByte(i)) {
                throw in.error(0, "bad magic number: not a Cella binary (a .cel file starts with 00 43 45 4C)");
            }
        }
        in.position(4);
        int version = in.fixed32();
        if (version != Section.VERSION) {
            throw in.error(4, "unsupported version " + Integer.toUnsignedString(version) + " (this reader knows version "
                    + Section.VERSION + ")");
        }
    }

    /**
     * Decodes one section's payload, {@code bytes[start, end)}, with reads confined to it, and
     * checks that the payload is exactly as long as the section's size says.
     */
    private void section(Section s, int start, int end) {
        ByteInput in = new ByteInput(bytes, start, end, 0);
        try {
            payload(s, in);
        } catch (FormatException confined) {
            // Tell a payload that is itself malformed from one that is only longer than its
            // declared size: decode again with the limit at the end of the input. Decoding is
            // deterministic, so it fails at another offset (or not at all) only if the confined
            // decoding was stopped by the section's end.
            if (failsAlike(s, start, confined)) {
                throw confined;
            }
            throw new FormatException(confined.offset(), s.title + " section size mismatch: the payload runs past the"
                    + " section's end at offset " + end + " (" + confined.reason() + ")");
        }
        if (in.hasRemaining()) {
            throw in.error(s.title + " section size mismatch: the payload ends at offset " + in.position()
                    + " but the section's size says " + end);
        }
    }

    private boolean failsAlike(Section s, int start, FormatException confined) {
        try {
            payload(s, new ByteInput(bytes, start, bytes.length, 0));
            return false;
        } catch (FormatException unconfined) {
            return unconfined.offset() == confined.offset();
        }
    }

    private void payload(Section s, ByteInput in) {
        switch (s) {
            case TYPE -> types = typeSection(in);
            case IMPORT -> imports = importSection(in);
            case TABLE -> tableSection(in);
            case MEMORY -> memorySection(in);
            case GLOBAL -> globals = globalSection(in);
            case EXPORT -> exports = exportSection(in);
            case START -> start = index(in, "start function index");
            case ELEMENT -> elements = elementSection(in);
            case CODE -> functions = codeSection(in);
            case DATA -> data = dataSection(in);
            case NAMES -> names = namesSection(in);
        }
    }

    private static List<FuncType> typeSection(ByteInput in) {
        // Each type holds at least its two counts.
        int n = in.count(2, "type");
        List<FuncType> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            // A signature may declare v128 values (FuncType#declared): each travels as two i64.
            List<ValType> params = signatureTypes(in, "parameter");
            List<ValType> results = signatureTypes(in, "result");
            out.add(FuncType.declared(params, results));
        }
        return out;
    }

    private static List<Import> importSection(ByteInput in) {
        // Each import holds at least two name lengths and a type index.
        int n = in.count(3, "import");
        List<Import> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String module = in.name();
            String name = in.name();
            out.add(new Import(module, name, index(in, "import type index")));
        }
        return out;
    }

    /**
     * The memory: {@code 00 limits} if the module owns it, {@code 01 limits module:name
     * field:name} if it is imported.
     */
    private void memorySection(ByteInput in) {
        int at = in.position();
        int mode = in.u8();
        if (mode > 1) {
            throw in.error(at, "unknown memory mode " + mode + " (0 = owned, 1 = imported)");
        }
        memory = limits(in, "memory");
        if (mode == 1) {
            memoryImport = new MemoryImport(in.name(), in.name());
        }
    }

    /**
     * Each table: {@code elemtype:u8} (funcref or externref), then its limits, whose flag is 2 more
     * for an imported table, followed by its module and field names.
     */
    private void tableSection(ByteInput in) {
        int n = in.count(3, "table");
        List<Limits> limits = new ArrayList<>(n);
        List<ValType> types = new ArrayList<>(n);
        List<TableImport> imported = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = in.position();
            ValType t = valType(in);
            if (!t.isReference()) {
                throw in.error(at, "table element type " + t + " is not a reference type");
            }
            types.add(t);
            int flagAt = in.position();
            int flag = in.u8();
            if (flag > 3) {
                throw in.error(flagAt, "unknown table limits flag " + flag
                        + " (0 = minimum only, 1 = minimum and maximum, plus 2 if imported)");
            }
            long min = in.u32();
            limits.add(new Limits(min, (flag & 1) != 0 ? in.u32() : Limits.NONE));
            imported.add(flag >= 2 ? new TableImport(in.name(), in.name()) : null);
        }
        tables = limits;
        tableTypes = types;
        tableImports = imported;
    }

    private static List<Global> globalSection(ByteInput in) {
        // Each global holds at least its type, mutability and a one-byte initial value.
        int n = in.count(3, "global");
        List<Global> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ValType type = valType(in);
            int flagAt = in.position();
            int flag = in.u8();
            if (flag > 3) {
                throw in.error(flagAt, "unknown mutability flag " + flag
                        + " (0 = constant, 1 = mutable, plus 2 if imported)");
            }
            if ((flag & 2) != 0) {
                out.add(new Global(type, (flag & 1) == 1, 0, in.name(), in.name()));
                continue;
            }
            long init = switch (type) {
                case I32 -> in.s32();
                case I64, FUNCREF, EXTERNREF -> in.s64();
                case F32 -> in.fixed32() & 0xFFFFFFFFL;
                case F64 -> in.fixed64();
                case V128 -> throw new IllegalStateException("valType never returns v128");
            };
            out.add(new Global(type, flag == 1, init));
        }
        return out;
    }

    private static List<Export> exportSection(ByteInput in) {
        // Each export holds at least a name length, a kind and an index.
        int n = in.count(3, "export");
        List<Export> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = in.name();
            int kindAt = in.position();
            int code = in.u8();
            ExportKind kind = ExportKind.fromCode(code);
            if (kind == null) {
                throw in.error(kindAt, "unknown export kind " + code);
            }
            out.add(new Export(name, kind, index(in, "export index")));
        }
        return out;
    }

    private static List<ElementSegment> elementSection(ByteInput in) {
        // Each segment holds at least a mode and a count: {@code 0:u8 table offset} (active) or
        // {@code 1:u8} (passive), then the count and the function indices.
        int n = in.count(2, "element segment");
        List<ElementSegment> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int modeAt = in.position();
            int mode = in.u8();
            if (mode > 1) {
                throw in.error(modeAt, "unknown element segment mode " + mode + " (0 = active, 1 = passive)");
            }
            int table = mode == 0 ? index(in, "element table index") : 0;
            long offset = mode == 0 ? in.u32() : 0;
            int count = in.count(1, "element function");
            int[] functions = new int[count];
            for (int j = 0; j < count; j++) {
                // Function index + 1, so that 0 is null (-1 in the model); the index must fit an int.
                int entryAt = in.position();
                long entry = in.u32();
                if (entry > (long) Integer.MAX_VALUE + 1) {
                    throw in.error(entryAt, "element function index " + (entry - 1) + " is too large");
                }
                functions[j] = (int) (entry - 1);
            }
            out.add(new ElementSegment(table, offset, functions, mode == 1));
        }
        return out;
    }

    private List<Function> codeSection(ByteInput in) {
        // Each function holds at least a body size, a type index and a register count.
        int n = in.count(3, "function");
        List<Function> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(function(in, imports.size() + i));
        }
        return out;
    }

    /**
     * One function: {@code size:uLEB32}, then a body of that many bytes holding {@code
     * type:uLEB32 count:uLEB32 count*(valtype:u8)} and, up to the end of the body, the code.
     * Every instruction is decoded so that malformed code is rejected here, at its file offset.
     */
    private static Function function(ByteInput in, int functionIndex) {
        int size = in.count(1, "function body byte");
        int end = in.position() + size;
        int outer = in.limit(end);
        int typeIndex = index(in, "function type index");
        int countAt = in.position();
        int count = in.count(1, "register");
        if (count > CodeReader.MAX_REGISTERS) {
            throw in.error(countAt, "function " + functionIndex + " declares " + count + " registers; the limit is "
                    + CodeReader.MAX_REGISTERS);
        }
        ValType[] registers = new ValType[count];
        for (int r = 0; r < count; r++) {
            registers[r] = valType(in);
        }
        long codeAt = in.offset();
        byte[] code = in.bytes(in.remaining());
        in.limit(outer);
        CodeReader reader = new CodeReader(code, codeAt);
        while (reader.hasNext()) {
            int pc = reader.pc();
            try {
                reader.next();
            } catch (FormatException e) {
                throw new FormatException(e.offset(), "function " + functionIndex + ", instruction at pc " + pc + ": "
                        + e.reason());
            }
        }
        return new Function(typeIndex, Arrays.asList(registers), code);
    }

    private static List<DataSegment> dataSection(ByteInput in) {
        // Each segment holds at least an offset and a length.
        int n = in.count(2, "data segment");
        List<DataSegment> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long offset = in.u32();
            int length = in.count(1, "data byte");
            out.add(new DataSegment(offset, in.bytes(length)));
        }
        return out;
    }

    /**
     * Function names, register names grouped by function, global names: each a map sorted by
     * strictly increasing index. A name equal to its default ({@code f3}, {@code r2}, {@code g0})
     * carries no information and is dropped, as {@link Names} never stores defaults.
     */
    private static Names namesSection(ByteInput in) {
        Map<Integer, String> functions = nameMap(in, "f", "function name");
        // Each entry holds at least a function index and a count.
        int n = in.count(2, "register name group");
        Map<Integer, Map<Integer, String>> registers = new HashMap<>();
        long previous = -1;
        for (int i = 0; i < n; i++) {
            int at = in.position();
            int function = index(in, "function index in register names");
            if (function <= previous) {
                throw in.error(at, "register names: function " + function + " follows function " + previous
                        + "; groups must be in strictly increasing function order");
            }
            previous = function;
            registers.put(function, nameMap(in, "r", "register name"));
        }
        Map<Integer, String> globals = nameMap(in, "g", "global name");
        return new Names(functions, registers, globals);
    }

    /** {@code count:uLEB32} then that many {@code index:uLEB32 name}, indices strictly increasing. */
    private static Map<Integer, String> nameMap(ByteInput in, String prefix, String what) {
        // Each entry holds at least an index and a name length.
        int n = in.count(2, what);
        Map<Integer, String> out = new HashMap<>();
        long previous = -1;
        for (int i = 0; i < n; i++) {
            int at = in.position();
            int index = index(in, what + " index");
            if (index <= previous) {
                throw in.error(at, what + " index " + index + " follows index " + previous
                        + "; names must be in strictly increasing index order");
            }
            previous = index;
            String name = in.name();
            if (!name.equals(prefix + index)) {
                out.put(index, name);
            }
        }
        return out;
    }

    /** A flag byte (0: minimum only, 1: minimum and maximum) and the uLEB32 values. */
    private static Limits limits(ByteInput in, String what) {
        int flagAt = in.position();
        int flag = in.u8();
        if (flag > 1) {
            throw in.error(flagAt, "unknown " + what + " limits flag " + flag + " (0 = minimum only, 1 = minimum and maximum)");
        }
        long min = in.u32();
        long max = flag == 1 ? in.u32() : Limits.NONE;
        return new Limits(min, max);
    }

    private static List<ValType> valTypes(ByteInput in, String what) {
        int n = in.count(1, what);
        ValType[] out = new ValType[n];
        for (int i = 0; i < n; i++) {
            out[i] = valType(in);
        }
        return Arrays.asList(out);
    }

    /** A signature's types: register types, or v128. */
    private static List<ValType> signatureTypes(ByteInput in, String what) {
        int n = in.count(1, what);
        ValType[] out = new ValType[n];
        for (int i = 0; i < n; i++) {
            int at = in.position();
            int code = in.u8();
            out[i] = ValType.fromCode(code);
            if (out[i] == null) {
                throw in.error(at, String.format("unknown value type 0x%02x", code));
            }
        }
        return Arrays.asList(out);
    }

    private static ValType valType(ByteInput in) {
        int at = in.position();
        int code = in.u8();
        ValType t = ValType.fromCode(code);
        if (t == null || !t.isScalar()) {
            throw in.error(at, String.format("unknown value type 0x%02x", code));
        }
        return t;
    }

    /** An index: a uLEB32 that must also fit a Java int (no valid module could use a larger one). */
    private static int index(ByteInput in, String what) {
        return in.u32(Integer.MAX_VALUE, what);
    }
}
