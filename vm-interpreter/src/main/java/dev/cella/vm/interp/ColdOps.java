package dev.cella.vm.interp;

import static dev.cella.vm.Numerics.bits;
import static dev.cella.vm.Numerics.f32;
import static dev.cella.vm.Numerics.f64;

import dev.cella.isa.Opcode;
import dev.cella.isa.module.FuncType;
import dev.cella.vm.BulkWork;
import dev.cella.vm.ForeignFunction;
import dev.cella.vm.GuestException;
import dev.cella.vm.Instance;
import dev.cella.vm.Numerics;
import dev.cella.vm.Table;
import dev.cella.vm.TableOps;
import dev.cella.vm.TrapSignal;
import java.util.List;

/**
 * The instructions that are rare in hot loops (float rounding, min/max, copysign and most
 * conversions; table instructions, imported globals and calls into other instances), run outside the dispatch method so that it stays small enough for HotSpot to
 * compile. The decoded form carries the original opcode's ordinal ({@link Op#COLD_UNARY}, {@link
 * Op#COLD_BINARY}); operands and results are register raw bits.
 */
final class ColdOps {
    private static final Opcode[] OPCODES = Opcode.values();

    private ColdOps() {}

    /**
     * Runs unary opcode {@code ordinal} on {@code a}.
     *
     * @throws dev.cella.vm.TrapSignal for a trapping conversion of NaN or an out-of-range value
     * @throws IllegalStateException if the decoder did not put that opcode in this group
     */
    static long unary(int ordinal, long a) {
        Opcode op = OPCODES[ordinal];
        return switch (op) {
            case F32_CEIL -> bits(Numerics.f32Ceil(f32(a)));
            case F32_FLOOR -> bits(Numerics.f32Floor(f32(a)));
            case F32_TRUNC -> bits(Numerics.f32Trunc(f32(a)));
            case F32_NEAREST -> bits(Numerics.f32Nearest(f32(a)));
            case F64_CEIL -> bits(Numerics.f64Ceil(f64(a)));
            case F64_FLOOR -> bits(Numerics.f64Floor(f64(a)));
            case F64_TRUNC -> bits(Numerics.f64Trunc(f64(a)));
            case F64_NEAREST -> bits(Numerics.f64Nearest(f64(a)));
            case I32_TRUNC_F32_S -> Numerics.i32TruncF32S(f32(a));
            case I32_TRUNC_F32_U -> Numerics.i32TruncF32U(f32(a));
            case I32_TRUNC_F64_S -> Numerics.i32TruncF64S(f64(a));
            case I32_TRUNC_F64_U -> Numerics.i32TruncF64U(f64(a));
            case I64_TRUNC_F32_S -> Numerics.i64TruncF32S(f32(a));
            case I64_TRUNC_F32_U -> Numerics.i64TruncF32U(f32(a));
            case I64_TRUNC_F64_S -> Numerics.i64TruncF64S(f64(a));
            case I64_TRUNC_F64_U -> Numerics.i64TruncF64U(f64(a));
            case I32_TRUNC_SAT_F32_S -> Numerics.i32TruncSatF32S(f32(a));
            case I32_TRUNC_SAT_F32_U -> Numerics.i32TruncSatF32U(f32(a));
            case I32_TRUNC_SAT_F64_S -> Numerics.i32TruncSatF64S(f64(a));
            case I32_TRUNC_SAT_F64_U -> Numerics.i32TruncSatF64U(f64(a));
            case I64_TRUNC_SAT_F32_S -> Numerics.i64TruncSatF32S(f32(a));
            case I64_TRUNC_SAT_F32_U -> Numerics.i64TruncSatF32U(f32(a));
            case I64_TRUNC_SAT_F64_S -> Numerics.i64TruncSatF64S(f64(a));
            case I64_TRUNC_SAT_F64_U -> Numerics.i64TruncSatF64U(f64(a));
            case F32_CONVERT_I32_S -> bits((float) (int) a);
            case F32_CONVERT_I32_U -> bits(Numerics.f32ConvertI32U((int) a));
            case F32_CONVERT_I64_S -> bits((float) a);
            case F32_CONVERT_I64_U -> bits(Numerics.f32ConvertI64U(a));
            case F64_CONVERT_I32_U -> bits(Numerics.f64ConvertI32U((int) a));
            case F64_CONVERT_I64_S -> bits((double) a);
            case F64_CONVERT_I64_U -> bits(Numerics.f64ConvertI64U(a));
            default -> throw new IllegalStateException(op + " is not a cold unary instruction");
        };
    }

