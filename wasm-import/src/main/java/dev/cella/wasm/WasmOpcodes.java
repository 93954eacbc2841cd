package dev.cella.wasm;

import dev.cella.isa.Opcode;
import java.util.EnumMap;
import java.util.Map;

/**
 * The Wasm instructions that map one to one onto a Cella opcode, by Wasm encoding. The tables
 * list the WebAssembly specification's text names; each Cella opcode is found by its mnemonic,
 * which Cella derives the same way (so {@code i32.trunc_sat_f32_s} is the same instruction in
 * both), and class initialization fails if a name has no Cella counterpart. The Cella opcode's
 * operand signature then gives the Wasm instruction's typing: reads are popped, the write pushed.
 */
final class WasmOpcodes {
    /** Wasm opcodes 0x45 to 0xC4: comparisons, arithmetic, conversions, sign extension. */
    private static final String[] NUMERIC = {
        "i32.eqz", "i32.eq", "i32.ne", "i32.lt_s", "i32.lt_u", "i32.gt_s", "i32.gt_u", "i32.le_s", "i32.le_u",
        "i32.ge_s", "i32.ge_u",
        "i64.eqz", "i64.eq", "i64.ne", "i64.lt_s", "i64.lt_u", "i64.gt_s", "i64.gt_u", "i64.le_s", "i64.le_u",
        "i64.ge_s", "i64.ge_u",
        "f32.eq", "f32.ne", "f32.lt", "f32.gt", "f32.le", "f32.ge",
        "f64.eq", "f64.ne", "f64.lt", "f64.gt", "f64.le", "f64.ge",
        "i32.clz", "i32.ctz", "i32.popcnt", "i32.add", "i32.sub", "i32.mul", "i32.div_s", "i32.div_u",
        "i32.rem_s", "i32.rem_u", "i32.and", "i32.or", "i32.xor", "i32.shl", "i32.shr_s", "i32.shr_u",
        "i32.rotl", "i32.rotr",
        "i64.clz", "i64.ctz", "i64.popcnt", "i64.add", "i64.sub", "i64.mul", "i64.div_s", "i64.div_u",
        "i64.rem_s", "i64.rem_u", "i64.and", "i64.or", "i64.xor", "i64.shl", "i64.shr_s", "i64.shr_u",
        "i64.rotl", "i64.rotr",
        "f32.abs", "f32.neg", "f32.ceil", "f32.floor", "f32.trunc", "f32.nearest", "f32.sqrt", "f32.add",
        "f32.sub", "f32.mul", "f32.div", "f32.min", "f32.max", "f32.copysign",
        "f64.abs", "f64.neg", "f64.ceil", "f64.floor", "f64.trunc", "f64.nearest", "f64.sqrt", "f64.add",
        "f64.sub", "f64.mul", "f64.div", "f64.min", "f64.max", "f64.copysign",
        "i32.wrap_i64", "i32.trunc_f32_s", "i32.trunc_f32_u", "i32.trunc_f64_s", "i32.trunc_f64_u",
        "i64.extend_i32_s", "i64.extend_i32_u", "i64.trunc_f32_s", "i64.trunc_f32_u", "i64.trunc_f64_s",
        "i64.trunc_f64_u", "f32.convert_i32_s", "f32.convert_i32_u", "f32.convert_i64_s", "f32.convert_i64_u",
        "f32.demote_f64", "f64.convert_i32_s", "f64.convert_i32_u", "f64.convert_i64_s", "f64.convert_i64_u",
        "f64.promote_f32", "i32.reinterpret_f32", "i64.reinterpret_f64", "f32.reinterpret_i32",
        "f64.reinterpret_i64",
        "i32.extend8_s", "i32.extend16_s", "i64.extend8_s", "i64.extend16_s", "i64.extend32_s",
    };

    /** First Wasm opcode of {@link #NUMERIC}. */
    static final int NUMERIC_FIRST = 0x45;

    /** Wasm opcodes 0x28 to 0x3E: loads and stores. */
    private static final String[] MEMORY = {
        "i32.load", "i64.load", "f32.load", "f64.load", "i32.load8_s", "i32.load8_u", "i32.load16_s",
        "i32.load16_u", "i64.load8_s", "i64.load8_u", "i64.load16_s", "i64.load16_u", "i64.load32_s",
        "i64.load32_u", "i32.store", "i64.store", "f32.store", "f64.store", "i32.store8", "i32.store16",
        "i64.store8", "i64.store16", "i64.store32",
    };

    /** The log2 of the access width of each of {@link #MEMORY}: the largest valid alignment. */
    private static final int[] NATURAL_ALIGN = {2, 3, 2, 3, 0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 2, 3, 2, 3, 0, 1, 0, 1, 2};

    /** First Wasm opcode of {@link #MEMORY}. */
    static final int MEMORY_FIRST = 0x28;

    /** Wasm 0xFC 0 to 7: the non-trapping float-to-int conversions. */
    private static final String[] SATURATING = {
        "i32.trunc_sat_f32_s", "i32.trunc_sat_f32_u", "i32.trunc_sat_f64_s", "i32.trunc_sat_f64_u",
        "i64.trunc_sat_f32_s", "i64.trunc_sat_f32_u", "i64.trunc_sat_f64_s", "i64.trunc_sat_f64_u",
    };

