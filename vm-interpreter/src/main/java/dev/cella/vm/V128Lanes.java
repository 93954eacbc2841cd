package dev.cella.vm;

import static dev.cella.vm.Numerics.bits;
import static dev.cella.vm.Numerics.f32;
import static dev.cella.vm.Numerics.f64;

import dev.cella.isa.V128Op;

/**
 * The lane semantics of the SIMD instructions, shared by the interpreter and the JIT so that both
 * agree by construction. A v128 value is a pair of longs, {@code lo} (bytes 0-7) and {@code hi}
 * (bytes 8-15), as in its register pair (see {@link dev.cella.isa.Opcode}). Operations are named
 * by their {@link V128Op} code; each vector result is computed a half at a time ({@code ...Lo}
 * and {@code ...Hi}), which needs no allocation; a caller computes both halves before writing
 * either, since the result may overlap an operand.
 *
 * <p>Float lanes follow the ISA's rule: an arithmetic result that is NaN is the canonical NaN
 * (through {@link Numerics}); abs, neg, pmin, pmax and the bitwise operations move bits unchanged.
 * An unknown code is a verifier bug: it throws {@link IllegalStateException}.
 */
public final class V128Lanes {
    private V128Lanes() {}

    // ---- unary ----

    /** The low half of unary operation {@code op} of (a0, a1). */
    public static long unaryLo(int op, long a0, long a1) {
        return switch (op) {
            case 94 -> demote(a0) | demote(a1) << 32; // f32x4.demote_f64x2_zero
            case 95 -> bits((double) f32(a0)); // f64x2.promote_low_f32x4 (exact; NaN canonical)
            case 135, 136, 137, 138 -> extend8(op == 136 || op == 138 ? a1 : a0, op <= 136, 0);
            case 167, 168, 169, 170 -> extend16(op == 168 || op == 170 ? a1 : a0, op <= 168, 0);
            case 199, 200, 201, 202 -> extend32(op == 200 || op == 202 ? a1 : a0, op <= 200, 0);
            case 252 -> (Numerics.i32TruncSatF64S(f64(a0)) & 0xFFFFFFFFL) | (long) Numerics.i32TruncSatF64S(f64(a1)) << 32;
            case 253 -> (Numerics.i32TruncSatF64U(f64(a0)) & 0xFFFFFFFFL) | (long) Numerics.i32TruncSatF64U(f64(a1)) << 32;
            case 254 -> bits((double) (int) a0);
            case 255 -> bits(Numerics.f64ConvertI32U((int) a0));
            default -> unaryHalf(op, a0);
        };
    }

    /** The high half of unary operation {@code op} of (a0, a1). */
    public static long unaryHi(int op, long a0, long a1) {
        return switch (op) {
            case 94, 252, 253 -> 0;
            case 95 -> bits((double) f32(a0 >>> 32));
            case 135, 136, 137, 138 -> extend8(op == 136 || op == 138 ? a1 : a0, op <= 136, 4);
            case 167, 168, 169, 170 -> extend16(op == 168 || op == 170 ? a1 : a0, op <= 168, 2);
            case 199, 200, 201, 202 -> extend32(op == 200 || op == 202 ? a1 : a0, op <= 200, 1);
            case 254 -> bits((double) (int) (a0 >>> 32));
            case 255 -> bits(Numerics.f64ConvertI32U((int) (a0 >>> 32)));
            default -> unaryHalf(op, a1);
        };
    }

    private static long demote(long f64bits) {
        return bits((float) f64(f64bits));
    }

