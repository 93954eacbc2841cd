package dev.cella.isa;

import java.util.Locale;

/**
 * The lane operations of the SIMD instructions: the {@code #i32} immediate {@code k} of {@link
 * Opcode#V128_UNARY}, {@link Opcode#V128_BINARY}, {@link Opcode#V128_SHIFT}, {@link
 * Opcode#V128_TEST}, {@link Opcode#V128_SPLAT}, {@link Opcode#V128_EXTRACT} and {@link
 * Opcode#V128_REPLACE}. Each operation's code is its WebAssembly SIMD opcode (the number after the
 * 0xFD prefix) and its meaning is that instruction's, with one refinement: a float lane that an
 * arithmetic operation produces as NaN is the canonical NaN, as for the scalar float instructions
 * (the WebAssembly specification allows any NaN there; Cella's engines must agree bit for bit).
 * abs, neg, pmin, pmax, splat, extract, replace and the bitwise operations move lanes unchanged.
 *
 * <p>The verifier accepts an instruction only if {@code k} names an operation of its shape, and
 * for extract and replace only if the lane index is below {@link #lanes}. SIMD instructions that
 * need no lane operation of their own (loads and stores, v128.const, the 64-bit-lane splat,
 * extract and replace) are written as scalar Cella instructions on the register pair; {@code
 * docs/wasm.md} lists those translations.
 */
