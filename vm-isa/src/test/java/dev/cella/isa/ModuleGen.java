package dev.cella.isa;

import dev.cella.isa.code.CodeWriter;
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
import dev.cella.isa.module.TableImport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/**
 * A QuickTheories generator of random modules with a well-formed encoding, shared by the binary
 * format and text format property tests.
 *
 * <p>What a generated module guarantees (so that it also disassembles and re-assembles):
 * <ul>
 *   <li>types are distinct signatures (the text format interns types);
 *   <li>every index an instruction or module item holds is in range (types, functions, globals,
 *       tables, registers), exports name existing items and have distinct names;
 *   <li>register operands have the types the opcode expects; global.get/set name a global of
 *       the matching type (set: a mutable one); call, call_indirect and ret lists match the
 *       signature involved; memory instructions appear only if there is a memory, call_indirect
 *       only if there is a table;
 *   <li>every function declares at least one register of each type, and its last instruction is
 *       a {@code ret} of its results;
 *   <li>every branch target is the pc of an instruction of the same function;
 *   <li>debugging names are unique identifiers of the text format that never equal a default
 *       name ({@code f3}, {@code r2}, {@code g0}), and the second register of a v128 parameter
 *       has none (the text format names only the first); import and export strings are arbitrary Unicode
 *       (control characters, quotes, backslashes, non-ASCII) and may be empty.
 * </ul>
 * It does not promise that the module passes the verifier (for instance a register may be read
 * before it is written, or a start function may take parameters).
 */
public final class ModuleGen {
    private static final int[] STRING_CHARS = {'a', 'b', 'z', 'A', 'Q', '0', '9', '_', '.', ' ', '"', '\\', '\n', '\t',
        '\r', 0, 1, 0x7F, 0xE9, 0x2192, 0x1F600};
    private static final String WORD_CHARS = "abcxyz019_.$";

    private ModuleGen() {}

    /** Random modules as described in the class comment; shrinks with QuickTheories' draws. */
    @SuppressWarnings("exports") // a test helper: QuickTheories is on the tests' class path, as its users are
    public static Gen<Module> modules() {
        Gen<Module> gen = in -> new Draw(in).module();
        return gen.describedAs(ModuleGen::describe);
    }

    /**
     * The first difference between two modules, compared element by element (arrays by content),
     * or null if they are equal. Records cannot do this themselves: they compare arrays by
     * identity.
     */
    public static String difference(Module a, Module b) {
        if (!a.types().equals(b.types())) {
            return "types " + a.types() + " != " + b.types();
        }
        if (!a.imports().equals(b.imports())) {
            return "imports " + a.imports() + " != " + b.imports();
        }
        if (a.functions().size() != b.functions().size()) {
            return "function count " + a.functions().size() + " != " + b.functions().size();
        }
        for (int i = 0; i < a.functions().size(); i++) {
            Function f = a.functions().get(i);
            Function g = b.functions().get(i);
            if (f.typeIndex() != g.typeIndex() || !f.registers().equals(g.registers())
                    || !Arrays.equals(f.code(), g.code())) {
                return "defined function " + i + ": " + describe(f) + " != " + describe(g);
            }
        }
        if (!a.tables().equals(b.tables()) || !Objects.equals(a.memory(), b.memory())
                || !a.tableImports().equals(b.tableImports())) {
            return "tables/memory " + a.tables() + " " + a.memory() + " != " + b.tables() + " " + b.memory();
        }
        if (!a.globals().equals(b.globals()) || !a.exports().equals(b.exports()) || a.start() != b.start()) {
            return "globals/exports/start " + a.globals() + " " + a.exports() + " " + a.start() + " != "
                    + b.globals() + " " + b.exports() + " " + b.start();
        }
        if (a.elements().size() != b.elements().size() || a.data().size() != b.data().size()) {
            return "segment counts differ";
        }
        for (int i = 0; i < a.elements().size(); i++) {
            ElementSegment x = a.elements().get(i);
            ElementSegment y = b.elements().get(i);
            if (x.table() != y.table() || x.offset() != y.offset() || !Arrays.equals(x.functions(), y.functions())) {
                return "element segment " + i + " differs";
            }
        }
        for (int i = 0; i < a.data().size(); i++) {
            DataSegment x = a.data().get(i);
            DataSegment y = b.data().get(i);
            if (x.offset() != y.offset() || !Arrays.equals(x.bytes(), y.bytes())) {
                return "data segment " + i + " differs";
            }
        }
        if (!a.names().equals(b.names())) {
            return "names " + a.names() + " != " + b.names();
        }
        return null;
    }