    /** The unary operations that map each 64-bit half on its own. */
    private static long unaryHalf(int op, long a) {
        long r = 0;
        switch (op) {
            case 77 -> r = ~a; // v128.not
            case 96, 97, 98 -> {
                for (int i = 0; i < 64; i += 8) {
                    int x = (byte) (a >>> i);
                    int y = op == 96 ? Math.abs(x) : op == 97 ? -x : Integer.bitCount(x & 0xFF);
                    r |= (y & 0xFFL) << i;
                }
            }
            case 128, 129 -> {
                for (int i = 0; i < 64; i += 16) {
                    int x = (short) (a >>> i);
                    r |= ((op == 128 ? Math.abs(x) : -x) & 0xFFFFL) << i;
                }
            }
            case 160, 161 -> {
                for (int i = 0; i < 64; i += 32) {
                    int x = (int) (a >>> i);
                    r |= ((op == 160 ? Math.abs(x) : -x) & 0xFFFFFFFFL) << i;
                }
            }
            case 192 -> r = Math.abs(a);
            case 193 -> r = -a;
            case 124, 125 -> {
                for (int i = 0; i < 64; i += 16) {
                    int x = (int) (a >>> i);
                    int y = (int) (a >>> (i + 8));
                    int s = op == 124 ? (byte) x + (byte) y : (x & 0xFF) + (y & 0xFF);
                    r |= (s & 0xFFFFL) << i;
                }
            }
            case 126, 127 -> {
                for (int i = 0; i < 64; i += 32) {
                    int x = (int) (a >>> i);
                    int y = (int) (a >>> (i + 16));
                    int s = op == 126 ? (short) x + (short) y : (x & 0xFFFF) + (y & 0xFFFF);
                    r |= (s & 0xFFFFFFFFL) << i;
                }
            }
            case 224 -> r = a & 0x7FFFFFFF7FFFFFFFL;
            case 225 -> r = a ^ 0x8000000080000000L;
            case 236 -> r = a & Long.MAX_VALUE;
            case 237 -> r = a ^ Long.MIN_VALUE;
            case 103, 104, 105, 106, 227, 248, 249, 250, 251 -> {
                for (int i = 0; i < 64; i += 32) {
                    float x = f32(a >>> i);
                    long y = switch (op) {
                        case 103 -> bits(Numerics.f32Ceil(x));
                        case 104 -> bits(Numerics.f32Floor(x));
                        case 105 -> bits(Numerics.f32Trunc(x));
                        case 106 -> bits(Numerics.f32Nearest(x));
                        case 227 -> bits(Numerics.f32Sqrt(x));
                        case 248 -> Numerics.i32TruncSatF32S(x);
                        case 249 -> Numerics.i32TruncSatF32U(x);
                        case 250 -> bits((float) (int) (a >>> i));
                        default -> bits(Numerics.f32ConvertI32U((int) (a >>> i)));
                    };
                    r |= (y & 0xFFFFFFFFL) << i;
                }
            }
            case 116 -> r = bits(Numerics.f64Ceil(f64(a)));
            case 117 -> r = bits(Numerics.f64Floor(f64(a)));
            case 122 -> r = bits(Numerics.f64Trunc(f64(a)));
            case 148 -> r = bits(Numerics.f64Nearest(f64(a)));
            case 239 -> r = bits(Numerics.f64Sqrt(f64(a)));
            default -> throw unknown(op);
        }
        return r;
    }

    /** Four bytes of {@code half} from byte {@code from}, widened to 16-bit lanes. */
    private static long extend8(long half, boolean signed, int from) {
        long r = 0;
        for (int i = 0; i < 4; i++) {
            int x = (int) (half >>> (8 * (from + i)));
            r |= ((signed ? (byte) x : x & 0xFF) & 0xFFFFL) << (16 * i);
        }
        return r;
    }

    private static long extend16(long half, boolean signed, int from) {
        long r = 0;
        for (int i = 0; i < 2; i++) {
            int x = (int) (half >>> (16 * (from + i)));
            r |= ((signed ? (short) x : x & 0xFFFF) & 0xFFFFFFFFL) << (32 * i);
        }
        return r;
    }

    private static long extend32(long half, boolean signed, int from) {
        int x = (int) (half >>> (32 * from));
        return signed ? x : x & 0xFFFFFFFFL;
    }

    // ---- binary ----

    /** The low half of binary operation {@code op} of (a0, a1) and (b0, b1). */
    public static long binaryLo(int op, long a0, long a1, long b0, long b1) {
        return switch (op) {
            case 14 -> swizzle(a0, a1, b0);
            case 101, 102 -> narrow8(a0, a1, op == 101);
            case 133, 134 -> narrow16(a0, a1, op == 133);
            case 156, 158 -> extmul8(a0, b0, op == 156, 0);
            case 157, 159 -> extmul8(a1, b1, op == 157, 0);
            case 188, 190 -> extmul16(a0, b0, op == 188, 0);
            case 189, 191 -> extmul16(a1, b1, op == 189, 0);
            case 220, 222 -> extmul32(a0, b0, op == 220, 0);
            case 221, 223 -> extmul32(a1, b1, op == 221, 0);
            default -> binaryHalf(op, a0, b0);
        };
    }

    /** The high half of binary operation {@code op} of (a0, a1) and (b0, b1). */
    public static long binaryHi(int op, long a0, long a1, long b0, long b1) {
        return switch (op) {
            case 14 -> swizzle(a0, a1, b1);
            case 101, 102 -> narrow8(b0, b1, op == 101);
            case 133, 134 -> narrow16(b0, b1, op == 133);
            case 156, 158 -> extmul8(a0, b0, op == 156, 4);
            case 157, 159 -> extmul8(a1, b1, op == 157, 4);
            case 188, 190 -> extmul16(a0, b0, op == 188, 2);
            case 189, 191 -> extmul16(a1, b1, op == 189, 2);
            case 220, 222 -> extmul32(a0, b0, op == 220, 1);
            case 221, 223 -> extmul32(a1, b1, op == 221, 1);
            default -> binaryHalf(op, a1, b1);
        };
    }

