package dev.cella.jit;

import dev.cella.isa.Opcode;
import dev.cella.isa.Operand;
import dev.cella.isa.OperandKind;
import dev.cella.isa.V128Op;
import dev.cella.isa.ValType;
import dev.cella.vm.StateValidator;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/**
 * A QuickTheories generator of random valid Cella programs for differential testing (as assembly
 * text). Every choice is drawn from the randomness source, so QuickTheories shrinks a failing
 * program by shrinking its choices: the first option of each choice is the simplest.
 *
 * <p>A program has a memory (1 page, may grow to 3), globals of every type, a table of 8
 * elements partly filled with functions of several signatures (some null), a second funcref
 * table (4 elements, may grow to 12) and an externref table (3, may grow to 6), a passive element
 * segment (segment 0, with a null), three host imports
 * (see {@link Differential#hosts}) and one to four functions; the first is exported as {@code
 * main}. Bodies mix: arithmetic and conversions of every type on registers holding edge values
 * (NaN payloads, infinities, signed zeros, MIN/MAX); loads and stores of every width at addresses
 * around the end of each page the memory may have (so some trap out of bounds, also after a
 * growth, when the memory's host capacity passes its size), with static offsets from 0 to 2^32 - 1
 * (0, small, a page, near 2^30, near 2^31, near 2^32); memory.size/grow/copy/fill; globals;
 * if/else; loops with bounded trip counts; br_table; direct calls (only to later functions, so
 * they terminate) and host calls; call_indirect through the table with indices in and out of
 * range and signatures that may not match; early returns; traps (unreachable, division,
 * truncation); every table instruction (ref.func into funcref registers, table.get/set/size/grow/
 * fill/copy/init and elem.drop on every table, with indices and counts in and out of range) and
 * call_indirect through the second table, whose contents the program changes as it runs;
 * throws, and catching calls (direct, host and indirect) with a landing pad that may throw again
 * or rethrow. Indirect calls may recurse; the run's fuel and call-depth limits (drawn too, small ones
 * included, so fuel and depth traps happen at many points) bound every run.
 */
final class ProgramGen implements Gen<Differential.Program> {
    /** The value types generated programs use (references have no arithmetic to test). */
    private static final java.util.List<ValType> NUMERIC = java.util.List.of(ValType.I32, ValType.I64, ValType.F32,
            ValType.F64);

    /**
     * The signature palette: index i is type {@code T<i>}. No signature has two results of one
     * type, so a call's result list never names a register twice (the verifier forbids that).
     */
    static final String[][] TYPES = {
        {"", ""},
        {"i32", "i32"},
        {"i32, i64", "i64"},
        {"f32, f64", "f64"},
        {"i64, f32, i32", "f32, i32"},
        {"f64", "i32, i64, f32"},
        {"i32", ""},
    };
    private static final String[] IMPORTS = {"mix", "burn", "quit"};
    private static final int[] IMPORT_TYPES = {2, 1, 6};
    private static final int TABLE_SIZE = 8;

    private static final List<Opcode> SIMPLE = new ArrayList<>();
    private static final List<Opcode> SIMD = new ArrayList<>();

    static {
        for (Opcode op : Opcode.values()) {
            // Trapping arithmetic comes from trap(), with divisors and sources mostly valid.
            if (!op.isBranch() && !op.isTerminator() && !op.isCall() && !op.usesMemory() && !op.mayTrap()
                    && !op.mnemonic.contains("global") && op != Opcode.NOP && numeric(op)) {
                SIMPLE.add(op);
            }
            if (op.isSimd()) {
                SIMD.add(op);
            }
        }
    }

    private static final Map<V128Op.Shape, List<V128Op>> LANE_OPS = new EnumMap<>(V128Op.Shape.class);

    static {
        for (V128Op op : V128Op.values()) {
            LANE_OPS.computeIfAbsent(op.shape, s -> new ArrayList<>()).add(op);
        }
    }