    /** A readable summary of {@code m}: every item, function bodies in hex. */
    public static String describe(Module m) {
        StringBuilder sb = new StringBuilder("Module{types=").append(m.types())
                .append(", imports=").append(m.imports()).append(", functions=[");
        for (Function f : m.functions()) {
            sb.append(describe(f)).append(' ');
        }
        sb.append("], tables=").append(m.tables()).append(", memory=").append(m.memory())
                .append(", globals=").append(m.globals()).append(", exports=").append(m.exports())
                .append(", start=").append(m.start()).append(", elements=[");
        for (ElementSegment e : m.elements()) {
            sb.append(e.table()).append('@').append(e.offset()).append(Arrays.toString(e.functions())).append(' ');
        }
        sb.append("], data=[");
        for (DataSegment d : m.data()) {
            sb.append(d.offset()).append(':').append(HexFormat.of().formatHex(d.bytes())).append(' ');
        }
        return sb.append("], names=").append(m.names()).append('}').toString();
    }

    private static String describe(Function f) {
        return "t" + f.typeIndex() + f.registers() + ":" + HexFormat.of().formatHex(f.code());
    }

    /** One instruction under construction: label operands hold instruction numbers, not pcs. */
    private record Insn(Opcode op, long[] operands, int[][] lists) {}

    /** Draws one module from a randomness source; one instance per module. */
    private static final class Draw {
        private final RandomnessSource in;
        private final List<FuncType> types = new ArrayList<>();
        private final List<Import> imports = new ArrayList<>();
        private final List<Integer> functionTypes = new ArrayList<>();
        private final List<Limits> tables = new ArrayList<>();
        /** Where each table comes from: null for an owned one. */
        private final List<TableImport> tableImports = new ArrayList<>();
        private final List<Global> globals = new ArrayList<>();
        private Limits memory;

        Draw(RandomnessSource in) {
            this.in = in;
        }

        int between(int lo, int hi) {
            return (int) in.next(Constraint.between(lo, hi));
        }

        long between(long lo, long hi) {
            return in.next(Constraint.between(lo, hi));
        }

        boolean chance(int oneIn) {
            return between(0, oneIn - 1) == 0;
        }

        <T> T pick(List<T> options) {
            return options.get(between(0, options.size() - 1));
        }

        ValType valType() {
            return ValType.values()[between(0, 3)];
        }

        Module module() {
            int typeCount = between(0, 4);
            for (int attempt = 0; types.size() < typeCount && attempt < 3 * typeCount; attempt++) {
                // Now and then a signature that declares v128 values (FuncType#vectors).
                FuncType t = chance(4) ? FuncType.declared(signatureTypes(3), signatureTypes(2))
                        : new FuncType(valTypes(3), valTypes(2));
                if (!types.contains(t)) {
                    types.add(t);
                }
            }
            int importCount = types.isEmpty() ? 0 : between(0, 3);
            for (int i = 0; i < importCount; i++) {
                int t = between(0, types.size() - 1);
                imports.add(new Import(text(6), text(6), t));
                functionTypes.add(t);
            }
            int definedCount = types.isEmpty() ? 0 : between(0, 4);
            for (int i = 0; i < definedCount; i++) {
                functionTypes.add(between(0, types.size() - 1));
            }
            for (int i = between(0, 2); i > 0; i--) {
                tables.add(limits(10));
                tableImports.add(chance(3) ? new TableImport("env", "t" + tables.size()) : null);
            }
            memory = chance(2) ? limits(4) : null;
            for (int i = between(0, 4); i > 0; i--) {
                ValType t = valType();
                globals.add(new Global(t, chance(2), bits(t)));
            }
            List<Function> functions = new ArrayList<>();
            for (int i = 0; i < definedCount; i++) {
                functions.add(function(imports.size() + i));
            }
            int functionCount = functionTypes.size();
            int start = functionCount > 0 && chance(3) ? between(0, functionCount - 1) : -1;
            return new Module(types, imports, functions, tables, memory, globals, exports(), start, elements(),
                    data(), names(functions), null, null, tableImports);
        }

        List<ValType> valTypes(int max) {
            List<ValType> out = new ArrayList<>();
            for (int i = between(0, max); i > 0; i--) {
                out.add(valType());
            }
            return out;
        }