    /**
     * Runs binary opcode {@code ordinal} on {@code a} and {@code b}.
     *
     * @throws IllegalStateException if the decoder did not put that opcode in this group
     */
    static long binary(int ordinal, long a, long b) {
        Opcode op = OPCODES[ordinal];
        return switch (op) {
            case F32_MIN -> bits(Numerics.f32Min(f32(a), f32(b)));
            case F32_MAX -> bits(Numerics.f32Max(f32(a), f32(b)));
            case F32_COPYSIGN -> Numerics.f32CopysignBits(a, b);
            case F64_MIN -> bits(Numerics.f64Min(f64(a), f64(b)));
            case F64_MAX -> bits(Numerics.f64Max(f64(a), f64(b)));
            case F64_COPYSIGN -> Numerics.f64CopysignBits(a, b);
            default -> throw new IllegalStateException(op + " is not a cold binary instruction");
        };
    }

    /**
     * Checks call_indirect's table element {@code index} (unsigned) of table {@code table}.
     *
     * @return the function to call: one of the instance's, or {@link #FOREIGN} for a function of
     *     another instance of its store, then left in {@link Machine#foreign} for {@link
     *     Machine#callHost}
     * @throws TrapSignal undefined element, uninitialized element or indirect call type mismatch
     */
    static DecodedFunction resolveIndirect(Machine m, int typeIndex, int table, int index) {
        Table t = m.instance.table(table);
        if (Integer.compareUnsigned(index, t.size()) >= 0) {
            throw TrapSignal.UNDEFINED_ELEMENT;
        }
        long ref = t.get(index);
        if (ref == 0) {
            throw TrapSignal.UNINITIALIZED_ELEMENT;
        }
        long own = ref - m.instance.refBase();
        if (own > 0 && own <= m.functions.length) {
            DecodedFunction f = m.functions[(int) own - 1];
            if (f.typeIndex != typeIndex) {
                throw TrapSignal.INDIRECT_CALL_TYPE_MISMATCH;
            }
            return f;
        }
        // Another instance's function, or a reference from the host that names none (no type).
        m.foreign = m.instance.foreignFunction(ref, typeIndex);
        if (m.foreign == null) {
            throw TrapSignal.INDIRECT_CALL_TYPE_MISMATCH;
        }
        return FOREIGN;
    }

    /**
     * What {@link #resolveIndirect} returns for a function of another instance: a host function
     * to the dispatch loop, which {@link Machine#callHost} calls with {@link #callForeign}.
     */
    static final DecodedFunction FOREIGN = new DecodedFunction(-1, -1, new FuncType(List.of(), List.of()), 0, null,
            new int[0], new int[0]);

    /**
     * Calls {@link Machine#foreign} (another instance's function, as a host call: see {@link
     * ForeignFunction}) with {@code args} and writes its results to the result list at {@code
     * code[results]}.
     */
    static void callForeign(Machine m, long[] r, int[] code, int results, int fp, long[] args) {
        ForeignFunction target = m.foreign;
        m.foreign = null;
        long[] out;
        try {
            out = target.call(args);
        } catch (GuestException e) {
            throw e.enter(m.instance);
        }
        for (int i = 0; i < code[results]; i++) {
            r[fp + code[results + 1 + i]] = out[i];
        }
    }