    /** True if {@code op} has only registers of numeric types and immediates (tables are covered by tables.cst). */
    private static boolean numeric(Opcode op) {
        return op.operands().stream().allMatch(o -> o.type() != null ? NUMERIC.contains(o.type())
                : o.kind() != dev.cella.isa.OperandKind.TABLE && o.kind() != dev.cella.isa.OperandKind.ELEM
                        && o.kind() != dev.cella.isa.OperandKind.FUNC);
    }

    private RandomnessSource src;
    private StringBuilder out;
    private int labels;
    private int functionCount;
    private int current;
    private Map<ValType, List<String>> pool;
    private int[] functionTypes;
    /** Type index of the function in each table slot, or -1 for an empty slot. */
    private int[] tableTypes;

    @Override
    public Differential.Program generate(RandomnessSource in) {
        this.src = in;
        this.out = new StringBuilder();
        this.labels = 0;
        functionCount = 1 + draw(0, 3);
        functionTypes = new int[functionCount];
        for (int f = 0; f < functionCount; f++) {
            functionTypes[f] = draw(0, TYPES.length - 1);
        }
        header();
        for (int f = 0; f < functionCount; f++) {
            function(f);
        }
        long[] args = new long[params(functionTypes[0]).size()];
        for (int i = 0; i < args.length; i++) {
            args[i] = bits(params(functionTypes[0]).get(i));
        }
        long fuel = switch (draw(0, 3)) {
            case 0 -> 100_000;
            case 1 -> draw(1, 400);
            case 2 -> draw(400, 20_000);
            default -> 300_000;
        };
        int maxDepth = switch (draw(0, 2)) {
            case 0 -> 10_000;
            case 1 -> draw(1, 12);
            default -> draw(12, 300);
        };
        // Mostly the largest stack; else a few frames' worth, so that deep calls (indirect
        // recursion) meet the stack's limit as well as the depth's (StateValidator.FRAME_UNITS).
        long stackBytes = switch (draw(0, 2)) {
            case 0, 1 -> StateValidator.MAX_STACK_BYTES;
            default -> 8L * draw(1, 400);
        };
        return new Differential.Program(out.toString(), args, fuel, maxDepth, 1 + draw(0, 1), stackBytes);
    }

    private int draw(int lo, int hi) {
        return (int) src.next(Constraint.between(lo, hi));
    }

    private static List<ValType> params(int type) {
        return parse(TYPES[type][0]);
    }

    private static List<ValType> results(int type) {
        return parse(TYPES[type][1]);
    }

    private static List<ValType> parse(String list) {
        List<ValType> out = new ArrayList<>();
        for (String s : list.split(",")) {
            if (!s.isBlank()) {
                out.add(ValType.fromText(s.strip()));
            }
        }
        return out;
    }

    private void line(String s) {
        out.append("    ").append(s).append('\n');
    }

    private String label() {
        return "L" + labels++;
    }

    private void header() {
        for (int t = 0; t < TYPES.length; t++) {
            out.append("type T").append(t).append(" (").append(TYPES[t][0]).append(") -> (").append(TYPES[t][1])
                    .append(")\n");
        }
        for (int i = 0; i < IMPORTS.length; i++) {
            out.append("import ").append(IMPORTS[i]).append(" \"env\" \"").append(IMPORTS[i]).append("\" (")
                    .append(TYPES[IMPORT_TYPES[i]][0]).append(") -> (").append(TYPES[IMPORT_TYPES[i]][1]).append(")\n");
        }
        out.append("memory 1 3\n");
        out.append("data 0 \"Cella\\x00\\xff\\x80\\x7f\"\n");
        out.append("data 65528 \"\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\"\n");
        out.append("global gi: i32 mut = 7\nglobal gl: i64 mut = -3\nglobal gf: f32 mut = 1.5\n");
        out.append("global gd: f64 mut = -2.25\nglobal ci: i32 = 42\n");
        out.append("table tab ").append(TABLE_SIZE).append('\n');
        out.append("table alt 4 12\ntable ext 3 6 externref\n");
        // Segment 0, passive: table.init reads it until elem.drop; the active one below is segment 1.
        out.append("elem [").append(function()).append(", null, ").append(function()).append(", ")
                .append(function()).append("]\n");
        int filled = draw(0, TABLE_SIZE);
        tableTypes = new int[TABLE_SIZE];
        java.util.Arrays.fill(tableTypes, -1);
        out.append("elem tab 0 ["); // segment 1, empty once placed (maybe empty from the start)
        for (int i = 0; i < filled; i++) {
            int f = draw(0, functionCount + IMPORTS.length - 1);
            out.append(i == 0 ? "" : ", ").append(f < functionCount ? "fn" + f : IMPORTS[f - functionCount]);
            tableTypes[i] = f < functionCount ? functionTypes[f] : IMPORT_TYPES[f - functionCount];
        }
        out.append("]\n");
        out.append("export func fn0 \"main\"\n");
    }