    /** Eight result bytes: byte i is byte {@code sel_i} of a (0 if {@code sel_i} >= 16, unsigned). */
    private static long swizzle(long a0, long a1, long sel) {
        long r = 0;
        for (int i = 0; i < 64; i += 8) {
            int s = (int) (sel >>> i) & 0xFF;
            if (s < 16) {
                r |= ((s < 8 ? a0 : a1) >>> (8 * (s & 7)) & 0xFF) << i;
            }
        }
        return r;
    }

    /** The 8 i16 lanes of (x0, x1) narrowed to saturated bytes. */
    private static long narrow8(long x0, long x1, boolean signed) {
        long r = 0;
        for (int i = 0; i < 8; i++) {
            int x = (short) ((i < 4 ? x0 : x1) >>> (16 * (i & 3)));
            int y = signed ? clamp(x, -128, 127) : clamp(x, 0, 255);
            r |= (y & 0xFFL) << (8 * i);
        }
        return r;
    }

    private static long narrow16(long x0, long x1, boolean signed) {
        long r = 0;
        for (int i = 0; i < 4; i++) {
            int x = (int) ((i < 2 ? x0 : x1) >>> (32 * (i & 1)));
            int y = signed ? clamp(x, -32768, 32767) : clamp(x, 0, 65535);
            r |= (y & 0xFFFFL) << (16 * i);
        }
        return r;
    }

    private static long extmul8(long a, long b, boolean signed, int from) {
        return binaryHalf(149, extend8(a, signed, from), extend8(b, signed, from));
    }

    private static long extmul16(long a, long b, boolean signed, int from) {
        return binaryHalf(181, extend16(a, signed, from), extend16(b, signed, from));
    }

    private static long extmul32(long a, long b, boolean signed, int from) {
        return extend32(a, signed, from) * extend32(b, signed, from);
    }

    private static int clamp(int x, int min, int max) {
        return Math.max(min, Math.min(max, x));
    }

    /** The binary operations that map each pair of 64-bit halves on its own. */
    private static long binaryHalf(int op, long a, long b) {
        if (op >= 78 && op <= 81) {
            return switch (op) {
                case 78 -> a & b;
                case 79 -> a & ~b;
                case 80 -> a | b;
                default -> a ^ b;
            };
        }
        if (op == 213) {
            return a * b;
        }
        if (op == 206 || op == 209 || (op >= 214 && op <= 219)) {
            return lane64(op, a, b);
        }
        if (op == 186) { // i32x4.dot_i16x8_s
            long r = 0;
            for (int i = 0; i < 64; i += 32) {
                int p = (short) (a >>> i) * (short) (b >>> i) + (short) (a >>> (i + 16)) * (short) (b >>> (i + 16));
                r |= (p & 0xFFFFFFFFL) << i;
            }
            return r;
        }
        int width = laneWidth(op);
        long mask = width == 64 ? -1L : (1L << width) - 1;
        long r = 0;
        for (int i = 0; i < 64; i += width) {
            long x = (a >>> i) & mask;
            long y = (b >>> i) & mask;
            r |= (lane(op, width, x, y) & mask) << i;
        }
        return r;
    }

    /** The lane width in bits of a lane-wise binary operation of 8-, 16-, 32-bit or float lanes. */
    private static int laneWidth(int op) {
        if (op >= 35 && op <= 44 || op >= 110 && op <= 123) {
            return 8;
        }
        if (op >= 45 && op <= 54 || op >= 130 && op <= 155) {
            return 16;
        }
        if (op >= 55 && op <= 70 || op >= 174 && op <= 185 || op >= 228 && op <= 235) {
            return 32;
        }
        if (op >= 71 && op <= 76 || op >= 240 && op <= 247) {
            return 64;
        }
        throw unknown(op);
    }

