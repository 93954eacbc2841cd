package dev.cella.isa.verify;

import dev.cella.isa.FormatException;
import dev.cella.isa.Opcode;
import dev.cella.isa.Operand;
import dev.cella.isa.OperandKind;
import dev.cella.isa.V128Op;
import dev.cella.isa.ValType;
import dev.cella.isa.VerifyException;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.code.Instruction;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Global;
import dev.cella.isa.module.Module;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Checks one function body in a single pass: each instruction's operands as it is decoded, then
 * the branch targets, once every instruction start is known.
 *
 * <p>Preconditions (established by {@link Verifier} before it creates one): the module's types,
 * imports, tables, memory and globals are valid, and every defined function's header is (type
 * index in range, parameters first among its registers, body non-empty and within {@link
 * Verifier#MAX_CODE_BYTES}).
 */
final class CodeVerifier {
    /** The mnemonics of the terminators, for the message about falling off the end. */
    private static final String TERMINATORS = Arrays.stream(Opcode.values())
            .filter(Opcode::isTerminator)
            .map(op -> op.mnemonic)
            .collect(Collectors.joining(", "));

    private final Module module;
    private final int function;
    private final String name;
    private final List<ValType> registers;
    private final FuncType type;
    private final byte[] code;

    /** The pcs at which an instruction starts. */
    private final boolean[] starts;
    /** Branch targets to check once all starts are known: (pc of the branch, target) pairs. */
    private long[] targets = new long[32];
    private int targetCount;

    CodeVerifier(Module module, int function, String name) {
        this.module = module;
        this.function = function;
        this.name = name;
        this.registers = module.function(function).registers();
        this.type = module.functionType(function);
        this.code = module.function(function).code();
        this.starts = new boolean[code.length];
    }

    /**
     * Checks the whole body.
     *
     * @throws VerifyException naming this function, the pc of the offending instruction and why
     */
    void verify() {
        CodeReader reader = new CodeReader(code, 0);
        Instruction last = null;
        while (reader.hasNext()) {
            int pc = reader.pc();
            Instruction insn;
            try {
                insn = reader.next();
            } catch (FormatException e) {
                // The offset of a body decoded with base 0 is a byte position in the body.
                throw fail(pc, "malformed instruction: " + e.reason() + " (at byte " + e.offset() + " of the body)");
            }
            starts[pc] = true;
            checkInstruction(insn);
            last = insn;
        }
        // The body is non-empty (checked with the header), so there is a last instruction.
        if (!last.opcode().isTerminator()) {
            throw fail(last.pc(), "control falls off the end of the function after " + last.opcode().mnemonic
                    + "; the last instruction must be one of " + TERMINATORS);
        }
        for (int i = 0; i < targetCount; i += 2) {
            checkTarget((int) targets[i], targets[i + 1]);
        }
    }

    private VerifyException fail(int pc, String reason) {
        return new VerifyException(function, name, pc, reason);
    }

    private void checkInstruction(Instruction insn) {
        Opcode op = insn.opcode();
        int pc = insn.pc();
        if (op.usesMemory() && module.memory() == null) {
            throw fail(pc, op.mnemonic + " needs a memory but the module has none");
        }
        List<Operand> operands = op.operands();
        // The signature that the register lists of this instruction must match: the callee's for
        // a call (set when its func or type operand is checked, which comes before the lists),
        // the function's own for ret.
        FuncType signature = type;
        // Who owns that signature, for messages only (built when something is wrong): the
        // function itself (-1), or the FUNC or TYPE operand's value.
        OperandKind ownerKind = null;
        long owner = -1;
        for (int i = 0; i < operands.size(); i++) {
            Operand operand = operands.get(i);
            long value = insn.operands()[i];
            switch (operand.kind()) {
                case DEF, USE -> checkRegister(pc, (int) value, operand.type(), "operand", i, op);
                case LABEL -> addTarget(pc, value);
                case LABELS -> {
                    for (int target : insn.list(i)) {
                        addTarget(pc, target & 0xFFFFFFFFL);
                    }
                }
                case FUNC -> {
                    checkIndex(pc, value, module.functionCount(), op, "function");
                    signature = module.functionType((int) value);
                    ownerKind = OperandKind.FUNC;
                    owner = value;
                }
                case TYPE -> {
                    checkIndex(pc, value, module.types().size(), op, "type");
                    signature = module.types().get((int) value);
                    ownerKind = OperandKind.TYPE;
                    owner = value;
                }
                case TABLE -> checkTable(insn, i, value);
                case ELEM -> checkIndex(pc, value, module.elements().size(), op, "element segment");
                case GLOBAL -> checkGlobal(insn, value);
                case USES, DEFS -> {
                    if (op == Opcode.THROW || (op == Opcode.RETHROW && i == 1) || (i == 1 && op.isCall() && op.isBranch())) {
                        checkExceptionList(insn, i);
                    } else {
                        checkList(insn, i, signature, ownerKind, owner);
                    }
                }
                case I32_IMM, I64_IMM, F32_IMM, F64_IMM, OFFSET -> {
                    // Every decodable immediate and offset is valid, but for SIMD lane operations (below).
                }
            }
        }
        if (op.isSimd()) {
            checkLaneOperation(insn);
        }
    }

    /** The lane operation and lane index immediates of a SIMD instruction (see {@link V128Op}). */
    private void checkLaneOperation(Instruction insn) {
        Opcode op = insn.opcode();
        V128Op.Shape shape = V128Op.Shape.of(op);
        if (shape == null) {
            if (op == Opcode.V128_SHUFFLE) {
                for (int i = 3; i <= 4; i++) {
                    long lanes = insn.operands()[i];
                    for (int b = 0; b < 8; b++) {
                        if (((lanes >>> (8 * b)) & 0xFF) >= 32) {
                            throw fail(insn.pc(), "v128.shuffle lane index " + ((lanes >>> (8 * b)) & 0xFF)
                                    + " is out of range (0 to 31)");
                        }
                    }
                }
            }
            return;
        }
        int k = 0;
        while (op.operands().get(k).kind() != OperandKind.I32_IMM) {
            k++;
        }
        long code = insn.operands()[k];
        V128Op lane = V128Op.of(code, shape);
        if (lane == null) {
            throw fail(insn.pc(), op.mnemonic + " names lane operation " + code + ", which is not a "
                    + shape.name().toLowerCase(java.util.Locale.ROOT) + " operation (see V128Op)");
        }
        if (lane.lanes > 0 && (insn.operands()[k + 1] < 0 || insn.operands()[k + 1] >= lane.lanes)) {
            throw fail(insn.pc(), lane.mnemonic + " lane index " + insn.operands()[k + 1] + " is out of range (0 to "
                    + (lane.lanes - 1) + ")");
        }
    }

    /** Names the owner of a signature in a message: see {@link #checkInstruction}. */
    private String signatureOwner(FuncType signature, OperandKind ownerKind, long owner) {
        if (ownerKind == OperandKind.FUNC) {
            return "function " + owner + " of type " + signature;
        }
        if (ownerKind == OperandKind.TYPE) {
            return "type " + owner + " " + signature;
        }
        return "the function's type " + type;
    }

    /**
     * A register operand: in range and of type {@code expected}. The message calls it
     * {@code role index of mnemonic} ("operand 2 of i32.add", "argument 0 of call"); it is built
     * only when the check fails, since this runs for every operand of every instruction.
     */
    private void checkRegister(int pc, int register, ValType expected, String role, int index, Opcode op) {
        if (expected == ValType.V128) {
            // A v128 operand is the pair r, r+1 of i64 registers (see Opcode).
            if (register >= registers.size()) {
                checkRegister(pc, register, ValType.I64, role, index, op); // reports it out of range
            }
            if (register + 1 < registers.size() && registers.get(register) == ValType.I64
                    && registers.get(register + 1) == ValType.I64) {
                return;
            }
            throw fail(pc, role + " " + index + " of " + op.mnemonic + " is register " + registerName(register)
                    + ", but v128 is required: a v128 operand names two consecutive i64 registers, and "
                    + pairProblem(register));
        }
        if (register < registers.size() && registers.get(register) == expected) {
            return;
        }
        String what = role + " " + index + " of " + op.mnemonic;
        if (register >= registers.size()) {
            throw fail(pc, what + " is register r" + register + ", out of range (the function has "
                    + Verifier.count(registers.size(), "register") + ")");
        }
        ValType actual = registers.get(register);
        if (actual != expected) {
            throw fail(pc, what + " is register " + registerName(register) + " of type " + actual + ", but "
                    + expected + " is required");
        }
    }

    /** Why registers r, r+1 are not a v128 pair. */
    private String pairProblem(int register) {
        for (int r = register; r <= register + 1; r++) {
            if (r >= registers.size()) {
                return "r" + r + " is out of range (the function has " + Verifier.count(registers.size(), "register")
                        + ")";
            }
            if (registers.get(r) != ValType.I64) {
                return registerName(r) + " has type " + registers.get(r);
            }
        }
        throw new IllegalStateException("r" + register + " and r" + (register + 1) + " are a v128 pair");
    }

    /** {@code r3}, or {@code r3 (x)} if the names section gives register 3 a name. */
    private String registerName(int register) {
        var names = module.names().registers().get(function);
        String stored = names == null ? null : names.get(register);
        return stored == null ? "r" + register : "r" + register + " (" + stored + ")";
    }

    private void checkIndex(int pc, long index, int size, Opcode op, String noun) {
        if (index >= size) {
            throw fail(pc, op.mnemonic + " names " + noun + " " + index + ", out of range (the module has "
                    + Verifier.count(size, noun) + ")");
        }
    }

    /**
     * A global operand: its index in range and its type equal to that of the opcode's one
     * register operand; if that register is read (global.set) the global must be mutable.
     */
    private void checkGlobal(Instruction insn, long index) {
        Opcode op = insn.opcode();
        int pc = insn.pc();
        checkIndex(pc, index, module.globals().size(), op, "global");
        Global global = module.globals().get((int) index);
        // global_get is "=T global", global_set "global T": the register is the other operand.
        List<Operand> operands = op.operands();
        Operand register = operands.get(0).kind().isRegister() ? operands.get(0) : operands.get(1);
        if (global.type() != register.type()) {
            throw fail(pc, op.mnemonic + " needs a global of type " + register.type() + " but global "
                    + globalName((int) index) + " has type " + global.type());
        }
        if (register.kind() == OperandKind.USE && !global.mutable()) {
            throw fail(pc, op.mnemonic + " writes global " + globalName((int) index) + ", which is immutable");
        }
    }

    /**
     * A table operand: in range, and holding what the instruction moves: the type of its
     * reference register if it has one, funcref for call_indirect and table.init (segments hold
     * functions, or only nulls for another table), the first table's type for table.copy's second.
     */
    private void checkTable(Instruction insn, int operand, long index) {
        Opcode op = insn.opcode();
        int pc = insn.pc();
        checkIndex(pc, index, module.tables().size(), op, "table");
        ValType actual = module.tableType((int) index);
        ValType expected = null;
        for (Operand o : op.operands()) {
            if (o.kind().isRegister() && o.type().isReference()) {
                expected = o.type();
            }
        }
        if (op == Opcode.CALL_INDIRECT) {
            expected = ValType.FUNCREF;
        } else if (op == Opcode.TABLE_COPY && operand == 1) {
            expected = module.tableType((int) insn.operands()[0]);
        } else if (op == Opcode.TABLE_INIT) {
            long segment = insn.operands()[1];
            if (segment < module.elements().size() && !Verifier.fits(module.elements().get((int) segment), actual)) {
                throw fail(pc, op.mnemonic + " copies functions of element segment " + segment + " into table " + index
                        + ", which holds " + actual);
            }
        }
        if (expected != null && expected != actual) {
            throw fail(pc, op.mnemonic + " needs a table of " + expected + " but table " + index + " holds " + actual);
        }
    }

    /** {@code g2}, or {@code g2 (x)} if the names section gives global 2 a name. */
    private String globalName(int index) {
        String stored = module.names().globals().get(index);
        return stored == null ? "g" + index : "g" + index + " (" + stored + ")";
    }

    /**
     * A register list: for a call, the registers read are the arguments (the signature's
     * parameters) and those written the results; a list read by a non-call instruction (ret) is
     * returned to the caller, so it matches the function's own results.
     */
    private void checkList(Instruction insn, int operand, FuncType signature, OperandKind ownerKind, long owner) {
        Opcode op = insn.opcode();
        int pc = insn.pc();
        boolean reads = insn.kind(operand) == OperandKind.USES;
        List<ValType> expected = op.isCall() && reads ? signature.params() : signature.results();
        String noun = !op.isCall() ? "return value" : reads ? "argument" : "result";
        int[] list = insn.list(operand);
        if (list.length != expected.size()) {
            throw fail(pc, op.mnemonic + " lists " + Verifier.count(list.length, noun) + " but "
                    + signatureOwner(signature, ownerKind, owner)
                    + " has " + Verifier.count(expected.size(), op.isCall() && reads ? "parameter" : "result"));
        }
        for (int j = 0; j < list.length; j++) {
            checkRegister(pc, list[j], expected.get(j), noun, j, op);
            // Each result register is written once, so no engine has to define an order of writes.
            for (int k = 0; !reads && k < j; k++) {
                if (list[k] == list[j]) {
                    throw fail(pc, op.mnemonic + " writes register " + list[j] + " twice (results " + k + " and " + j + ")");
                }
            }
        }
    }

    /**
     * The payload list of throw and rethrow (i64 registers read) or the exn list of the call_catch family
     * (an i32 register for the tag, then i64 registers for the payload, all distinct).
     */
    private void checkExceptionList(Instruction insn, int operand) {
        Opcode op = insn.opcode();
        int pc = insn.pc();
        int[] list = insn.list(operand);
        boolean reads = op == Opcode.THROW || op == Opcode.RETHROW;
        if (!reads && list.length == 0) {
            throw fail(pc, op.mnemonic + " needs at least a tag register in its exception list");
        }
        if (list.length > MAX_PAYLOAD + (reads ? 0 : 1)) {
            throw fail(pc, op.mnemonic + " lists " + Verifier.count(list.length, "payload register")
                    + ", more than " + MAX_PAYLOAD);
        }
        for (int j = 0; j < list.length; j++) {
            boolean tag = !reads && j == 0;
            checkRegister(pc, list[j], tag ? ValType.I32 : ValType.I64, tag ? "tag register" : "payload register", j, op);
            for (int k = 0; !reads && k < j; k++) {
                if (list[k] == list[j]) {
                    throw fail(pc, op.mnemonic + " writes register " + list[j] + " twice (exception registers " + k
                            + " and " + j + ")");
                }
            }
        }
    }

    /** Most payload values an exception may carry (Wasm tags have at most 1000 parameters). */
    static final int MAX_PAYLOAD = 1000;

    private void addTarget(int pc, long target) {
        if (targetCount == targets.length) {
            targets = Arrays.copyOf(targets, targets.length * 2);
        }
        targets[targetCount++] = pc;
        targets[targetCount++] = target;
    }

    private void checkTarget(int pc, long target) {
        if (target >= code.length) {
            throw fail(pc, "branch target " + target + " is outside the function body ("
                    + Verifier.count(code.length, "byte") + ")");
        }
        if (!starts[(int) target]) {
            throw fail(pc, "branch target " + target + " is not the start of an instruction");
        }
    }
}