    private void function(int f) {
        current = f;
        labels = 0;
        int type = functionTypes[f];
        List<ValType> ps = params(type);
        pool = new EnumMap<>(ValType.class);
        for (ValType t : NUMERIC) {
            pool.put(t, new ArrayList<>());
        }
        StringBuilder sig = new StringBuilder();
        for (int i = 0; i < ps.size(); i++) {
            sig.append(i == 0 ? "" : ", ").append("p").append(i).append(": ").append(ps.get(i));
            pool.get(ps.get(i)).add("p" + i);
        }
        out.append("func fn").append(f).append('(').append(sig).append(") -> (").append(TYPES[type][1]).append(") {\n");
        StringBuilder regs = new StringBuilder();
        String[] prefix = {"n", "w", "s", "q"};
        for (ValType t : NUMERIC) {
            for (int k = 0; k < 3; k++) {
                String name = prefix[t.ordinal()] + k;
                pool.get(t).add(name);
                regs.append(name).append(": ").append(t).append(", ");
            }
        }
        // Two v128 operands: pairs of consecutive i64 registers, which scalar i64 code also mixes.
        pool.put(ValType.V128, new ArrayList<>(List.of("v0", "v1")));
        pool.get(ValType.I64).addAll(List.of("v0", "v0h", "v1", "v1h"));
        regs.append("v0: i64, v0h: i64, v1: i64, v1h: i64, ");
        regs.append("c0: i32, c1: i32, c2: i32, z: i32, fr0: funcref, fr1: funcref, xr: externref");
        line("reg " + regs);
        for (String half : List.of("v0", "v0h", "v1", "v1h")) {
            // Distinct halves, so that a lane or half mixed up shows in the results.
            line("i64.const " + half + ", " + literal(ValType.I64));
        }
        line("ref.func fr0, " + function()); // a reference to move around tables (fr1 starts null)
        int statements = draw(0, 14);
        for (int s = 0; s < statements; s++) {
            statement(0);
        }
        ret();
        out.append("}\n");
    }

    private String reg(ValType t) {
        List<String> p = pool.get(t);
        return p.get(draw(0, p.size() - 1));
    }

    private void ret() {
        StringBuilder sb = new StringBuilder("ret");
        List<ValType> rs = results(functionTypes[current]);
        for (int i = 0; i < rs.size(); i++) {
            sb.append(i == 0 ? " " : ", ").append(reg(rs.get(i)));
        }
        line(sb.toString());
    }

    private void statement(int depth) {
        int kind = draw(0, depth >= 2 ? 8 : 16);
        switch (kind) {
            case 0 -> simple();
            case 1 -> simd();
            case 2 -> constant(draw(0, 3));
            case 3 -> memoryAccess();
            case 4 -> bulkMemory();
            case 5 -> global();
            case 6 -> directCall();
            case 7 -> indirectCall();
            case 8 -> tableOp();
            case 9 -> ifElse(depth);
            case 10 -> loop(depth);
            case 11 -> brTable(depth);
            case 12 -> earlyReturn();
            case 13 -> trap();
            case 14 -> catchingCall();
            case 15 -> throwException();
            default -> simple();
        }
    }