    private static final Opcode[] NUMERIC_OPS = lookup(NUMERIC);
    private static final Opcode[] MEMORY_OPS = lookup(MEMORY);
    private static final Opcode[] SATURATING_OPS = lookup(SATURATING);

    /** A comparison to the conditional branch taken when it is true. */
    private static final Map<Opcode, Opcode> BRANCH_IF_TRUE = new EnumMap<>(Opcode.class);
    /** A comparison to the conditional branch taken when it is false (only where one exists: not for float ordering). */
    private static final Map<Opcode, Opcode> BRANCH_IF_FALSE = new EnumMap<>(Opcode.class);

    static {
        String[][] pairs = {
            // comparison, branch if true, branch if false (or null)
            {"i32.eq", "i32.br_eq", "i32.br_ne"}, {"i32.ne", "i32.br_ne", "i32.br_eq"},
            {"i32.lt_s", "i32.br_lt_s", "i32.br_ge_s"}, {"i32.lt_u", "i32.br_lt_u", "i32.br_ge_u"},
            {"i32.gt_s", "i32.br_gt_s", "i32.br_le_s"}, {"i32.gt_u", "i32.br_gt_u", "i32.br_le_u"},
            {"i32.le_s", "i32.br_le_s", "i32.br_gt_s"}, {"i32.le_u", "i32.br_le_u", "i32.br_gt_u"},
            {"i32.ge_s", "i32.br_ge_s", "i32.br_lt_s"}, {"i32.ge_u", "i32.br_ge_u", "i32.br_lt_u"},
            {"i64.eq", "i64.br_eq", "i64.br_ne"}, {"i64.ne", "i64.br_ne", "i64.br_eq"},
            {"i64.lt_s", "i64.br_lt_s", "i64.br_ge_s"}, {"i64.lt_u", "i64.br_lt_u", "i64.br_ge_u"},
            {"i64.gt_s", "i64.br_gt_s", "i64.br_le_s"}, {"i64.gt_u", "i64.br_gt_u", "i64.br_le_u"},
            {"i64.le_s", "i64.br_le_s", "i64.br_gt_s"}, {"i64.le_u", "i64.br_le_u", "i64.br_gt_u"},
            {"i64.ge_s", "i64.br_ge_s", "i64.br_lt_s"}, {"i64.ge_u", "i64.br_ge_u", "i64.br_lt_u"},
            // A float comparison is false on NaN, so only eq and ne negate each other exactly.
            {"f32.eq", "f32.br_eq", "f32.br_ne"}, {"f32.ne", "f32.br_ne", "f32.br_eq"},
            {"f32.lt", "f32.br_lt", null}, {"f32.gt", "f32.br_gt", null},
            {"f32.le", "f32.br_le", null}, {"f32.ge", "f32.br_ge", null},
            {"f64.eq", "f64.br_eq", "f64.br_ne"}, {"f64.ne", "f64.br_ne", "f64.br_eq"},
            {"f64.lt", "f64.br_lt", null}, {"f64.gt", "f64.br_gt", null},
            {"f64.le", "f64.br_le", null}, {"f64.ge", "f64.br_ge", null},
        };
        for (String[] p : pairs) {
            Opcode cmp = find(p[0]);
            BRANCH_IF_TRUE.put(cmp, find(p[1]));
            if (p[2] != null) {
                BRANCH_IF_FALSE.put(cmp, find(p[2]));
            }
        }
    }

    private WasmOpcodes() {}

    private static Opcode find(String name) {
        Opcode op = Opcode.fromMnemonic(name);
        if (op == null) {
            throw new ExceptionInInitializerError("Wasm instruction " + name + " has no Cella opcode");
        }
        return op;
    }

    private static Opcode[] lookup(String[] names) {
        Opcode[] ops = new Opcode[names.length];
        for (int i = 0; i < names.length; i++) {
            ops[i] = find(names[i]);
        }
        return ops;
    }

    /** The Cella opcode of numeric Wasm opcode {@code code} (0x45..0xC4), or null outside that range. */
    static Opcode numeric(int code) {
        int i = code - NUMERIC_FIRST;
        return i >= 0 && i < NUMERIC_OPS.length ? NUMERIC_OPS[i] : null;
    }

    /** The Cella opcode of load or store Wasm opcode {@code code} (0x28..0x3E), or null outside that range. */
    static Opcode memory(int code) {
        int i = code - MEMORY_FIRST;
        return i >= 0 && i < MEMORY_OPS.length ? MEMORY_OPS[i] : null;
    }

    /** The largest alignment exponent valid for load or store Wasm opcode {@code code}. */
    static int naturalAlignment(int code) {
        return NATURAL_ALIGN[code - MEMORY_FIRST];
    }

    /** The Cella opcode of 0xFC sub-opcode {@code sub} if it is a saturating conversion (0..7), else null. */
    static Opcode saturating(long sub) {
        return sub >= 0 && sub < SATURATING_OPS.length ? SATURATING_OPS[(int) sub] : null;
    }

    /** The branch taken when comparison {@code cmp} is true, or null if {@code cmp} is not a two-operand comparison. */
    static Opcode branchIfTrue(Opcode cmp) {
        return BRANCH_IF_TRUE.get(cmp);
    }

    /** The branch taken when comparison {@code cmp} is false, or null if there is none. */
    static Opcode branchIfFalse(Opcode cmp) {
        return BRANCH_IF_FALSE.get(cmp);
    }
}