public enum V128Op {
    I8X16_SWIZZLE(14, Shape.BINARY),
    I8X16_SPLAT(15, Shape.SPLAT), I16X8_SPLAT(16, Shape.SPLAT), I32X4_SPLAT(17, Shape.SPLAT),
    F32X4_SPLAT(19, Shape.SPLAT),
    I8X16_EXTRACT_LANE_S(21, Shape.EXTRACT, 16), I8X16_EXTRACT_LANE_U(22, Shape.EXTRACT, 16),
    I8X16_REPLACE_LANE(23, Shape.REPLACE, 16),
    I16X8_EXTRACT_LANE_S(24, Shape.EXTRACT, 8), I16X8_EXTRACT_LANE_U(25, Shape.EXTRACT, 8),
    I16X8_REPLACE_LANE(26, Shape.REPLACE, 8),
    I32X4_EXTRACT_LANE(27, Shape.EXTRACT, 4), I32X4_REPLACE_LANE(28, Shape.REPLACE, 4),
    F32X4_EXTRACT_LANE(31, Shape.EXTRACT, 4), F32X4_REPLACE_LANE(32, Shape.REPLACE, 4),
    I8X16_EQ(35), I8X16_NE(36), I8X16_LT_S(37), I8X16_LT_U(38), I8X16_GT_S(39), I8X16_GT_U(40),
    I8X16_LE_S(41), I8X16_LE_U(42), I8X16_GE_S(43), I8X16_GE_U(44),
    I16X8_EQ(45), I16X8_NE(46), I16X8_LT_S(47), I16X8_LT_U(48), I16X8_GT_S(49), I16X8_GT_U(50),
    I16X8_LE_S(51), I16X8_LE_U(52), I16X8_GE_S(53), I16X8_GE_U(54),
    I32X4_EQ(55), I32X4_NE(56), I32X4_LT_S(57), I32X4_LT_U(58), I32X4_GT_S(59), I32X4_GT_U(60),
    I32X4_LE_S(61), I32X4_LE_U(62), I32X4_GE_S(63), I32X4_GE_U(64),
    F32X4_EQ(65), F32X4_NE(66), F32X4_LT(67), F32X4_GT(68), F32X4_LE(69), F32X4_GE(70),
    F64X2_EQ(71), F64X2_NE(72), F64X2_LT(73), F64X2_GT(74), F64X2_LE(75), F64X2_GE(76),
    V128_NOT(77, Shape.UNARY), V128_AND(78), V128_ANDNOT(79), V128_OR(80), V128_XOR(81),
    V128_ANY_TRUE(83, Shape.TEST),
    F32X4_DEMOTE_F64X2_ZERO(94, Shape.UNARY), F64X2_PROMOTE_LOW_F32X4(95, Shape.UNARY),
    I8X16_ABS(96, Shape.UNARY), I8X16_NEG(97, Shape.UNARY), I8X16_POPCNT(98, Shape.UNARY),
    I8X16_ALL_TRUE(99, Shape.TEST), I8X16_BITMASK(100, Shape.TEST),
    I8X16_NARROW_I16X8_S(101), I8X16_NARROW_I16X8_U(102),
    F32X4_CEIL(103, Shape.UNARY), F32X4_FLOOR(104, Shape.UNARY), F32X4_TRUNC(105, Shape.UNARY),
    F32X4_NEAREST(106, Shape.UNARY),
    I8X16_SHL(107, Shape.SHIFT), I8X16_SHR_S(108, Shape.SHIFT), I8X16_SHR_U(109, Shape.SHIFT),
    I8X16_ADD(110), I8X16_ADD_SAT_S(111), I8X16_ADD_SAT_U(112), I8X16_SUB(113), I8X16_SUB_SAT_S(114),
    I8X16_SUB_SAT_U(115),
    F64X2_CEIL(116, Shape.UNARY), F64X2_FLOOR(117, Shape.UNARY),
    I8X16_MIN_S(118), I8X16_MIN_U(119), I8X16_MAX_S(120), I8X16_MAX_U(121),
    F64X2_TRUNC(122, Shape.UNARY), I8X16_AVGR_U(123),
    I16X8_EXTADD_PAIRWISE_I8X16_S(124, Shape.UNARY), I16X8_EXTADD_PAIRWISE_I8X16_U(125, Shape.UNARY),
    I32X4_EXTADD_PAIRWISE_I16X8_S(126, Shape.UNARY), I32X4_EXTADD_PAIRWISE_I16X8_U(127, Shape.UNARY),
    I16X8_ABS(128, Shape.UNARY), I16X8_NEG(129, Shape.UNARY), I16X8_Q15MULR_SAT_S(130),
    I16X8_ALL_TRUE(131, Shape.TEST), I16X8_BITMASK(132, Shape.TEST),
    I16X8_NARROW_I32X4_S(133), I16X8_NARROW_I32X4_U(134),
    I16X8_EXTEND_LOW_I8X16_S(135, Shape.UNARY), I16X8_EXTEND_HIGH_I8X16_S(136, Shape.UNARY),
    I16X8_EXTEND_LOW_I8X16_U(137, Shape.UNARY), I16X8_EXTEND_HIGH_I8X16_U(138, Shape.UNARY),
    I16X8_SHL(139, Shape.SHIFT), I16X8_SHR_S(140, Shape.SHIFT), I16X8_SHR_U(141, Shape.SHIFT),
    I16X8_ADD(142), I16X8_ADD_SAT_S(143), I16X8_ADD_SAT_U(144), I16X8_SUB(145), I16X8_SUB_SAT_S(146),
    I16X8_SUB_SAT_U(147),
    F64X2_NEAREST(148, Shape.UNARY),
    I16X8_MUL(149), I16X8_MIN_S(150), I16X8_MIN_U(151), I16X8_MAX_S(152), I16X8_MAX_U(153), I16X8_AVGR_U(155),
    I16X8_EXTMUL_LOW_I8X16_S(156), I16X8_EXTMUL_HIGH_I8X16_S(157), I16X8_EXTMUL_LOW_I8X16_U(158),
    I16X8_EXTMUL_HIGH_I8X16_U(159),
    I32X4_ABS(160, Shape.UNARY), I32X4_NEG(161, Shape.UNARY),
    I32X4_ALL_TRUE(163, Shape.TEST), I32X4_BITMASK(164, Shape.TEST),
    I32X4_EXTEND_LOW_I16X8_S(167, Shape.UNARY), I32X4_EXTEND_HIGH_I16X8_S(168, Shape.UNARY),
    I32X4_EXTEND_LOW_I16X8_U(169, Shape.UNARY), I32X4_EXTEND_HIGH_I16X8_U(170, Shape.UNARY),
    I32X4_SHL(171, Shape.SHIFT), I32X4_SHR_S(172, Shape.SHIFT), I32X4_SHR_U(173, Shape.SHIFT),
    I32X4_ADD(174), I32X4_SUB(177), I32X4_MUL(181), I32X4_MIN_S(182), I32X4_MIN_U(183), I32X4_MAX_S(184),
    I32X4_MAX_U(185), I32X4_DOT_I16X8_S(186),
    I32X4_EXTMUL_LOW_I16X8_S(188), I32X4_EXTMUL_HIGH_I16X8_S(189), I32X4_EXTMUL_LOW_I16X8_U(190),
    I32X4_EXTMUL_HIGH_I16X8_U(191),
    I64X2_ABS(192, Shape.UNARY), I64X2_NEG(193, Shape.UNARY),
    I64X2_ALL_TRUE(195, Shape.TEST), I64X2_BITMASK(196, Shape.TEST),
    I64X2_EXTEND_LOW_I32X4_S(199, Shape.UNARY), I64X2_EXTEND_HIGH_I32X4_S(200, Shape.UNARY),
    I64X2_EXTEND_LOW_I32X4_U(201, Shape.UNARY), I64X2_EXTEND_HIGH_I32X4_U(202, Shape.UNARY),
    I64X2_SHL(203, Shape.SHIFT), I64X2_SHR_S(204, Shape.SHIFT), I64X2_SHR_U(205, Shape.SHIFT),
    I64X2_ADD(206), I64X2_SUB(209), I64X2_MUL(213),
    I64X2_EQ(214), I64X2_NE(215), I64X2_LT_S(216), I64X2_GT_S(217), I64X2_LE_S(218), I64X2_GE_S(219),
    I64X2_EXTMUL_LOW_I32X4_S(220), I64X2_EXTMUL_HIGH_I32X4_S(221), I64X2_EXTMUL_LOW_I32X4_U(222),
    I64X2_EXTMUL_HIGH_I32X4_U(223),
    F32X4_ABS(224, Shape.UNARY), F32X4_NEG(225, Shape.UNARY), F32X4_SQRT(227, Shape.UNARY),
    F32X4_ADD(228), F32X4_SUB(229), F32X4_MUL(230), F32X4_DIV(231), F32X4_MIN(232), F32X4_MAX(233),
    F32X4_PMIN(234), F32X4_PMAX(235),
    F64X2_ABS(236, Shape.UNARY), F64X2_NEG(237, Shape.UNARY), F64X2_SQRT(239, Shape.UNARY),
    F64X2_ADD(240), F64X2_SUB(241), F64X2_MUL(242), F64X2_DIV(243), F64X2_MIN(244), F64X2_MAX(245),
    F64X2_PMIN(246), F64X2_PMAX(247),
    I32X4_TRUNC_SAT_F32X4_S(248, Shape.UNARY), I32X4_TRUNC_SAT_F32X4_U(249, Shape.UNARY),
    F32X4_CONVERT_I32X4_S(250, Shape.UNARY), F32X4_CONVERT_I32X4_U(251, Shape.UNARY),
    I32X4_TRUNC_SAT_F64X2_S_ZERO(252, Shape.UNARY), I32X4_TRUNC_SAT_F64X2_U_ZERO(253, Shape.UNARY),
    F64X2_CONVERT_LOW_I32X4_S(254, Shape.UNARY), F64X2_CONVERT_LOW_I32X4_U(255, Shape.UNARY);