    /** Any function or import, by name. */
    private String function() {
        int f = draw(0, functionCount + IMPORTS.length - 1);
        return f < functionCount ? "fn" + f : IMPORTS[f - functionCount];
    }

    private String funcTable() {
        return draw(0, 1) == 0 ? "alt" : "tab";
    }

    private String funcref() {
        return draw(0, 1) == 0 ? "fr0" : "fr1";
    }

    /** An i32 register set to a table index or count: mostly small (in and just out of range), sometimes huge. */
    private String tableIndex() {
        String r = reg(ValType.I32);
        line("i32.const " + r + ", " + switch (draw(0, 5)) {
            case 0 -> -draw(1, 3);
            case 1 -> draw(0, 13);
            default -> draw(0, 4);
        });
        return r;
    }

    /** One to three table instructions, or call_indirect through the second table. */
    private void tableOp() {
        int n = 1 + draw(0, 2);
        for (int i = 0; i < n; i++) {
            tableInstruction();
        }
    }

    private void tableInstruction() {
        switch (draw(0, 11)) {
            case 0 -> line("ref.func " + funcref() + ", " + function());
            case 1 -> line("funcref.table_get " + funcref() + ", " + funcTable() + ", " + tableIndex());
            case 2 -> line("funcref.table_set " + funcTable() + ", " + tableIndex() + ", " + funcref());
            case 3 -> line("table.size " + reg(ValType.I32) + ", " + (draw(0, 2) == 0 ? "ext" : funcTable()));
            case 4 -> line("funcref.table_grow " + reg(ValType.I32) + ", " + funcTable() + ", " + funcref() + ", "
                    + tableIndex());
            case 5 -> line("funcref.table_fill " + funcTable() + ", " + tableIndex() + ", " + funcref() + ", "
                    + tableIndex());
            case 6 -> line("table.copy " + funcTable() + ", " + funcTable() + ", " + tableIndex() + ", "
                    + tableIndex() + ", " + tableIndex());
            case 7 -> line("table.init " + funcTable() + ", " + draw(0, 1) + ", " + tableIndex() + ", " + tableIndex()
                    + ", " + tableIndex());
            case 8 -> line("elem.drop " + draw(0, 1));
            case 9 -> {
                switch (draw(0, 3)) {
                    case 0 -> line("externref.table_get xr, ext, " + tableIndex());
                    case 1 -> line("externref.table_set ext, " + tableIndex() + ", xr");
                    case 2 -> line("externref.table_grow " + reg(ValType.I32) + ", ext, xr, " + tableIndex());
                    default -> line("externref.table_fill ext, " + tableIndex() + ", xr, " + tableIndex());
                }
            }
            case 10 -> line("funcref.is_null " + reg(ValType.I32) + ", " + funcref());
            default -> {
                // Mostly the type of some function, so that the call resolves when its slot holds it.
                int f = draw(0, functionCount + IMPORTS.length - 1);
                int type = f < functionCount ? functionTypes[f] : IMPORT_TYPES[f - functionCount];
                line("call_indirect T" + type + ", alt, " + tableIndex() + ", " + registerList(params(type)) + ", "
                        + registerList(results(type)));
            }
        }
    }

    /** One to three SIMD instructions (the simple ones are too rare among all the others to test them well). */
    private void simd() {
        int n = 1 + draw(0, 2);
        for (int i = 0; i < n; i++) {
            simple(SIMD.get(draw(0, SIMD.size() - 1)));
        }
    }

    /** Any arithmetic, comparison, conversion, move, select or constant on random registers. */
    private void simple() {
        simple(SIMPLE.get(draw(0, SIMPLE.size() - 1)));
    }

