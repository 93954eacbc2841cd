package dev.cella.wasm;

import dev.cella.isa.Opcode;
import dev.cella.isa.V128Op;
import dev.cella.isa.ValType;

/**
 * Translates the 0xFD-prefixed (SIMD) instructions of a function body for {@link
 * BodyTranslator}. A v128 value lives in a pair of i64 registers r, r+1 ({@link ValType#V128}):
 * slot and local pairs come from {@link Registers}. Lane operations become the Cella SIMD
 * instructions ({@link V128Op} codes are Wasm's); the rest is written with scalar instructions on
 * the pair: v128.const as two i64.const, loads as i64 loads (plus a widening or splat), stores as
 * two i64.store (the high half first, so that an out-of-bounds store writes nothing), and the
 * 64-bit lanes' splat, extract and replace as moves.
 */
final class SimdTranslator {
    private static final long MAX_OFFSET = 0xFFFFFFFFL;

    private final BodyTranslator t;

    SimdTranslator(BodyTranslator t) {
        this.t = t;
    }

    void translate() {
        long sub = t.in.u32();
        int op = (int) Math.min(sub, Integer.MAX_VALUE);
        switch (op) {
            case 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 92, 93 -> load(op);
            case 11 -> store();
            case 12 -> constant();
            case 13 -> shuffle();
            case 18, 20 -> { // i64x2.splat, f64x2.splat: the value's bits into both halves
                int a = operand(0, op == 18 ? ValType.I64 : ValType.F64);
                t.popN(1);
                int d = t.pushResult(ValType.V128);
                Opcode move = op == 18 ? Opcode.I64_MOV : Opcode.I64_REINTERPRET_F64;
                emit(move, d, a);
                emit(move, d + 1, a);
            }
            case 29, 33 -> {
                int lane = lane(2);
                int a = operand(0, ValType.V128);
                t.popN(1);
                if (op == 29) {
                    emit(Opcode.I64_MOV, t.pushResult(ValType.I64), a + lane);
                } else {
                    emit(Opcode.F64_REINTERPRET_I64, t.pushResult(ValType.F64), a + lane);
                }
            }
            case 30, 34 -> {
                int lane = lane(2);
                int x = operand(0, op == 30 ? ValType.I64 : ValType.F64);
                int a = operand(1, ValType.V128);
                t.popN(2);
                int d = t.pushResult(ValType.V128);
                emit(Opcode.I64_MOV, d, a);
                emit(Opcode.I64_MOV, d + 1, a + 1);
                emit(op == 30 ? Opcode.I64_MOV : Opcode.I64_REINTERPRET_F64, d + lane, x);
            }
            case 82 -> {
                int c = operand(0, ValType.V128);
                int b = operand(1, ValType.V128);
                int a = operand(2, ValType.V128);
                t.popN(3);
                emit(Opcode.V128_BITSELECT, t.pushResult(ValType.V128), a, b, c);
            }
            case 84, 85, 86, 87 -> loadLane(op);
            case 88, 89, 90, 91 -> storeLane(op);
            default -> laneOperation(op, sub);
        }
    }

