package dev.cella.isa.text;

import dev.cella.isa.OperandKind;
import dev.cella.isa.ValType;
import dev.cella.isa.code.CodeWriter;
import dev.cella.isa.text.Syntax.Arg;
import dev.cella.isa.text.Syntax.ArgList;
import dev.cella.isa.text.Syntax.BodyItem;
import dev.cella.isa.text.Syntax.FuncStmt;
import dev.cella.isa.text.Syntax.Imm;
import dev.cella.isa.text.Syntax.Insn;
import dev.cella.isa.text.Syntax.LabelDef;
import dev.cella.isa.text.Syntax.Name;
import dev.cella.isa.text.Syntax.Ref;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Encodes one function body: resolves register, label, function, type, global and table names
 * and writes the instructions with a {@link CodeWriter}.
 *
 * <p>Labels are resolved in two passes. Every label operand is a fixed 4 bytes, so the first pass
 * (with labels left as 0) already gives every instruction and label its final pc; the second pass
 * writes the body again with the targets filled in.
 */
final class BodyAssembler {
    private final FuncStmt func;
    private final Scope functions;
    private final Scope types;
    private final Scope globals;
    private final Scope tables;
    private final Scope registers;
    private final Scope labels;
    private final List<ValType> registerTypes = new ArrayList<>();

    /** An instruction with every operand resolved except its labels. */
    private record Resolved(Insn insn, long[] operands, int[][] lists) {}

    /**
     * Declares the function's registers (parameters first, then {@code reg} declarations).
     *
     * @throws AssemblyException on a duplicate register name
     */
    BodyAssembler(String file, FuncStmt func, Scope functions, Scope types, Scope globals, Scope tables) {
        this.func = func;
        this.functions = functions;
        this.types = types;
        this.globals = globals;
        this.tables = tables;
        this.registers = new Scope(file, "register", "r");
        this.labels = new Scope(file, "label", null);
        // A v128 parameter is two i64 registers; its name is the first's, the second keeps its default.
        List<Name> paramNames = func.sig().paramNames();
        List<ValType> params = func.sig().params();
        for (int i = 0; i < params.size(); i++) {
            registers.declare(paramNames.get(i), registerTypes.size());
            registerTypes.add(params.get(i) == ValType.V128 ? ValType.I64 : params.get(i));
            if (params.get(i) == ValType.V128) {
                registerTypes.add(ValType.I64);
            }
        }
        for (int i = 0; i < func.regNames().size(); i++) {
            registers.declare(func.regNames().get(i), registerTypes.size());
            registerTypes.add(func.regTypes().get(i));
        }
    }

    /** The type of every register, parameters first. */
    List<ValType> registerTypes() {
        return registerTypes;
    }

    /** Register names that differ from the defaults, by register index. */
    Map<Integer, String> registerNames() {
        return registers.storedNames();
    }

    /**
     * Returns the encoded body.
     *
     * @throws AssemblyException on an undefined name or a duplicate label
     */
    byte[] assemble() {
        CodeWriter layout = new CodeWriter();
        List<Resolved> insns = new ArrayList<>();
        for (BodyItem item : func.body()) {
            switch (item) {
                case LabelDef l -> labels.declare(l.name(), layout.pc());
                case Insn i -> {
                    Resolved r = resolve(i);
                    insns.add(r);
                    layout.write(i.opcode(), r.operands(), r.lists());
                }
            }
        }
        CodeWriter out = new CodeWriter();
        for (Resolved r : insns) {
            resolveLabels(r);
            out.write(r.insn().opcode(), r.operands(), r.lists());
        }
        return out.toByteArray();
    }

    /** Resolves every operand but labels, which are left as 0 (label lists get their length). */
    private Resolved resolve(Insn insn) {
        var kinds = insn.opcode().operands();
        long[] operands = new long[kinds.size()];
        int[][] lists = new int[kinds.size()][];
        for (int i = 0; i < operands.length; i++) {
            Arg arg = insn.args().get(i);
            operands[i] = switch (kinds.get(i).kind()) {
                case DEF, USE -> registers.resolve(name(arg));
                case FUNC -> functions.resolve(name(arg));
                case TYPE -> types.resolve(name(arg));
                case GLOBAL -> globals.resolve(name(arg));
                case TABLE -> tables.resolve(name(arg));
                case I32_IMM, I64_IMM, F32_IMM, F64_IMM, OFFSET, ELEM -> ((Imm) arg).bits();
                case LABEL -> 0;
                case LABELS -> {
                    lists[i] = new int[((ArgList) arg).items().size()];
                    yield lists[i].length;
                }
                case USES, DEFS -> {
                    List<Arg> items = ((ArgList) arg).items();
                    lists[i] = new int[items.size()];
                    for (int j = 0; j < items.size(); j++) {
                        lists[i][j] = registers.resolve(name(items.get(j)));
                    }
                    yield items.size();
                }
            };
        }
        return new Resolved(insn, operands, lists);
    }

    private void resolveLabels(Resolved r) {
        var kinds = r.insn().opcode().operands();
        for (int i = 0; i < kinds.size(); i++) {
            Arg arg = r.insn().args().get(i);
            if (kinds.get(i).kind() == OperandKind.LABEL) {
                r.operands()[i] = target(arg);
            } else if (kinds.get(i).kind() == OperandKind.LABELS) {
                List<Arg> items = ((ArgList) arg).items();
                for (int j = 0; j < items.size(); j++) {
                    r.lists()[i][j] = (int) target(items.get(j));
                }
            }
        }
    }

    /** A label's pc: a named label's position, or a pc written as a number. */
    private long target(Arg arg) {
        return switch (arg) {
            case Imm imm -> imm.bits();
            case Ref ref -> labels.resolve(ref.name()) & 0xFFFFFFFFL;
            case ArgList list -> throw new IllegalStateException("label list where a label was parsed");
        };
    }

    /** The name of a reference operand; the parser only puts a {@link Ref} where a name belongs. */
    private static Name name(Arg arg) {
        return ((Ref) arg).name();
    }
}