    private void simple(Opcode op) {
        StringBuilder sb = new StringBuilder(op.mnemonic);
        List<Operand> operands = op.operands();
        V128Op.Shape shape = V128Op.Shape.of(op);
        V128Op lane = null;
        for (int i = 0; i < operands.size(); i++) {
            Operand o = operands.get(i);
            sb.append(i == 0 ? " " : ", ");
            if (o.kind() == OperandKind.DEF || o.kind() == OperandKind.USE) {
                sb.append(reg(o.type()));
            } else if (shape != null && lane == null) {
                // A SIMD lane operation of the instruction's shape, then a lane index in range.
                List<V128Op> ops = LANE_OPS.get(shape);
                lane = ops.get(draw(0, ops.size() - 1));
                sb.append(lane.code);
            } else if (shape != null) {
                sb.append(draw(0, lane.lanes - 1));
            } else if (op == Opcode.V128_SHUFFLE) {
                long sel = 0;
                for (int b = 0; b < 8; b++) {
                    sel |= (long) draw(0, 31) << (8 * b);
                }
                sb.append(sel);
            } else {
                sb.append(literal(o.type()));
            }
        }
        line(sb.toString());
    }

    private void constant(int type) {
        ValType t = ValType.values()[type];
        line(t + ".const " + reg(t) + ", " + literal(t));
    }

    /** A literal of type {@code t}, biased to edge values. */
    private String literal(ValType t) {
        return switch (t) {
            case I32 -> Integer.toString((int) bits(t));
            case I64 -> Long.toString(bits(t));
            case F32 -> Floats.formatF32((int) bits(t));
            case F64 -> Floats.formatF64(bits(t));
            case FUNCREF, EXTERNREF -> throw new IllegalArgumentException("no literal of type " + t);
            case V128 -> throw new IllegalArgumentException("v128 is an operand type only");
        };
    }

    /** Raw bits of an edge-biased value of type {@code t} (register form). */
    private long bits(ValType t) {
        int pick = draw(0, 9);
        return switch (t) {
            case I32 -> switch (pick) {
                case 0 -> 0;
                case 1 -> 1;
                case 2 -> -1;
                case 3 -> Integer.MIN_VALUE;
                case 4 -> Integer.MAX_VALUE;
                case 5 -> draw(0, 70_000);
                case 6 -> 31 + draw(0, 2);
                default -> (int) src.next(Constraint.none());
            };
            case I64 -> switch (pick) {
                case 0 -> 0;
                case 1 -> 1;
                case 2 -> -1;
                case 3 -> Long.MIN_VALUE;
                case 4 -> Long.MAX_VALUE;
                case 5 -> draw(0, 70_000);
                case 6 -> 63 + draw(0, 2);
                default -> src.next(Constraint.none());
            };
            case F32 -> (switch (pick) {
                case 0 -> 0;
                case 1 -> Float.floatToRawIntBits(1.5f);
                case 2 -> 0x80000000;
                case 3 -> 0x7f800000;
                case 4 -> 0xff800000;
                case 5 -> 0x7fc00000;
                case 6 -> 0x7f800001 + draw(0, 3);
                case 7 -> 0xffc00123;
                case 8 -> Float.floatToRawIntBits(draw(-5_000_000, 5_000_000) / 7f);
                default -> (int) src.next(Constraint.none());
            }) & 0xFFFFFFFFL;
            case F64 -> switch (pick) {
                case 0 -> 0;
                case 1 -> Double.doubleToRawLongBits(-2.5);
                case 2 -> Long.MIN_VALUE;
                case 3 -> 0x7ff0000000000000L;
                case 4 -> 0xfff0000000000000L;
                case 5 -> 0x7ff8000000000000L;
                case 6 -> 0x7ff0000000000001L + draw(0, 3);
                case 7 -> 0xfff8000000000abcL;
                case 8 -> Double.doubleToRawLongBits(draw(-5_000_000, 5_000_000) / 3.0e3);
                default -> src.next(Constraint.none());
            };
            case FUNCREF, EXTERNREF -> throw new IllegalArgumentException("no literal of type " + t);
            case V128 -> throw new IllegalArgumentException("v128 is an operand type only");
        };
    }