    /**
     * Runs the table instruction (or global access of an imported global) at decoded position
     * {@code pc} ({@code TABLE length op operands...}, see {@link Op}) for machine {@code m}; bulk
     * work is charged from the loop's credit, which goes in and out through {@link Machine#credit}
     * (the rule of {@link BulkWork}).
     *
     * @throws dev.cella.vm.TrapSignal out of bounds table access, or fuel exhausted
     */
    static void table(Machine m, int[] code, int pc, long[] r, int fp) {
        Instance instance = m.instance;
        int a = pc + 3; // the first operand
        switch (OPCODES[code[pc + 2]]) {
            case FUNCREF_TABLE_GET, EXTERNREF_TABLE_GET ->
                    r[fp + code[a]] = TableOps.get(instance.table(code[a + 1]), (int) r[fp + code[a + 2]]);
            case FUNCREF_TABLE_SET, EXTERNREF_TABLE_SET ->
                    TableOps.set(instance.table(code[a]), (int) r[fp + code[a + 1]], r[fp + code[a + 2]]);
            case TABLE_SIZE -> r[fp + code[a]] = instance.table(code[a + 1]).size();
            case FUNCREF_TABLE_GROW, EXTERNREF_TABLE_GROW -> r[fp + code[a]] = instance.growTable(code[a + 1],
                    r[fp + code[a + 2]], (int) r[fp + code[a + 3]], units -> m.credit = m.chargeBulk(m.credit, units));
            case FUNCREF_TABLE_FILL, EXTERNREF_TABLE_FILL -> {
                Table t = instance.table(code[a]);
                int dst = (int) r[fp + code[a + 1]];
                int n = (int) r[fp + code[a + 3]];
                TableOps.checkFill(t, dst, n);
                m.credit = m.chargeBulk(m.credit, BulkWork.tableUnits(n & 0xFFFFFFFFL));
                TableOps.fill(t, dst, r[fp + code[a + 2]], n);
            }
            case TABLE_COPY -> {
                Table to = instance.table(code[a]);
                Table from = instance.table(code[a + 1]);
                int dst = (int) r[fp + code[a + 2]];
                int src = (int) r[fp + code[a + 3]];
                int n = (int) r[fp + code[a + 4]];
                TableOps.checkCopy(to, from, dst, src, n);
                m.credit = m.chargeBulk(m.credit, BulkWork.tableUnits(n & 0xFFFFFFFFL));
                TableOps.copy(to, from, dst, src, n);
            }
            case TABLE_INIT -> {
                int dst = (int) r[fp + code[a + 2]];
                int src = (int) r[fp + code[a + 3]];
                int n = (int) r[fp + code[a + 4]];
                TableOps.checkInit(instance, code[a], code[a + 1], dst, src, n);
                m.credit = m.chargeBulk(m.credit, BulkWork.tableUnits(n & 0xFFFFFFFFL));
                TableOps.init(instance, code[a], code[a + 1], dst, src, n);
            }
            case ELEM_DROP -> instance.dropSegment(code[a]);
            case REF_FUNC -> r[fp + code[a]] = instance.functionRef(code[a + 1]);
            case I32_GLOBAL_GET, I64_GLOBAL_GET, F32_GLOBAL_GET, F64_GLOBAL_GET, FUNCREF_GLOBAL_GET,
                    EXTERNREF_GLOBAL_GET -> r[fp + code[a]] = instance.globalGet(code[a + 1]);
            case I32_GLOBAL_SET, I64_GLOBAL_SET, F32_GLOBAL_SET, F64_GLOBAL_SET, FUNCREF_GLOBAL_SET,
                    EXTERNREF_GLOBAL_SET -> instance.globalSet(code[a], r[fp + code[a + 1]]);
            default -> throw new IllegalStateException(OPCODES[code[pc + 2]] + " is not a table instruction");
        }
    }
}