    /** The instructions that map to one Cella SIMD instruction with a lane operation. */
    private void laneOperation(int op, long sub) {
        V128Op lane = V128Op.fromCode(op);
        if (lane == null || sub != op) {
            if (sub >= 0x100 && sub <= 0x113) {
                throw WasmException.unsupported(t.at, "relaxed SIMD (opcode 0xfd " + sub + ")");
            }
            throw WasmException.malformed(t.at, "illegal opcode 0xfd " + sub);
        }
        switch (lane.shape) {
            case UNARY -> {
                int a = operand(0, ValType.V128);
                t.popN(1);
                emit(Opcode.V128_UNARY, t.pushResult(ValType.V128), a, op);
            }
            case BINARY -> {
                int b = operand(0, ValType.V128);
                int a = operand(1, ValType.V128);
                t.popN(2);
                emit(Opcode.V128_BINARY, t.pushResult(ValType.V128), a, b, op);
            }
            case SHIFT -> {
                int count = operand(0, ValType.I32);
                int a = operand(1, ValType.V128);
                t.popN(2);
                emit(Opcode.V128_SHIFT, t.pushResult(ValType.V128), a, count, op);
            }
            case TEST -> {
                int a = operand(0, ValType.V128);
                t.popN(1);
                emit(Opcode.V128_TEST, t.pushResult(ValType.I32), a, op);
            }
            case SPLAT -> {
                boolean f32 = op == V128Op.F32X4_SPLAT.code;
                int a = operand(0, f32 ? ValType.F32 : ValType.I32);
                t.popN(1);
                int depth = t.stack.size();
                if (f32) {
                    int bits = t.regs.slot(depth, ValType.I32);
                    emit(Opcode.I32_REINTERPRET_F32, bits, a);
                    a = bits;
                }
                emit(Opcode.V128_SPLAT, t.pushResult(ValType.V128), a, op);
            }
            case EXTRACT -> {
                int index = lane(lane.lanes);
                int a = operand(0, ValType.V128);
                t.popN(1);
                if (op == V128Op.F32X4_EXTRACT_LANE.code) {
                    int bits = t.regs.slot(t.stack.size(), ValType.I32);
                    emit(Opcode.V128_EXTRACT, bits, a, op, index);
                    emit(Opcode.F32_REINTERPRET_I32, t.pushResult(ValType.F32), bits);
                } else {
                    emit(Opcode.V128_EXTRACT, t.pushResult(ValType.I32), a, op, index);
                }
            }
            case REPLACE -> {
                int index = lane(lane.lanes);
                boolean f32 = op == V128Op.F32X4_REPLACE_LANE.code;
                int x = operand(0, f32 ? ValType.F32 : ValType.I32);
                int a = operand(1, ValType.V128);
                t.popN(2);
                int depth = t.stack.size();
                if (f32) {
                    // The f32 was at depth + 1; the i32 slot there is free.
                    int bits = t.regs.slot(depth + 1, ValType.I32);
                    emit(Opcode.I32_REINTERPRET_F32, bits, x);
                    x = bits;
                }
                emit(Opcode.V128_REPLACE, t.pushResult(ValType.V128), a, x, op, index);
            }
        }
    }

    private void constant() {
        long lo = t.in.fixed64();
        long hi = t.in.fixed64();
        int d = t.pushResult(ValType.V128);
        emit(Opcode.I64_CONST, d, lo);
        emit(Opcode.I64_CONST, d + 1, hi);
    }

    private void shuffle() {
        long[] sel = new long[2];
        for (int i = 0; i < 16; i++) {
            int at = t.in.position();
            int s = t.in.u8();
            if (s >= 32) {
                throw WasmException.invalid(at, "invalid lane index " + s + " in i8x16.shuffle");
            }
            sel[i / 8] |= (long) s << (8 * (i % 8));
        }
        int b = operand(0, ValType.V128);
        int a = operand(1, ValType.V128);
        t.popN(2);
        emit(Opcode.V128_SHUFFLE, t.pushResult(ValType.V128), a, b, sel[0], sel[1]);
    }

    /** Reads a lane index immediate, which must be below {@code lanes}. */
    private int lane(int lanes) {
        int at = t.in.position();
        int l = t.in.u8();
        if (l >= lanes) {
            throw WasmException.invalid(at, "invalid lane index " + l + " (the shape has " + lanes + " lanes)");
        }
        return l;
    }

    /** Reads a memory argument whose alignment may be at most 2^{@code natural}; returns the offset. */
    private long memarg(int natural) {
        int alignAt = t.in.position();
        long align = t.in.u32();
        long offset = t.in.u32();
        if ((align & 0x40) != 0) {
            throw WasmException.unsupported(alignAt, "multi-memory (memory index in a memory argument)");
        }
        t.requireMemory();
        if (align > natural) {
            throw WasmException.invalid(alignAt, "alignment must not be larger than natural (2^" + align + " > 2^"
                    + natural + ")");
        }
        return offset;
    }

    private static int naturalAlignment(int op) {
        return switch (op) {
            case 0, 11 -> 4;
            case 1, 2, 3, 4, 5, 6, 10, 93, 87, 91 -> 3;
            case 9, 92, 86, 90 -> 2;
            case 8, 85, 89 -> 1;
            default -> 0; // 7, 84, 88: one byte
        };
    }