    private static final Opcode[] MEMORY_OPS = {
        Opcode.I32_LOAD, Opcode.I64_LOAD, Opcode.F32_LOAD, Opcode.F64_LOAD, Opcode.I32_LOAD8_S, Opcode.I32_LOAD8_U,
        Opcode.I32_LOAD16_S, Opcode.I32_LOAD16_U, Opcode.I64_LOAD8_S, Opcode.I64_LOAD8_U, Opcode.I64_LOAD16_S,
        Opcode.I64_LOAD16_U, Opcode.I64_LOAD32_S, Opcode.I64_LOAD32_U, Opcode.I32_STORE, Opcode.I64_STORE,
        Opcode.F32_STORE, Opcode.F64_STORE, Opcode.I32_STORE8, Opcode.I32_STORE16, Opcode.I64_STORE8,
        Opcode.I64_STORE16, Opcode.I64_STORE32,
    };

    /** An address register set near interesting places (start, end of each possible size, wrap). */
    private String address() {
        String a = reg(ValType.I32);
        int value = switch (draw(0, 19)) {
            case 0, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 -> draw(0, 65_520);
            case 1 -> 65_536 - draw(0, 9);
            case 2 -> 131_072 - draw(0, 9);
            case 3 -> 196_608 - draw(0, 9);
            case 4 -> -draw(1, 8);
            case 5 -> draw(0, 200_000);
            default -> Integer.MIN_VALUE + draw(0, 4);
        };
        line("i32.const " + a + ", " + value);
        return a;
    }

    private void memoryAccess() {
        Opcode op = MEMORY_OPS[draw(0, MEMORY_OPS.length - 1)];
        String a = address();
        long off = switch (draw(0, 11)) {
            case 0, 4, 5, 6 -> 0;
            case 1, 7, 8 -> draw(1, 16);
            case 2 -> 65_530 + draw(0, 8);
            case 9 -> (1L << 30) - 4 + draw(0, 8);
            case 10 -> (1L << 31) - draw(1, 8);
            default -> 0xFFFFFFFFL - draw(0, 4);
        };
        List<Operand> operands = op.operands();
        if (operands.get(0).kind() == OperandKind.DEF) {
            line(op.mnemonic + " " + reg(operands.get(0).type()) + ", " + a + ", " + off);
        } else {
            line(op.mnemonic + " " + a + ", " + off + ", " + reg(operands.get(2).type()));
        }
    }

    private void bulkMemory() {
        switch (draw(0, 3)) {
            case 0 -> line("memory.size " + reg(ValType.I32));
            case 1 -> {
                String d = reg(ValType.I32);
                line("i32.const " + d + ", " + (draw(0, 1) == 0 ? draw(0, 2) : -1));
                line("memory.grow " + reg(ValType.I32) + ", " + d);
            }
            default -> {
                String a = address();
                String b = address();
                String n = reg(ValType.I32);
                line("i32.const " + n + ", " + (draw(0, 2) == 0 ? draw(0, 64) : draw(0, 70_000)));
                line((draw(0, 1) == 0 ? "memory.copy " : "memory.fill ") + a + ", " + b + ", " + n);
            }
        }
    }

    private void global() {
        String[] names = {"gi", "gl", "gf", "gd"};
        ValType t = ValType.values()[draw(0, 3)];
        String g = names[t.ordinal()];
        if (draw(0, 1) == 0) {
            boolean constant = t == ValType.I32 && draw(0, 1) == 0;
            line(t + ".global_get " + reg(t) + ", " + (constant ? "ci" : g));
        } else {
            line(t + ".global_set " + g + ", " + reg(t));
        }
    }