    /** One lane: x and y are the lane bits zero-extended; the result's low {@code width} bits count. */
    private static long lane(int op, int width, long x, long y) {
        if (op >= 65 && op <= 76 || op >= 228) {
            return width == 32 ? f32Lane(op, (int) x, (int) y) : f64Lane(op, x, y);
        }
        int shift = 64 - width;
        long sx = x << shift >> shift;
        long sy = y << shift >> shift;
        long min = -(1L << (width - 1));
        long max = (1L << (width - 1)) - 1;
        long umax = (1L << width) - 1;
        // Relative codes: the three integer groups share their layout from add (110, 142, 174) on.
        int base = width == 8 ? 110 : width == 16 ? 142 : 174;
        int cmpBase = width == 8 ? 35 : width == 16 ? 45 : 55;
        if (op >= cmpBase && op < cmpBase + 10) {
            boolean t = switch (op - cmpBase) {
                case 0 -> x == y;
                case 1 -> x != y;
                case 2 -> sx < sy;
                case 3 -> x < y;
                case 4 -> sx > sy;
                case 5 -> x > y;
                case 6 -> sx <= sy;
                case 7 -> x <= y;
                case 8 -> sx >= sy;
                default -> x >= y;
            };
            return t ? -1 : 0;
        }
        if (op == 130) { // i16x8.q15mulr_sat_s
            return Math.min((sx * sy + 0x4000) >> 15, max);
        }
        return switch (op - base) {
            case 0 -> x + y;
            case 1 -> Math.max(min, Math.min(max, sx + sy));
            case 2 -> Math.min(umax, x + y);
            case 3 -> x - y;
            case 4 -> Math.max(min, Math.min(max, sx - sy));
            case 5 -> Math.max(0, x - y);
            case 7 -> x * y; // i16x8.mul (149) and i32x4.mul (181) are base + 7
            case 8 -> Math.min(sx, sy);
            case 9 -> Math.min(x, y);
            case 10 -> Math.max(sx, sy);
            case 11 -> Math.max(x, y);
            case 13 -> (x + y + 1) >>> 1;
            default -> throw unknown(op);
        };
    }

    private static long f32Lane(int op, int xb, int yb) {
        float x = Float.intBitsToFloat(xb);
        float y = Float.intBitsToFloat(yb);
        return switch (op) {
            case 65 -> x == y ? -1 : 0;
            case 66 -> x != y ? -1 : 0;
            case 67 -> x < y ? -1 : 0;
            case 68 -> x > y ? -1 : 0;
            case 69 -> x <= y ? -1 : 0;
            case 70 -> x >= y ? -1 : 0;
            case 228 -> bits(x + y);
            case 229 -> bits(x - y);
            case 230 -> bits(x * y);
            case 231 -> bits(x / y);
            case 232 -> bits(Numerics.f32Min(x, y));
            case 233 -> bits(Numerics.f32Max(x, y));
            case 234 -> y < x ? yb : xb; // pmin: bits unchanged
            case 235 -> x < y ? yb : xb; // pmax
            default -> throw unknown(op);
        };
    }

    private static long f64Lane(int op, long xb, long yb) {
        double x = f64(xb);
        double y = f64(yb);
        return switch (op) {
            case 71 -> x == y ? -1 : 0;
            case 72 -> x != y ? -1 : 0;
            case 73 -> x < y ? -1 : 0;
            case 74 -> x > y ? -1 : 0;
            case 75 -> x <= y ? -1 : 0;
            case 76 -> x >= y ? -1 : 0;
            case 240 -> bits(x + y);
            case 241 -> bits(x - y);
            case 242 -> bits(x * y);
            case 243 -> bits(x / y);
            case 244 -> bits(Numerics.f64Min(x, y));
            case 245 -> bits(Numerics.f64Max(x, y));
            case 246 -> y < x ? yb : xb;
            case 247 -> x < y ? yb : xb;
            default -> throw unknown(op);
        };
    }

    private static long lane64(int op, long x, long y) {
        return switch (op) {
            case 206 -> x + y;
            case 209 -> x - y;
            case 214 -> x == y ? -1 : 0;
            case 215 -> x != y ? -1 : 0;
            case 216 -> x < y ? -1 : 0;
            case 217 -> x > y ? -1 : 0;
            case 218 -> x <= y ? -1 : 0;
            default -> x >= y ? -1 : 0;
        };
    }

    // ---- shifts ----

    /** One half of shift {@code op} of a half by {@code count} (taken mod the lane width). */
    public static long shift(int op, long half, int count) {
        int width = op <= 109 ? 8 : op <= 141 ? 16 : op <= 173 ? 32 : 64;
        int kind = (op - 107) % 32; // 0 shl, 1 shr_s, 2 shr_u in every group (107, 139, 171, 203)
        int s = count & (width - 1);
        if (width == 64) {
            return kind == 0 ? half << s : kind == 1 ? half >> s : half >>> s;
        }
        long mask = (1L << width) - 1;
        long r = 0;
        for (int i = 0; i < 64; i += width) {
            long x = (half >>> i) & mask;
            long y = switch (kind) {
                case 0 -> x << s;
                case 1 -> (x << (64 - width) >> (64 - width)) >> s;
                default -> x >>> s;
            };
            r |= (y & mask) << i;
        }
        return r;
    }

