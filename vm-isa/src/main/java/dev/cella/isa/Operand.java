package dev.cella.isa;

/**
 * One operand slot of an {@link Opcode}: its kind and, for a single register, the register's type.
 *
 * @param kind what the operand is
 * @param type the register's type for {@link OperandKind#DEF} and {@link OperandKind#USE}, else null
 */
public record Operand(OperandKind kind, ValType type) {

    /**
     * Parses one token of the signature notation used in {@link Opcode}: {@code =i32} a written
     * register, {@code i32} a read register, {@code #i32} an immediate, {@code @} a label,
     * {@code @*} a label list, {@code (*)} a read list, {@code =(*)} a written list, and the
     * words {@code func}, {@code type}, {@code global}, {@code table}, {@code elem}, {@code off}.
     */
    static Operand parse(String token) {
        return switch (token) {
            case "@" -> new Operand(OperandKind.LABEL, null);
            case "@*" -> new Operand(OperandKind.LABELS, null);
            case "(*)" -> new Operand(OperandKind.USES, null);
            case "=(*)" -> new Operand(OperandKind.DEFS, null);
            case "func" -> new Operand(OperandKind.FUNC, null);
            case "type" -> new Operand(OperandKind.TYPE, null);
            case "global" -> new Operand(OperandKind.GLOBAL, null);
            case "table" -> new Operand(OperandKind.TABLE, null);
            case "elem" -> new Operand(OperandKind.ELEM, null);
            case "off" -> new Operand(OperandKind.OFFSET, null);
            case "#i32" -> new Operand(OperandKind.I32_IMM, ValType.I32);
            case "#i64" -> new Operand(OperandKind.I64_IMM, ValType.I64);
            case "#f32" -> new Operand(OperandKind.F32_IMM, ValType.F32);
            case "#f64" -> new Operand(OperandKind.F64_IMM, ValType.F64);
            default -> {
                boolean def = token.startsWith("=");
                ValType t = ValType.fromText(def ? token.substring(1) : token);
                if (t == null) {
                    throw new IllegalArgumentException("bad operand notation: " + token);
                }
                yield new Operand(def ? OperandKind.DEF : OperandKind.USE, t);
            }
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case DEF -> "=" + type;
            case USE -> type.text;
            case I32_IMM, I64_IMM, F32_IMM, F64_IMM -> "#" + type;
            default -> kind.placeholder;
        };
    }
}