        /** A signature's declared types: mostly register types, now and then v128. */
        List<ValType> signatureTypes(int max) {
            List<ValType> out = new ArrayList<>();
            for (int i = between(0, max); i > 0; i--) {
                out.add(chance(3) ? ValType.V128 : valType());
            }
            return out;
        }

        Limits limits(int maxMin) {
            long min = between(0, maxMin);
            return new Limits(min, chance(2) ? Limits.NONE : min + between(0, 10));
        }

        /** Raw bits of a value of type {@code t}, often an edge case (NaN payloads, -0, extremes). */
        long bits(ValType t) {
            long raw = between(Long.MIN_VALUE, Long.MAX_VALUE);
            if (chance(3)) {
                long[] edges = switch (t) {
                    case I32 -> new long[] {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE};
                    case I64 -> new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE};
                    case F32 -> new long[] {0x7FC00000L, 0xFFC00001L, 0x7F800001L, 0x80000000L, 0x7F800000L};
                    case F64 -> new long[] {0x7FF8000000000000L, 0xFFF0000000000001L, 0x7FF4000000000000L,
                        0x8000000000000000L, 0xFFF0000000000000L};
                    case FUNCREF, EXTERNREF -> new long[] {0};
                    case V128 -> throw new IllegalArgumentException("v128 is an operand type only");
                };
                raw = edges[between(0, edges.length - 1)];
            }
            return switch (t) {
                case I32 -> (int) raw;
                case F32 -> raw & 0xFFFFFFFFL;
                case I64, F64, EXTERNREF -> raw;
                case FUNCREF -> 0; // null: any other value must name a function
                case V128 -> throw new IllegalArgumentException("v128 is an operand type only");
            };
        }

        String text(int maxLength) {
            StringBuilder sb = new StringBuilder();
            for (int i = between(0, maxLength); i > 0; i--) {
                sb.appendCodePoint(STRING_CHARS[between(0, STRING_CHARS.length - 1)]);
            }
            return sb.toString();
        }

        /** A text-format identifier, unique thanks to {@code index}, never a default name. */
        String identifier(String prefix, int index) {
            StringBuilder sb = new StringBuilder(chance(4) ? "$" : "").append(prefix);
            for (int i = between(0, 4); i > 0; i--) {
                sb.append(WORD_CHARS.charAt(between(0, WORD_CHARS.length() - 1)));
            }
            return sb.append('_').append(index).toString();
        }