    private void load(int op) {
        long off = memarg(naturalAlignment(op));
        int a = operand(0, ValType.I32);
        t.popN(1);
        int depth = t.stack.size();
        int d = t.pushResult(ValType.V128);
        switch (op) {
            case 0 -> {
                emit(Opcode.I64_LOAD, d, a, off);
                emit(Opcode.I64_LOAD, d + 1, a, Math.min(off + 8, MAX_OFFSET));
            }
            case 1, 2, 3, 4, 5, 6 -> {
                // 8 bytes into the low half, then widened: the extend_low operation reads only that half.
                int[] widen = {0, 135, 137, 167, 169, 199, 201};
                emit(Opcode.I64_LOAD, d, a, off);
                emit(Opcode.V128_UNARY, d, d, widen[op]);
            }
            case 7, 8, 9 -> {
                int x = t.regs.slot(depth, ValType.I32);
                Opcode scalar = op == 7 ? Opcode.I32_LOAD8_U : op == 8 ? Opcode.I32_LOAD16_U : Opcode.I32_LOAD;
                emit(scalar, x, a, off);
                emit(Opcode.V128_SPLAT, d, x, op == 7 ? 15 : op == 8 ? 16 : 17);
            }
            case 10 -> {
                emit(Opcode.I64_LOAD, d, a, off);
                emit(Opcode.I64_MOV, d + 1, d);
            }
            default -> { // 92, 93: the high half is zero
                emit(op == 92 ? Opcode.I64_LOAD32_U : Opcode.I64_LOAD, d, a, off);
                emit(Opcode.I64_CONST, d + 1, 0);
            }
        }
    }

    private void store() {
        long off = memarg(4);
        int v = operand(0, ValType.V128);
        int a = operand(1, ValType.I32);
        t.popN(2);
        // High half first: if it is in bounds, so is the low half (no partial store on a trap).
        emit(Opcode.I64_STORE, a, Math.min(off + 8, MAX_OFFSET), v + 1);
        emit(Opcode.I64_STORE, a, off, v);
    }

    private void loadLane(int op) {
        long off = memarg(naturalAlignment(op));
        int index = lane(16 >> (op - 84));
        int v = operand(0, ValType.V128);
        int a = operand(1, ValType.I32);
        t.popN(2);
        int depth = t.stack.size();
        int d = t.pushResult(ValType.V128);
        if (op == 87) {
            int x = t.regs.slot(depth, ValType.I64);
            emit(Opcode.I64_LOAD, x, a, off);
            emit(Opcode.I64_MOV, d, v);
            emit(Opcode.I64_MOV, d + 1, v + 1);
            emit(Opcode.I64_MOV, d + index, x);
            return;
        }
        int x = t.regs.slot(depth, ValType.I32);
        Opcode scalar = op == 84 ? Opcode.I32_LOAD8_U : op == 85 ? Opcode.I32_LOAD16_U : Opcode.I32_LOAD;
        emit(scalar, x, a, off);
        emit(Opcode.V128_REPLACE, d, v, x, op == 84 ? 23 : op == 85 ? 26 : 28, index);
    }

    private void storeLane(int op) {
        long off = memarg(naturalAlignment(op));
        int index = lane(16 >> (op - 88));
        int v = operand(0, ValType.V128);
        int a = operand(1, ValType.I32);
        t.popN(2);
        if (op == 91) {
            emit(Opcode.I64_STORE, a, off, v + index);
            return;
        }
        // The i32 slot one above the address's depth is free (the v128 was there).
        int x = t.regs.slot(t.stack.size() + 1, ValType.I32);
        emit(Opcode.V128_EXTRACT, x, v, op == 88 ? 22 : op == 89 ? 25 : 27, index);
        emit(op == 88 ? Opcode.I32_STORE8 : op == 89 ? Opcode.I32_STORE16 : Opcode.I32_STORE, a, off, x);
    }

    private int operand(int k, ValType type) {
        return t.operand(k, type);
    }

    private void emit(Opcode op, long... operands) {
        t.code.emit(op, operands);
    }
}