    private String registerList(List<ValType> types) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < types.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(reg(types.get(i)));
        }
        return sb.append(')').toString();
    }

    private void directCall() {
        int later = functionCount - current - 1;
        int pick = draw(0, later + IMPORTS.length - 1);
        String name;
        int type;
        if (pick < later) {
            name = "fn" + (current + 1 + pick);
            type = functionTypes[current + 1 + pick];
        } else {
            int imp = pick - later;
            name = IMPORTS[imp];
            type = IMPORT_TYPES[imp];
        }
        line("call " + name + ", " + registerList(params(type)) + ", " + registerList(results(type)));
    }

    /** Mostly a call that resolves (a set slot, its own type); else any index and type. */
    private void indirectCall() {
        String index = reg(ValType.I32);
        int slot = draw(0, 3) == 0 ? -draw(1, 3) : draw(0, TABLE_SIZE + 1);
        int type = draw(0, TYPES.length - 1);
        if (draw(0, 2) > 0 && tableTypes[0] >= 0) {
            slot = draw(0, TABLE_SIZE - 1);
            while (tableTypes[slot] < 0) {
                slot--;
            }
            type = tableTypes[slot];
        }
        line("i32.const " + index + ", " + slot);
        line("call_indirect T" + type + ", tab, " + index + ", " + registerList(params(type)) + ", "
                + registerList(results(type)));
    }

    /**
     * A catching call (call_catch of a later function or a host, or call_indirect_catch) whose
     * exception registers are pool registers (a tag, then zero to two i64s), and a landing pad
     * after it that the call's normal return jumps over: a few simple instructions, and maybe a
     * throw of another tag or a rethrow of the caught one.
     */
    private void catchingCall() {
        String pad = label();
        String join = label();
        String tag = reg(ValType.I32);
        StringBuilder exn = new StringBuilder("(").append(tag);
        StringBuilder caught = new StringBuilder("(");
        List<String> payload = new ArrayList<>(pool.get(ValType.I64));
        for (int n = draw(0, 2), i = 0; i < n; i++) {
            String p = payload.remove(draw(0, payload.size() - 1));
            exn.append(", ").append(p);
            caught.append(i == 0 ? "" : ", ").append(p);
        }
        exn.append(')');
        caught.append(')');
        if (draw(0, 2) > 0) {
            int later = functionCount - current - 1;
            int pick = draw(0, later + IMPORTS.length - 1);
            String name = pick < later ? "fn" + (current + 1 + pick) : IMPORTS[pick - later];
            int type = pick < later ? functionTypes[current + 1 + pick] : IMPORT_TYPES[pick - later];
            line("call_catch " + pad + ", " + exn + ", " + name + ", " + registerList(params(type)) + ", "
                    + registerList(results(type)));
        } else {
            String index = reg(ValType.I32);
            int type = draw(0, TYPES.length - 1);
            line("i32.const " + index + ", " + draw(0, TABLE_SIZE));
            line("call_indirect_catch " + pad + ", " + exn + ", T" + type + ", tab, " + index + ", "
                    + registerList(params(type)) + ", " + registerList(results(type)));
        }
        line("br " + join);
        out.append(pad).append(":\n");
        for (int n = draw(0, 2); n > 0; n--) {
            simple();
        }
        switch (draw(0, 5)) {
            case 0 -> throwException();
            case 1 -> {
                // Maybe passes the caught exception on (its registers may have changed since: any values do).
                String keep = label();
                branchTo(keep);
                line("rethrow " + tag + ", " + caught);
                out.append(keep).append(":\n");
                line("nop");
            }
            default -> { }
        }
        out.append(join).append(":\n");
        line("nop");
    }

    /** A throw of tag 1 to 3 with zero to two i64 payload values, mostly skipped by a branch. */
    private void throwException() {
        String skip = label();
        branchTo(skip);
        StringBuilder payload = new StringBuilder("(");
        for (int n = draw(0, 2), i = 0; i < n; i++) {
            payload.append(i == 0 ? "" : ", ").append(reg(ValType.I64));
        }
        line("throw " + draw(1, 3) + ", " + payload.append(')'));
        out.append(skip).append(":\n");
        line("nop");
    }

    /** A compare-and-branch of a random type (or br_if/br_unless) to a forward label. */
    private void branchTo(String target) {
        switch (draw(0, 5)) {
            case 0 -> line("br_if " + reg(ValType.I32) + ", " + target);
            case 1 -> line("br_unless " + reg(ValType.I32) + ", " + target);
            default -> {
                ValType t = ValType.values()[draw(0, 3)];
                String[] cmps = t == ValType.I32 || t == ValType.I64
                        ? new String[] {"eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"}
                        : new String[] {"eq", "ne", "lt", "gt", "le", "ge"};
                line(t + ".br_" + cmps[draw(0, cmps.length - 1)] + " " + reg(t) + ", " + reg(t) + ", " + target);
            }
        }
    }

    private void block(int depth) {
        int n = draw(0, 3);
        for (int i = 0; i < n; i++) {
            statement(depth + 1);
        }
    }

    private void ifElse(int depth) {
        String otherwise = label();
        String end = label();
        branchTo(otherwise);
        block(depth);
        line("br " + end);
        out.append(otherwise).append(":\n");
        block(depth);
        out.append(end).append(":\n");
        line("nop");
    }

    /** A loop running 1 to 6 times; its counter is a register no other statement writes. */
    private void loop(int depth) {
        String counter = "c" + depth;
        String head = label();
        line("i32.const " + counter + ", " + draw(1, 6));
        out.append(head).append(":\n");
        block(depth);
        line("i32.const z, 1");
        line("i32.sub " + counter + ", " + counter + ", z");
        line("i32.const z, 0");
        line("i32.br_gt_s " + counter + ", z, " + head);
    }

    private void brTable(int depth) {
        String index = reg(ValType.I32);
        if (draw(0, 2) > 0) {
            line("i32.const " + index + ", " + (draw(-1, 4)));
        }
        int n = draw(0, 3);
        String end = label();
        String[] cases = new String[n];
        for (int i = 0; i < n; i++) {
            cases[i] = label();
        }
        String fallback = label();
        line("br_table " + index + ", [" + String.join(", ", cases) + "], " + fallback);
        for (int i = 0; i < n; i++) {
            out.append(cases[i]).append(":\n");
            block(depth);
            line("br " + end);
        }
        out.append(fallback).append(":\n");
        block(depth);
        out.append(end).append(":\n");
        line("nop");
    }

    private void earlyReturn() {
        String skip = label();
        branchTo(skip);
        ret();
        out.append(skip).append(":\n");
        line("nop");
    }

    private void trap() {
        switch (draw(0, 3)) {
            case 0 -> {
                String skip = label();
                branchTo(skip);
                line("unreachable");
                out.append(skip).append(":\n");
                line("nop");
            }
            case 1 -> {
                String[] ops = {"i32.div_s", "i32.div_u", "i32.rem_s", "i32.rem_u"};
                String divisor = reg(ValType.I32);
                if (draw(0, 3) > 0) {
                    line("i32.const " + divisor + ", " + (draw(0, 1) == 0 ? -1 : draw(1, 1000)));
                }
                line(ops[draw(0, 3)] + " " + reg(ValType.I32) + ", " + reg(ValType.I32) + ", " + divisor);
            }
            case 2 -> {
                String[] ops = {"i64.div_s", "i64.div_u", "i64.rem_s", "i64.rem_u"};
                String divisor = reg(ValType.I64);
                if (draw(0, 3) > 0) {
                    line("i64.const " + divisor + ", " + (draw(0, 1) == 0 ? -1 : draw(1, 1000)));
                }
                line(ops[draw(0, 3)] + " " + reg(ValType.I64) + ", " + reg(ValType.I64) + ", " + divisor);
            }
            default -> {
                String[] ops = {"i32.trunc_f32_s", "i32.trunc_f64_u", "i64.trunc_f32_u", "i64.trunc_f64_s"};
                int k = draw(0, 3);
                ValType from = k == 0 || k == 2 ? ValType.F32 : ValType.F64;
                ValType to = k < 2 ? ValType.I32 : ValType.I64;
                line(ops[k] + " " + reg(to) + ", " + reg(from));
            }
        }
    }
}