        Function function(int self) {
            FuncType sig = types.get(functionTypes.get(self));
            List<ValType> registers = new ArrayList<>(sig.params());
            // Two registers of every type at least, so a result list (at most two values) can
            // always name distinct registers, as the verifier requires.
            registers.addAll(ValType.SCALARS);
            registers.addAll(ValType.SCALARS);
            registers.addAll(List.of(ValType.I64, ValType.I64)); // a pair for v128 operands
            registers.addAll(valTypes(4));
            Map<ValType, List<Integer>> byType = new EnumMap<>(ValType.class);
            for (int r = 0; r < registers.size(); r++) {
                byType.computeIfAbsent(registers.get(r), k -> new ArrayList<>()).add(r);
                if (r > 0 && registers.get(r - 1) == ValType.I64 && registers.get(r) == ValType.I64) {
                    byType.computeIfAbsent(ValType.V128, k -> new ArrayList<>()).add(r - 1);
                }
            }
            List<Opcode> feasible = Arrays.stream(Opcode.values()).filter(this::feasible).toList();
            int count = between(0, 10);
            List<Insn> body = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                body.add(instruction(pick(feasible), byType, sig, count + 1));
            }
            body.add(new Insn(Opcode.RET, new long[] {sig.results().size()},
                    new int[][] {registerList(sig.results(), byType)}));
            int[] pcs = encode(body, null).pcs;
            return new Function(functionTypes.get(self), registers, encode(body, pcs).code);
        }

        boolean feasible(Opcode op) {
            if (op.usesMemory() && memory == null) {
                return false;
            }
            for (Operand o : op.operands()) {
                boolean ok = switch (o.kind()) {
                    case FUNC -> !functionTypes.isEmpty();
                    // Generated tables hold funcref; the externref table instructions need another.
                    case TABLE -> !tables.isEmpty() && op.operands().stream()
                            .noneMatch(r -> r.kind().isRegister() && r.type() == ValType.EXTERNREF);
                    case ELEM -> false; // generated modules have no passive segments to name
                    case GLOBAL -> !globalsFor(op).isEmpty();
                    default -> true;
                };
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        /** The globals a global.get or global.set opcode may name: right type, mutable for set. */
        List<Integer> globalsFor(Opcode op) {
            boolean set = op.name().endsWith("GLOBAL_SET");
            ValType type = op.operands().stream().filter(o -> o.kind().isRegister()).findFirst().orElseThrow().type();
            List<Integer> out = new ArrayList<>();
            for (int g = 0; g < globals.size(); g++) {
                if (globals.get(g).type() == type && (globals.get(g).mutable() || !set)) {
                    out.add(g);
                }
            }
            return out;
        }

        /**
         * Immediate {@code i} of SIMD instruction {@code op}: a lane operation of its shape, then a
         * lane index below that operation's lane count; a shuffle's lane bytes below 32.
         */
        long laneImmediate(Opcode op, long[] operands, int i) {
            V128Op.Shape shape = V128Op.Shape.of(op);
            if (shape == null) {
                long lanes = 0;
                for (int b = 0; b < 8; b++) {
                    lanes |= (long) between(0, 31) << (8 * b);
                }
                return lanes;
            }
            if (op.operands().get(i - 1).kind() == OperandKind.I32_IMM) {
                return between(0, V128Op.fromCode(operands[i - 1]).lanes - 1);
            }
            return pick(Arrays.stream(V128Op.values()).filter(v -> v.shape == shape).toList()).code;
        }

        Insn instruction(Opcode op, Map<ValType, List<Integer>> byType, FuncType self, int instructionCount) {
            List<Operand> kinds = op.operands();
            long[] operands = new long[kinds.size()];
            int[][] lists = new int[kinds.size()][];
            FuncType callee = null;
            for (int i = 0; i < operands.length; i++) {
                Operand o = kinds.get(i);
                switch (o.kind()) {
                    case DEF, USE -> operands[i] = pick(byType.get(o.type()));
                    case I32_IMM, I64_IMM, F32_IMM, F64_IMM -> operands[i] = op.isSimd() ? laneImmediate(op, operands, i)
                            : bits(o.type());
                    case LABEL -> operands[i] = between(0, instructionCount - 1);
                    case LABELS -> {
                        lists[i] = new int[between(0, 3)];
                        for (int j = 0; j < lists[i].length; j++) {
                            lists[i][j] = between(0, instructionCount - 1);
                        }
                        operands[i] = lists[i].length;
                    }
                    case FUNC -> {
                        int f = between(0, functionTypes.size() - 1);
                        callee = types.get(functionTypes.get(f));
                        operands[i] = f;
                    }
                    case TYPE -> {
                        int t = between(0, types.size() - 1);
                        callee = types.get(t);
                        operands[i] = t;
                    }
                    case GLOBAL -> operands[i] = pick(globalsFor(op));
                    case TABLE -> operands[i] = between(0, tables.size() - 1);
                    case OFFSET -> operands[i] = chance(2) ? between(0, 64) : between(0, 0xFFFFFFFFL);
                    case USES, DEFS -> {
                        boolean throwing = op == Opcode.THROW || op == Opcode.RETHROW;
                        if (throwing || (op.isCall() && op.isBranch() && i == 1)) {
                            // An exception's payload (i64s), after its tag register in a catching call's list.
                            List<ValType> want = new ArrayList<>(Collections.nCopies(between(0, throwing ? 2 : 1), ValType.I64));
                            if (!throwing) {
                                want.add(0, ValType.I32);
                            }
                            lists[i] = throwing ? registerList(want, byType) : distinctRegisterList(want, byType);
                            operands[i] = lists[i].length;
                            continue;
                        }
                        FuncType sig = callee != null ? callee : self;
                        List<ValType> want = o.kind() == OperandKind.DEFS ? sig.results()
                                : callee != null ? sig.params() : sig.results();
                        lists[i] = o.kind() == OperandKind.DEFS ? distinctRegisterList(want, byType)
                                : registerList(want, byType);
                        operands[i] = lists[i].length;
                    }
                }
            }
            return new Insn(op, operands, lists);
        }

        int[] registerList(List<ValType> want, Map<ValType, List<Integer>> byType) {
            int[] regs = new int[want.size()];
            for (int j = 0; j < regs.length; j++) {
                regs[j] = pick(byType.get(want.get(j)));
            }
            return regs;
        }

        /** Like {@link #registerList}, but never the same register twice (result lists). */
        int[] distinctRegisterList(List<ValType> want, Map<ValType, List<Integer>> byType) {
            int[] regs = new int[want.size()];
            for (int j = 0; j < regs.length; j++) {
                List<Integer> free = new ArrayList<>(byType.get(want.get(j)));
                for (int k = 0; k < j; k++) {
                    free.remove(Integer.valueOf(regs[k]));
                }
                regs[j] = pick(free);
            }
            return regs;
        }

        record Encoded(byte[] code, int[] pcs) {}

        /** Encodes {@code body}; label operands become {@code pcs[target]}, or 0 if pcs is null. */
        static Encoded encode(List<Insn> body, int[] pcs) {
            CodeWriter w = new CodeWriter();
            int[] at = new int[body.size()];
            for (int i = 0; i < body.size(); i++) {
                Insn insn = body.get(i);
                long[] operands = insn.operands().clone();
                int[][] lists = insn.lists().clone();
                for (int k = 0; k < operands.length; k++) {
                    OperandKind kind = insn.op().operands().get(k).kind();
                    if (kind == OperandKind.LABEL) {
                        operands[k] = pcs == null ? 0 : pcs[(int) operands[k]];
                    } else if (kind == OperandKind.LABELS) {
                        lists[k] = Arrays.stream(lists[k]).map(t -> pcs == null ? 0 : pcs[t]).toArray();
                    }
                }
                at[i] = w.pc();
                w.write(insn.op(), operands, lists);
            }
            return new Encoded(w.toByteArray(), at);
        }

        List<Export> exports() {
            List<ExportKind> kinds = new ArrayList<>();
            if (!functionTypes.isEmpty()) {
                kinds.add(ExportKind.FUNC);
            }
            if (!tables.isEmpty()) {
                kinds.add(ExportKind.TABLE);
            }
            if (memory != null) {
                kinds.add(ExportKind.MEMORY);
            }
            if (!globals.isEmpty()) {
                kinds.add(ExportKind.GLOBAL);
            }
            List<Export> out = new ArrayList<>();
            Set<String> used = new HashSet<>();
            for (int i = kinds.isEmpty() ? 0 : between(0, 4); i > 0; i--) {
                ExportKind kind = pick(kinds);
                int index = switch (kind) {
                    case FUNC -> between(0, functionTypes.size() - 1);
                    case TABLE -> between(0, tables.size() - 1);
                    case MEMORY -> 0;
                    case GLOBAL -> between(0, globals.size() - 1);
                };
                String name = text(5);
                while (!used.add(name)) {
                    name = name + "#";
                }
                out.add(new Export(name, kind, index));
            }
            return out;
        }

        List<ElementSegment> elements() {
            List<ElementSegment> out = new ArrayList<>();
            for (int i = tables.isEmpty() ? 0 : between(0, 2); i > 0; i--) {
                int[] fs = new int[functionTypes.isEmpty() ? 0 : between(0, 4)];
                for (int j = 0; j < fs.length; j++) {
                    fs[j] = between(0, functionTypes.size() - 1);
                }
                out.add(new ElementSegment(between(0, tables.size() - 1), between(0, 20), fs));
            }
            return out;
        }

        List<DataSegment> data() {
            List<DataSegment> out = new ArrayList<>();
            for (int i = memory == null ? 0 : between(0, 2); i > 0; i--) {
                byte[] b = new byte[between(0, 8)];
                for (int j = 0; j < b.length; j++) {
                    b[j] = (byte) between(0, 255);
                }
                out.add(new DataSegment(between(0, 100), b));
            }
            return out;
        }

        Names names(List<Function> functions) {
            Map<Integer, String> fn = new HashMap<>();
            for (int f = 0; f < functionTypes.size(); f++) {
                if (chance(2)) {
                    fn.put(f, identifier("fn", f));
                }
            }
            Map<Integer, Map<Integer, String>> regs = new HashMap<>();
            for (int i = 0; i < functions.size(); i++) {
                Map<Integer, String> m = new HashMap<>();
                FuncType sig = types.get(functionTypes.get(imports.size() + i));
                for (int r = 0; r < functions.get(i).registers().size(); r++) {
                    // The text format names a v128 parameter's first register only.
                    if (chance(3) && !(r > 0 && r <= sig.params().size() && sig.isVectorAt(r - 1))) {
                        m.put(r, identifier("rv", r));
                    }
                }
                regs.put(imports.size() + i, m);
            }
            Map<Integer, String> gl = new HashMap<>();
            for (int g = 0; g < globals.size(); g++) {
                if (chance(2)) {
                    gl.put(g, identifier("gv", g));
                }
            }
            return new Names(fn, regs, gl);
        }
    }
}