    /** Which SIMD instruction an operation belongs to. */
    public enum Shape {
        UNARY(Opcode.V128_UNARY),
        BINARY(Opcode.V128_BINARY),
        SHIFT(Opcode.V128_SHIFT),
        TEST(Opcode.V128_TEST),
        SPLAT(Opcode.V128_SPLAT),
        EXTRACT(Opcode.V128_EXTRACT),
        REPLACE(Opcode.V128_REPLACE);

        /** The instruction whose {@code #i32} immediate names an operation of this shape. */
        public final Opcode opcode;

        Shape(Opcode opcode) {
            this.opcode = opcode;
        }

        /** The shape whose instruction is {@code op}, or null (bitselect, shuffle and all non-SIMD opcodes). */
        public static Shape of(Opcode op) {
            for (Shape s : values()) {
                if (s.opcode == op) {
                    return s;
                }
            }
            return null;
        }
    }

    private static final V128Op[] BY_CODE = new V128Op[256];

    static {
        for (V128Op op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    /** The WebAssembly SIMD opcode, which is also the Cella immediate. */
    public final int code;

    /** The instruction that takes this operation. */
    public final Shape shape;

    /** For extract and replace, the number of lanes (the lane index must be below it); else 0. */
    public final int lanes;

    /** The WebAssembly name, such as {@code i8x16.add_sat_s}. */
    public final String mnemonic;

    V128Op(int code) {
        this(code, Shape.BINARY, 0);
    }

    V128Op(int code, Shape shape) {
        this(code, shape, 0);
    }

    V128Op(int code, Shape shape, int lanes) {
        this.code = code;
        this.shape = shape;
        this.lanes = lanes;
        String lower = name().toLowerCase(Locale.ROOT);
        int us = lower.indexOf('_');
        this.mnemonic = lower.substring(0, us) + "." + lower.substring(us + 1);
    }

    /** The operation with code {@code code}, or null if there is none. */
    public static V128Op fromCode(long code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[(int) code] : null;
    }

    /** The operation with code {@code code} if it has shape {@code shape}, else null. */
    public static V128Op of(long code, Shape shape) {
        V128Op op = fromCode(code);
        return op != null && op.shape == shape ? op : null;
    }
}