    // ---- tests, splat, lanes, bitselect, shuffle ----

    /** Test {@code op} of (a0, a1): any_true, all_true or bitmask, as an i32. */
    public static int test(int op, long a0, long a1) {
        return switch (op) {
            case 83 -> (a0 | a1) != 0 ? 1 : 0;
            case 99 -> allTrue(a0, a1, 8);
            case 131 -> allTrue(a0, a1, 16);
            case 163 -> allTrue(a0, a1, 32);
            case 195 -> allTrue(a0, a1, 64);
            case 100 -> bitmask(a0, 8) | bitmask(a1, 8) << 8;
            case 132 -> bitmask(a0, 16) | bitmask(a1, 16) << 4;
            case 164 -> bitmask(a0, 32) | bitmask(a1, 32) << 2;
            case 196 -> bitmask(a0, 64) | bitmask(a1, 64) << 1;
            default -> throw unknown(op);
        };
    }

    private static int allTrue(long a0, long a1, int width) {
        long mask = width == 64 ? -1L : (1L << width) - 1;
        for (int i = 0; i < 64; i += width) {
            if ((a0 >>> i & mask) == 0 || (a1 >>> i & mask) == 0) {
                return 0;
            }
        }
        return 1;
    }

    private static int bitmask(long half, int width) {
        int r = 0;
        for (int i = 0; i < 64 / width; i++) {
            r |= (int) (half >>> (width * i + width - 1) & 1) << i;
        }
        return r;
    }

    /** Either half of splat {@code op} of {@code x} (both halves are equal). */
    public static long splat(int op, int x) {
        return switch (op) {
            case 15 -> (x & 0xFFL) * 0x0101010101010101L;
            case 16 -> (x & 0xFFFFL) * 0x0001000100010001L;
            case 17, 19 -> (x & 0xFFFFFFFFL) * 0x0000000100000001L;
            default -> throw unknown(op);
        };
    }

    /** Lane {@code lane} of (a0, a1) as extract {@code op} reads it, as an i32 (an f32 as its bits). */
    public static int extract(int op, int lane, long a0, long a1) {
        return switch (op) {
            case 21 -> (byte) ((lane < 8 ? a0 : a1) >>> (8 * (lane & 7)));
            case 22 -> (int) ((lane < 8 ? a0 : a1) >>> (8 * (lane & 7))) & 0xFF;
            case 24 -> (short) ((lane < 4 ? a0 : a1) >>> (16 * (lane & 3)));
            case 25 -> (int) ((lane < 4 ? a0 : a1) >>> (16 * (lane & 3))) & 0xFFFF;
            case 27, 31 -> (int) ((lane < 2 ? a0 : a1) >>> (32 * (lane & 1)));
            default -> throw unknown(op);
        };
    }

    /** Half {@code hi} (0 low, 1 high) of (a0, a1) with lane {@code lane} replaced by the low bits of {@code x}. */
    public static long replace(int op, int lane, long a0, long a1, int x, int hi) {
        int width = switch (op) {
            case 23 -> 8;
            case 26 -> 16;
            case 28, 32 -> 32;
            default -> throw unknown(op);
        };
        int perHalf = 64 / width;
        long half = hi == 0 ? a0 : a1;
        if (lane / perHalf != hi) {
            return half;
        }
        int at = (lane % perHalf) * width;
        long mask = ((1L << width) - 1) << at;
        return (half & ~mask) | (((long) x << at) & mask);
    }

    /** One half of bitselect: bits of a where c is 1, of b where it is 0. */
    public static long bitselect(long a, long b, long c) {
        return (a & c) | (b & ~c);
    }

    /** Eight result bytes of a shuffle: byte i is byte {@code sel_i} (0-31) of a0, a1, b0, b1. */
    public static long shuffle(long a0, long a1, long b0, long b1, long sel) {
        long r = 0;
        for (int i = 0; i < 64; i += 8) {
            int s = (int) (sel >>> i) & 31;
            long src = s < 8 ? a0 : s < 16 ? a1 : s < 24 ? b0 : b1;
            r |= (src >>> (8 * (s & 7)) & 0xFF) << i;
        }
        return r;
    }

    private static IllegalStateException unknown(int op) {
        V128Op known = V128Op.fromCode(op);
        return new IllegalStateException("lane operation " + op + (known == null ? "" : " (" + known.mnemonic + ")")
                + " is not handled here; the verifier should have rejected it");
    }
}
