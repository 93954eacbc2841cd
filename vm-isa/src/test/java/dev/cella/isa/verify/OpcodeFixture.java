package dev.cella.isa.verify;

import static dev.cella.isa.ValType.EXTERNREF;
import static dev.cella.isa.ValType.F32;
import static dev.cella.isa.ValType.F64;
import static dev.cella.isa.ValType.I32;
import static dev.cella.isa.ValType.I64;

import dev.cella.isa.Opcode;
import dev.cella.isa.Operand;
import dev.cella.isa.OperandKind;
import dev.cella.isa.V128Op;
import dev.cella.isa.ValType;
import dev.cella.isa.code.Instruction;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.Limits;
import java.util.List;

/**
 * A module in which any opcode can be given valid operands, derived from the opcode's operand
 * list (no per-opcode table): function {@link #MAIN} has one register of each type, register
 * {@code t.ordinal()} holding type {@code t}; global {@code t.ordinal()} is a mutable global of
 * type {@code t}; calls go to {@link #CALLEE}, of type {@link #CALLEE_TYPE}
 * {@code (i32, f64) -> (i64)}, directly or through table 0; MAIN returns its f32 register.
 */
final class OpcodeFixture {
    /** Function 0: an import {@code env.log (i32) -> ()}. */
    static final int IMPORT = 0;
    /** Function 1: {@code (i32, f64) -> (i64)}. */
    static final int CALLEE = 1;
    /** Function 2: {@code () -> (f32)}, the function under test. */
    static final int MAIN = 2;
    /** The type index of CALLEE's signature. */
    static final int CALLEE_TYPE = 1;
    /**
     * MAIN's registers: one of each register type, in ValType order, then the i64 pair that a v128
     * operand names (register 6, V128's ordinal).
     */
    static final List<ValType> MAIN_REGISTERS = List.of(I32, I64, F32, F64, ValType.FUNCREF, ValType.EXTERNREF, I64, I64);
    /** Arguments and results of a call to CALLEE from MAIN. */
    static final int[] CALL_ARGS = {I32.ordinal(), F64.ordinal()};
    static final int[] CALL_RESULTS = {I64.ordinal()};

    private OpcodeFixture() {}

    /** MAIN's register of type {@code t}. */
    static int register(ValType t) {
        return t.ordinal();
    }

    /** {@code op} at pc 0 with operands that are valid in MAIN. */
    static Instruction valid(Opcode op) {
        List<Operand> operands = op.operands();
        long[] values = new long[operands.size()];
        int[][] lists = new int[operands.size()][];
        ValType registerType = operands.stream().filter(o -> o.kind().isRegister()).map(Operand::type)
                .findFirst().orElse(null);
        for (int i = 0; i < values.length; i++) {
            Operand o = operands.get(i);
            values[i] = switch (o.kind()) {
                case DEF, USE -> register(o.type());
                case I32_IMM -> -5;
                case I64_IMM -> 1L << 40;
                case F32_IMM -> Float.floatToRawIntBits(1.5f) & 0xFFFFFFFFL;
                case F64_IMM -> Double.doubleToRawLongBits(2.5);
                case LABEL -> 0;
                case FUNC -> CALLEE;
                case TYPE -> CALLEE_TYPE;
                case TABLE -> operands.stream().anyMatch(r -> r.kind().isRegister() && r.type() == EXTERNREF) ? 1 : 0;
                case ELEM -> 0;
                case GLOBAL -> registerType.ordinal();
                case OFFSET -> 16;
                case LABELS -> {
                    lists[i] = new int[] {0, 0};
                    yield 2;
                }
                case USES -> {
                    // A call passes CALLEE's arguments; ret returns MAIN's f32 result; throw an i64 payload.
                    lists[i] = op.isCall() ? CALL_ARGS.clone()
                            : op == Opcode.THROW || op == Opcode.RETHROW ? new int[] {register(I64)} : new int[] {register(F32)};
                    yield lists[i].length;
                }
                case DEFS -> {
                    // The first of call_catch's two lists receives an exception: a tag, a payload value.
                    lists[i] = isExceptionList(op, i) ? new int[] {register(I32), register(I64)} : CALL_RESULTS.clone();
                    yield lists[i].length;
                }
            };
        }
        V128Op.Shape shape = V128Op.Shape.of(op);
        if (shape != null) {
            // The lane operation immediate (the first #i32) names one of the shape's; a lane index is 0.
            int k = 0;
            while (operands.get(k).kind() != OperandKind.I32_IMM) {
                k++;
            }
            values[k] = java.util.Arrays.stream(V128Op.values()).filter(v -> v.shape == shape).findFirst()
                    .orElseThrow().code;
            if (k + 1 < values.length) {
                values[k + 1] = 0;
            }
        }
        return new Instruction(0, 0, op, values, lists);
    }

    /** A copy of {@code insn} with operand {@code i} (not a list) set to {@code value}. */
    static Instruction withOperand(Instruction insn, int i, long value) {
        long[] values = insn.operands().clone();
        values[i] = value;
        return new Instruction(0, 0, insn.opcode(), values, insn.lists());
    }

    /** A copy of {@code insn} with element {@code j} of list operand {@code i} set to {@code value}. */
    static Instruction withListElement(Instruction insn, int i, int j, int value) {
        int[][] lists = insn.lists().clone();
        lists[i] = lists[i].clone();
        lists[i][j] = value;
        return new Instruction(0, 0, insn.opcode(), insn.operands(), lists);
    }

    /** A global of a type other than {@code t} (there is one global per scalar type, in ValType order). */
    static int wrongGlobal(ValType t) {
        return (t.ordinal() + 1) % ValType.SCALARS.size();
    }

    /** A register of a type other than {@code t}. */
    static int wrongRegister(ValType t) {
        return (t.ordinal() + 1) % MAIN_REGISTERS.size();
    }

    /** The instructions followed by {@code ret} of MAIN's f32 register. */
    static byte[] body(Instruction... instructions) {
        Body body = new Body();
        for (Instruction insn : instructions) {
            body.insn(insn);
        }
        return body.ret(register(F32)).bytes();
    }

    /** The fixture module with MAIN's body {@code mainCode}; a memory, table 0 and 4 globals. */
    static ModuleBuilder module(byte[] mainCode) {
        ModuleBuilder m = new ModuleBuilder();
        m.importFunction("env", "log", List.of(I32), List.of());
        int callee = m.function(List.of(I32, F64), List.of(I64), List.of(I64),
                new Body().op(Opcode.I64_CONST, 2, 7).ret(2).bytes());
        int main = m.function(List.of(), List.of(F32), MAIN_REGISTERS, mainCode);
        if (callee != CALLEE || main != MAIN || m.type(List.of(I32, F64), List.of(I64)) != CALLEE_TYPE) {
            throw new AssertionError("fixture indices drifted");
        }
        m.memory(1, Limits.NONE);
        m.table(2, Limits.NONE);
        m.table(ValType.EXTERNREF, 1, Limits.NONE);
        m.elements.add(new ElementSegment(0, 0, new int[] {CALLEE}));
        for (ValType t : ValType.SCALARS) {
            m.global(t, true, 0);
        }
        return m;
    }

    /** True if operand {@code i} of {@code op} is the exception list of a catching call. */
    static boolean isExceptionList(Opcode op, int i) {
        return op.isCall() && op.isBranch() && i == 1;
    }

    /** True if operand {@code i} of {@code op} is a register list. */
    static boolean isRegisterList(Opcode op, int i) {
        OperandKind k = op.operands().get(i).kind();
        return k == OperandKind.USES || k == OperandKind.DEFS;
    }
}
