package dev.cella.isa.doc;

import dev.cella.isa.Opcode;
import dev.cella.isa.Operand;
import dev.cella.isa.OperandKind;
import dev.cella.isa.V128Op;
import dev.cella.isa.verify.Verifier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates {@code docs/isa.md}, the instruction set reference, from {@link Opcode}: the
 * document cannot drift from the enum because {@code IsaDocTest} fails when the committed file
 * differs from {@link #generate()}.
 *
 * <p>Run from the project root, after compiling vm-isa:
 * <pre>
 *   java -cp vm-isa/target/classes dev.cella.isa.doc.IsaDoc docs/isa.md
 * </pre>
 * With no argument the document goes to standard output. It has a package of its own because it
 * reads the verifier's limits, and {@code dev.cella.isa} sits below the verifier.
 */
public final class IsaDoc {
    /** The command that regenerates the document, from the project root. */
    public static final String REGENERATE = "java -cp vm-isa/target/classes dev.cella.isa.doc.IsaDoc docs/isa.md";

    /**
     * The instruction families, in code order. A family is every opcode from its first code up
     * to the next family's first code, so adding an opcode never means adding its name here.
     */
    enum Family {
        CONTROL(0x00, "Control"),
        VALUES(0x10, "Constants, moves, select and globals"),
        MEMORY(0x28, "Memory"),
        COMPARISONS(0x45, "Comparisons"),
        INTEGER_ARITHMETIC(0x67, "Integer arithmetic"),
        FLOAT_ARITHMETIC(0x8B, "Float arithmetic"),
        CONVERSIONS(0xA7, "Conversions"),
        COMPARE_AND_BRANCH(0xD0, "Compare and branch"),
        SIMD(0x200, "SIMD"),
        REFERENCES_AND_TABLES(0x300, "References and tables"),
        EXCEPTIONS(0x380, "Exceptions");

        final int firstCode;
        final String title;

        Family(int firstCode, String title) {
            this.firstCode = firstCode;
            this.title = title;
        }

        /** The family whose code range holds {@code op}'s code. */
        static Family of(Opcode op) {
            Family found = CONTROL;
            for (Family f : values()) {
                if (f.firstCode <= op.code) {
                    found = f;
                }
            }
            return found;
        }
    }

    private IsaDoc() {}

    /**
     * Writes the document to the file named by {@code args[0]}, or to standard output if there is
     * no argument.
     *
     * @throws IOException if the file cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length > 1) {
            System.err.println("usage: java -cp vm-isa/target/classes dev.cella.isa.doc.IsaDoc [OUTPUT.md]");
            System.exit(2);
        }
        String text = generate();
        if (args.length == 1) {
            Files.writeString(Path.of(args[0]), text, StandardCharsets.UTF_8);
        } else {
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            out.print(text);
            out.flush();
        }
    }

    /** The whole document, with {@code \n} line ends. */
    public static String generate() {
        StringBuilder out = new StringBuilder(64 * 1024);
        intro(out);
        operandTable(out);
        for (Family family : Family.values()) {
            familyTable(out, family);
        }
        laneTable(out);
        return out.toString();
    }

    private static void intro(StringBuilder out) {
        out.append("""
                # The Cella instruction set

                <!-- Generated from dev.cella.isa.Opcode by dev.cella.isa.doc.IsaDoc; do not edit. -->
                <!-- Regenerate from the project root with: %s -->

                Cella has %d instructions in %d families. This document is generated from the
                `Opcode` enum, the single definition of the instruction set; the text syntax is
                described in [assembly.md](assembly.md).

                ## Registers and values

                A function declares the type of each of its registers: `i32`, `i64`, `f32` or `f64`.
                The parameters are the first registers, in order. A register's type never changes,
                so the verifier checks every operand in one linear pass and the engines run
                verified code without type checks. On every call, the registers after the
                parameters start at zero (as WebAssembly locals do), so reading a register before
                writing it is well defined. At run time every value is 64 raw bits: an i32
                is its int value sign-extended, an f32 the bits of `Float.floatToRawIntBits`
                zero-extended, an i64 or f64 its own 64 bits.

                The SIMD instructions also take `v128` operands: a v128 operand names a pair of
                consecutive i64 registers, r holding bytes 0-7 of the 128-bit vector and r+1 bytes
                8-15, both little-endian (so lane 0 of an i32x4 is the low half of r). `v128` is
                never the type of a register or global: a v128 value is passed, returned and stored in
                globals as two i64 values, low half first. A signature may still declare a parameter or result
                v128 (it is then two i64 values that the signature marks), so that a function of `(v128)` and
                one of `(i64, i64)` have different types. The SIMD instructions read
                all their operands before writing, so a result pair may overlap an operand.

                Calls pass arguments and results in register lists; `ret` lists the values
                returned. Functions may return several values; host (imported) functions at
                most one.

                ## Encoding

                A function body is a sequence of instructions of at most %d MiB. Each
                instruction is its code as an unsigned LEB128 number followed by its operands in
                the order of the tables below, each encoded as the operand table says. A **pc** is
                the byte offset of an instruction in its function body. Labels are absolute pcs
                stored in 4 bytes, so every instruction's size is known before its labels are
                resolved; a label must be the pc of an instruction of the same function, and the
                last instruction of a body must be a terminator (%s).

                ## Memory

                Addresses are i32 registers read as unsigned. The effective address `a + off` is
                computed without wrap-around and an access traps unless all of its bytes lie in
                memory. `memory.copy` and `memory.fill` check the whole range before writing
                anything (a length of 0 at exactly the end is allowed). `memory.grow` returns the
                old size in 64 KiB pages, or -1 if the memory would pass its maximum or a quota.

                ## Floating point

                Floating point is deterministic. Whenever an arithmetic instruction (add, sub, mul,
                div, sqrt, min, max, ceil, floor, trunc, nearest, demote, promote, convert) produces a
                NaN, the result is the canonical NaN: f32 `0x7fc00000`, f64 `0x7ff8000000000000`.
                abs, neg, copysign, moves, constants, loads, stores, select and reinterpretations keep
                the bits unchanged. Otherwise the numeric semantics are WebAssembly 1.0's. The same
                rule holds for every float lane of the SIMD lane operations (see the last table),
                whose abs, neg, pmin, pmax, splat, extract, replace and bitwise operations move bits
                unchanged.

                ## Fuel

                Fuel is charged once per basic block, on entry, one unit per instruction of the
                block. Blocks start at pc 0, at every branch target and after every instruction that
                ends a block (flags `branch`, `terminator` or `call`). If the remaining fuel is
                less than the block's cost, the run traps with "fuel exhausted" at the block's first
                pc and none of its instructions runs.

                ## Traps

                A trap stops the guest and names the function index and the pc of the trapping
                instruction.

                | trap | raised by |
                |---|---|
                | unreachable | `unreachable` |
                | integer divide by zero | integer `div` and `rem` with a zero divisor |
                | integer overflow | signed `div` of the minimum value by -1; non-saturating `trunc` of an out-of-range value or an infinity |
                | invalid conversion to integer | non-saturating `trunc` of a NaN |
                | out of bounds memory access | loads, stores, `memory.copy`, `memory.fill` |
                | undefined element | `call_indirect` with an index past the table's end |
                | uninitialized element | `call_indirect` on an element that holds no function |
                | indirect call type mismatch | `call_indirect` on a function whose type is not `t` |
                | call stack exhausted | `call`, `call_indirect` past the maximum call depth |
                | fuel exhausted | entering a basic block that costs more than the fuel left |

                """.formatted(REGENERATE, Opcode.values().length, Family.values().length, Verifier.MAX_CODE_BYTES >> 20,
                terminators()));
    }

    /** The terminators' mnemonics in code order, in backquotes, joined with commas and "or". */
    private static String terminators() {
        List<String> names = new ArrayList<>();
        for (Opcode op : Opcode.values()) {
            if (op.isTerminator()) {
                names.add("`" + op.mnemonic + "`");
            }
        }
        String last = names.remove(names.size() - 1);
        return names.isEmpty() ? last : String.join(", ", names) + " or " + last;
    }

    private static void operandTable(StringBuilder out) {
        out.append("""
                ## Operands

                In the tables, an instruction's operands are written as in assembly, separated
                by commas, with these placeholders:

                | placeholder | operand | encoding |
                |---|---|---|
                """);
        for (OperandKind kind : OperandKind.values()) {
            String placeholder = switch (kind) {
                case DEF -> "`d` (`d1`, `d2`... if several)";
                case USE -> "`a`, `b`, `c` in order; `v` after `off`";
                case I32_IMM -> "`k` (i32)";
                case I64_IMM -> "`k` (i64)";
                case F32_IMM -> "`k` (f32)";
                case F64_IMM -> "`k` (f64)";
                case LABEL -> "`L`";
                case LABELS -> "`[Ls]`";
                case USES -> "`(args)`";
                case DEFS -> "`(results)`";
                default -> "`" + kind.placeholder + "`";
            };
            String[] meaning = switch (kind) {
                case DEF -> new String[] {"a register the instruction writes", "uLEB128 register index"};
                case USE -> new String[] {"a register it reads (`v`: the value a store writes)", "uLEB128 register index"};
                case I32_IMM -> new String[] {"an immediate", "signed LEB128"};
                case I64_IMM -> new String[] {"an immediate", "signed LEB128"};
                case F32_IMM -> new String[] {"an immediate", "4 raw bytes, little-endian"};
                case F64_IMM -> new String[] {"an immediate", "8 raw bytes, little-endian"};
                case LABEL -> new String[] {"a branch target in the same function", "its pc as 4 bytes, little-endian"};
                case LABELS -> new String[] {"a list of branch targets", "uLEB128 count, then 4-byte pcs"};
                case FUNC -> new String[] {"a function index (imports first)", "uLEB128"};
                case TYPE -> new String[] {"a type index", "uLEB128"};
                case GLOBAL -> new String[] {"a global index", "uLEB128"};
                case TABLE -> new String[] {"a table index", "uLEB128"};
                case ELEM -> new String[] {"an element segment index", "uLEB128"};
                case OFFSET -> new String[] {"a static memory offset, unsigned 32 bits", "uLEB128"};
                case USES -> new String[] {"a list of registers read", "uLEB128 count, then register indices"};
                case DEFS -> new String[] {"a list of registers written", "uLEB128 count, then register indices"};
            };
            row(out, placeholder, meaning[0], meaning[1]);
        }
        out.append("""

                Register indices, counts, indices and offsets are unsigned LEB128 numbers of at most 32 bits.
                Flags: `branch` may jump to a label; `terminator` never falls through to the next
                instruction; `call` calls a function; `memory` needs the module's memory; `traps`
                may trap by itself.

                """);
    }

    private static void familyTable(StringBuilder out, Family family) {
        List<Opcode> ops = new ArrayList<>();
        for (Opcode op : Opcode.values()) {
            if (Family.of(op) == family) {
                ops.add(op);
            }
        }
        out.append("## ").append(family.title).append("\n\n")
                .append(instructions(ops.size())).append(".\n\n")
                .append("| code | mnemonic | operands | types | meaning | flags |\n")
                .append("|---|---|---|---|---|---|\n");
        for (Opcode op : ops) {
            row(out, String.format("0x%02X", op.code), "`" + op.mnemonic + "`", code(String.join(", ", placeholders(op))),
                    types(op), escape(op.meaning), String.join(", ", flags(op)));
        }
        out.append('\n');
    }

    /** The lane operations of the SIMD instructions ({@link V128Op}), in code order. */
    private static void laneTable(StringBuilder out) {
        out.append("## SIMD lane operations\n\n")
                .append("The immediate `k` (`k1` for extract and replace, whose `k2` is the lane index) of a SIMD\n")
                .append("instruction names one of these operations; its code is WebAssembly's SIMD opcode (the\n")
                .append("number after the 0xFD prefix) and its meaning that instruction's, under the NaN rule above.\n")
                .append("The verifier rejects a code that is not one of its instruction's operations, and a lane\n")
                .append("index not below the lane count. WebAssembly's SIMD loads, stores, `v128.const` and the\n")
                .append("64-bit lanes' splat, extract and replace need no operation of their own: they are scalar\n")
                .append("instructions on the register pair (docs/wasm.md).\n\n")
                .append(V128Op.values().length).append(" operations.\n\n")
                .append("| k | operation | instruction | lanes |\n|---|---|---|---|\n");
        for (V128Op op : V128Op.values()) {
            row(out, String.valueOf(op.code), "`" + op.mnemonic + "`", "`" + op.shape.opcode.mnemonic + "`",
                    op.lanes == 0 ? "" : String.valueOf(op.lanes));
        }
        out.append('\n');
    }

    private static String instructions(int n) {
        return n + (n == 1 ? " instruction" : " instructions");
    }

    /**
     * The placeholder of each operand of {@code op}, in order: written registers {@code d} (or
     * {@code d1, d2...}), read registers {@code a, b, c} except that a register read after a
     * memory offset is the stored value {@code v}, and the kind's placeholder for the rest.
     */
    static List<String> placeholders(Opcode op) {
        long defs = op.operands().stream().filter(o -> o.kind() == OperandKind.DEF).count();
        long immediates = op.operands().stream().filter(o -> o.kind().placeholder.equals("k")).count();
        long lists = op.operands().stream().filter(o -> o.kind() == OperandKind.DEFS).count();
        List<String> names = new ArrayList<>();
        int defLists = 0;
        int def = 0;
        int imm = 0;
        int use = 0;
        boolean afterOffset = false;
        for (Operand o : op.operands()) {
            names.add(switch (o.kind()) {
                case DEF -> defs == 1 ? "d" : "d" + ++def;
                case USE -> afterOffset ? "v" : String.valueOf((char) ('a' + use++));
                case LABELS -> "[Ls]";
                case USES -> "(args)";
                case I32_IMM, I64_IMM, F32_IMM, F64_IMM -> immediates == 1 ? "k" : "k" + ++imm;
                // Of two written lists (the call_catch family), the first receives the exception.
                case DEFS -> lists == 2 && defLists++ == 0 ? "(exn)" : "(results)";
                default -> o.kind().placeholder;
            });
            afterOffset |= o.kind() == OperandKind.OFFSET;
        }
        return names;
    }

    /**
     * The types column, in operand order: the type of each register and immediate, a global's
     * required type (that of the instruction's register; a global written must be mutable), and
     * where the types of register lists come from.
     */
    static String types(Opcode op) {
        List<String> names = placeholders(op);
        List<Operand> operands = op.operands();
        Operand register = operands.stream().filter(o -> o.kind().isRegister()).findFirst().orElse(null);
        List<String> parts = new ArrayList<>();
        List<String> lists = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            Operand o = operands.get(i);
            switch (o.kind()) {
                case DEF, USE, I32_IMM, I64_IMM, F32_IMM, F64_IMM -> parts.add(names.get(i) + ": " + o.type());
                case OFFSET -> parts.add("off: u32");
                case GLOBAL -> parts.add("g: " + (register.kind() == OperandKind.USE ? "mut " : "") + register.type());
                case USES, DEFS -> {
                    if (names.get(i).equals("(exn)")) {
                        parts.add("(exn): i32, then i64");
                    } else if (op == Opcode.THROW || op == Opcode.RETHROW) {
                        parts.add("(args): i64");
                    } else {
                        lists.add(names.get(i));
                    }
                }
                case LABEL, LABELS, FUNC, TYPE, TABLE, ELEM -> {
                    // Indices and labels have no value type.
                }
            }
        }
        if (!lists.isEmpty()) {
            boolean hasFunc = operands.stream().anyMatch(o -> o.kind() == OperandKind.FUNC);
            String source = !op.isCall() ? "the function's results" : hasFunc ? "f's type" : "t";
            parts.add(String.join(", ", lists) + ": as " + source);
        }
        return code(String.join(", ", parts));
    }

    /** The flag words of {@code op}, in a fixed order. */
    static List<String> flags(Opcode op) {
        List<String> flags = new ArrayList<>();
        if (op.isBranch()) {
            flags.add("branch");
        }
        if (op.isTerminator()) {
            flags.add("terminator");
        }
        if (op.isCall()) {
            flags.add("call");
        }
        if (op.usesMemory()) {
            flags.add("memory");
        }
        if (op.mayTrap()) {
            flags.add("traps");
        }
        return flags;
    }

    private static String code(String text) {
        return text.isEmpty() ? "" : "`" + text + "`";
    }

    /** Escapes the characters that would end a Markdown table cell. */
    private static String escape(String text) {
        return text.replace("|", "\\|");
    }

    private static void row(StringBuilder out, String... cells) {
        out.append('|');
        for (String cell : cells) {
            out.append(' ').append(cell).append(" |");
        }
        out.append('\n');
    }
}
