package dev.cella.wasm;

import dev.cella.isa.Opcode;
import dev.cella.isa.OperandKind;
import dev.cella.isa.ValType;
import dev.cella.isa.code.CodeWriter;
import dev.cella.isa.verify.Verifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects the Cella instructions of one function with symbolic labels, allows the translator's
 * peephole rewrites of the last instruction, and encodes the body once every label is known.
 *
 * <p>Operands are held as in {@link dev.cella.isa.code.Instruction}, except that a LABEL operand
 * or LABELS list element holds a label id from {@link #newLabel()} instead of a pc.
 *
 * <p>While {@link #reachable()} is false (Wasm code after br, return, unreachable...) nothing is
 * recorded: the translator still validates such code but it can never run.
 */
final class CodeBuilder {
    private static final class Insn {
        Opcode op;
        long[] operands;
        int[][] lists;

        Insn(Opcode op, long[] operands, int[][] lists) {
            this.op = op;
            this.operands = operands;
            this.lists = lists;
        }
    }

    private final List<Insn> prologue = new ArrayList<>();
    private final List<Insn> body = new ArrayList<>();
    /** For each label, the index in {@link #body} of the instruction it stands before, or -1. */
    private int[] labels = new int[16];
    private int labelCount;
    private boolean reachable = true;
    /**
     * True while the last instruction in body is followed by no label, so that it may be
     * rewritten or dropped; unreachable stretches add nothing and leave it open.
     */
    private boolean lastIsOpen;

    boolean reachable() {
        return reachable;
    }

    void reachable(boolean reachable) {
        this.reachable = reachable;
    }

    int newLabel() {
        if (labelCount == labels.length) {
            labels = Arrays.copyOf(labels, labelCount * 2);
        }
        labels[labelCount] = -1;
        return labelCount++;
    }

    /**
     * Places {@code label} before the next instruction. A branch to the label that would be the
     * last instruction is dropped (it would jump to the next instruction).
     */
    void bind(int label) {
        if (lastIsOpen) {
            Insn last = body.get(body.size() - 1);
            if (last.op == Opcode.BR && last.operands[0] == label) {
                body.remove(body.size() - 1);
            }
        }
        labels[label] = body.size();
        lastIsOpen = false;
    }

    /** Appends an instruction without list operands (lists all null); ignored while unreachable. */
    void emit(Opcode op, long... operands) {
        emit(op, operands, new int[operands.length][]);
    }

    /** Appends an instruction; ignored while unreachable. */
    void emit(Opcode op, long[] operands, int[][] lists) {
        if (!reachable) {
            return;
        }
        body.add(new Insn(op, operands, lists));
        lastIsOpen = true;
    }

    /** Adds an instruction to the prologue, which runs before the body on every call. */
    void prologue(Opcode op, long... operands) {
        prologue.add(new Insn(op, operands, new int[operands.length][]));
    }

    /**
     * The last instruction if it may be rewritten (code is reachable and no label follows it),
     * else null.
     */
    Opcode lastOpcode() {
        return reachable && lastIsOpen ? body.get(body.size() - 1).op : null;
    }

    /**
     * The register the last instruction writes if it may be rewritten and writes exactly one
     * register (its DEF operand, or the single element of a call's result list); else -1.
     */
    int lastDef() {
        if (!reachable || !lastIsOpen) {
            return -1;
        }
        Insn last = body.get(body.size() - 1);
        var kinds = last.op.operands();
        if (!kinds.isEmpty() && kinds.get(0).kind() == OperandKind.DEF) {
            return (int) last.operands[0];
        }
        if (last.op.isCall()) {
            int[] results = last.lists[last.lists.length - 1];
            return results.length == 1 ? results[0] : -1;
        }
        return -1;
    }

    /** Operand {@code i} of the last instruction (precondition: {@link #lastOpcode()} is not null). */
    long lastOperand(int i) {
        return body.get(body.size() - 1).operands[i];
    }

    /** Makes the last instruction write {@code reg} instead of {@link #lastDef()}. */
    void retargetLast(int reg) {
        Insn last = body.get(body.size() - 1);
        if (last.op.isCall()) {
            last.lists[last.lists.length - 1] = new int[] {reg};
        } else {
            last.operands[0] = reg;
        }
    }

    /** Replaces the last instruction (precondition: {@link #lastOpcode()} is not null). */
    void replaceLast(Opcode op, long... operands) {
        body.set(body.size() - 1, new Insn(op, operands, new int[operands.length][]));
    }

    /**
     * Encodes prologue and body.
     *
     * @param offset the Wasm function's offset, for the message if the body is too large
     * @throws WasmException if the encoded body is over the verifier's size limit
     */
    byte[] encode(long offset) {
        threadBranchesToReturns();
        foldMovesIntoReturns();
        List<Insn> all = new ArrayList<>(prologue.size() + body.size());
        all.addAll(prologue);
        all.addAll(body);
        int[] pcs = new int[all.size() + 1];
        long pc = 0;
        for (int i = 0; i < all.size(); i++) {
            pcs[i] = (int) Math.min(pc, Integer.MAX_VALUE);
            pc += size(all.get(i));
            if (pc > Verifier.MAX_CODE_BYTES) {
                throw WasmException.unsupported(offset, "a function whose translation is over "
                        + Verifier.MAX_CODE_BYTES + " bytes (Cella's limit for one function body)");
            }
        }
        pcs[all.size()] = (int) pc;
        int base = prologue.size();
        CodeWriter w = new CodeWriter();
        for (Insn insn : all) {
            long[] ops = insn.operands.clone();
            int[][] lists = insn.lists.clone();
            var kinds = insn.op.operands();
            for (int i = 0; i < ops.length; i++) {
                if (kinds.get(i).kind() == OperandKind.LABEL) {
                    ops[i] = pcs[base + labels[(int) ops[i]]];
                } else if (kinds.get(i).kind() == OperandKind.LABELS) {
                    int[] targets = lists[i].clone();
                    for (int j = 0; j < targets.length; j++) {
                        targets[j] = pcs[base + labels[targets[j]]];
                    }
                    lists[i] = targets;
                }
            }
            w.write(insn.op, ops, lists);
        }
        return w.toByteArray();
    }

    /**
     * Replaces each {@code br} whose target is a {@code ret} by a copy of that {@code ret}: a
     * block or if whose end is the function's end then returns directly, one instruction less.
     */
    private void threadBranchesToReturns() {
        for (int i = 0; i < body.size(); i++) {
            Insn insn = body.get(i);
            if (insn.op == Opcode.BR) {
                int target = labels[(int) insn.operands[0]];
                if (target < body.size() && body.get(target).op == Opcode.RET) {
                    Insn ret = body.get(target);
                    body.set(i, new Insn(Opcode.RET, ret.operands.clone(), new int[][] {ret.lists[0].clone()}));
                }
            }
        }
    }

    /**
     * Drops a {@code mov d, a} right before a {@code ret} that returns d, returning a instead; d
     * is dead after the ret. Not done when a label stands at the ret (another path reaches the ret
     * without the mov); a label at the mov moves to the ret, which now returns what the mov copied.
     */
    private void foldMovesIntoReturns() {
        boolean[] labelled = new boolean[body.size() + 1];
        for (int l = 0; l < labelCount; l++) {
            if (labels[l] >= 0) {
                labelled[labels[l]] = true;
            }
        }
        boolean[] removed = new boolean[body.size()];
        boolean any = false;
        for (int i = 1; i < body.size(); i++) {
            Insn ret = body.get(i);
            if (ret.op != Opcode.RET || labelled[i]) {
                continue;
            }
            for (int j = i - 1; j >= 0 && !labelled[j + 1] && isMov(body.get(j).op); j--) {
                Insn mov = body.get(j);
                int d = (int) mov.operands[0];
                int[] values = ret.lists[0];
                if (Arrays.stream(values).noneMatch(v -> v == d)) {
                    break;
                }
                for (int k = 0; k < values.length; k++) {
                    if (values[k] == d) {
                        values[k] = (int) mov.operands[1];
                    }
                }
                removed[j] = true;
                any = true;
            }
        }
        if (!any) {
            return;
        }
        int[] newIndex = new int[body.size() + 1];
        List<Insn> kept = new ArrayList<>(body.size());
        for (int i = 0; i < body.size(); i++) {
            newIndex[i] = kept.size();
            if (!removed[i]) {
                kept.add(body.get(i));
            }
        }
        newIndex[body.size()] = kept.size();
        for (int l = 0; l < labelCount; l++) {
            if (labels[l] >= 0) {
                labels[l] = newIndex[labels[l]];
            }
        }
        body.clear();
        body.addAll(kept);
    }

    private static boolean isMov(Opcode op) {
        return op == Opcode.I32_MOV || op == Opcode.I64_MOV || op == Opcode.F32_MOV || op == Opcode.F64_MOV;
    }

    /** Encoded size of {@code insn}; labels are 4 bytes whatever their value. */
    private static long size(Insn insn) {
        long n = uleb(insn.op.code);
        var kinds = insn.op.operands();
        for (int i = 0; i < kinds.size(); i++) {
            long v = insn.operands[i];
            n += switch (kinds.get(i).kind()) {
                case DEF, USE, FUNC, TYPE, GLOBAL, TABLE, ELEM, OFFSET -> uleb(v);
                case I32_IMM -> sleb((int) v);
                case I64_IMM -> sleb(v);
                case F32_IMM, LABEL -> 4;
                case F64_IMM -> 8;
                case LABELS -> uleb(insn.lists[i].length) + 4L * insn.lists[i].length;
                case USES, DEFS -> {
                    long s = uleb(insn.lists[i].length);
                    for (int r : insn.lists[i]) {
                        s += uleb(r);
                    }
                    yield s;
                }
            };
        }
        return n;
    }

    private static int uleb(long v) {
        v &= 0xFFFFFFFFL;
        int n = 1;
        while (v >= 0x80) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    private static int sleb(long v) {
        int n = 1;
        while (true) {
            int b = (int) (v & 0x7F);
            v >>= 7;
            if ((v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0)) {
                return n;
            }
            n++;
        }
    }

    /** The const opcode for {@code type}; references are never deferred constants (ref.null and ref.func emit their own). */
    static Opcode constOp(ValType type) {
        return switch (type) {
            case I32 -> Opcode.I32_CONST;
            case I64 -> Opcode.I64_CONST;
            case F32 -> Opcode.F32_CONST;
            case F64 -> Opcode.F64_CONST;
            case FUNCREF, EXTERNREF -> throw new IllegalArgumentException("no constant of type " + type);
            case V128 -> throw new IllegalArgumentException("a v128 constant is never deferred (see SimdTranslator)");
        };
    }

    /** The mov opcode for {@code type}. */
    static Opcode movOp(ValType type) {
        return switch (type) {
            case I32 -> Opcode.I32_MOV;
            case I64 -> Opcode.I64_MOV;
            case F32 -> Opcode.F32_MOV;
            case F64 -> Opcode.F64_MOV;
            case FUNCREF -> Opcode.FUNCREF_MOV;
            case EXTERNREF -> Opcode.EXTERNREF_MOV;
            case V128 -> Opcode.I64_MOV; // the low half; the caller moves the high half too
        };
    }
}
