package dev.cella.wasm;

import dev.cella.isa.Opcode;
import dev.cella.isa.Operand;
import dev.cella.isa.OperandKind;
import dev.cella.isa.ValType;
import dev.cella.isa.code.CodeReader;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Function;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes, validates and translates one Wasm function body into a Cella function, in a single
 * pass. Wasm locals become the first registers (parameters first); operand stack values live in
 * slot registers or are deferred (see {@link OperandStack}); control flow is handled by {@link
 * ControlTranslator}. This class handles everything else: locals, globals, memory, calls,
 * constants and the numeric instructions, which map one to one (see {@link WasmOpcodes}).
 *
 * <p>Two rewrites keep the code close to hand-written Cella: an instruction whose result goes
 * straight into a local ({@code local.set}/{@code local.tee}) writes the local's register
 * directly, and a {@code local.get} costs nothing until the value is used.
 */
final class BodyTranslator extends ExceptionTranslator {
    /**
     * The deepest operand stack and control nesting accepted. They bound the translator's own
     * memory: a body of a few megabytes of constants or blocks could otherwise make it allocate
     * hundreds of megabytes. A Cella function cannot have more registers than this anyway.
     */
    static final int MAX_DEPTH = CodeReader.MAX_REGISTERS;

    private final ModuleContext context;
    private final SimdTranslator simd = new SimdTranslator(this);

    private BodyTranslator(WasmModule module, ModuleContext context, WasmInput in, Registers regs) {
        super(module, in, regs);
        this.context = context;
    }

    /**
     * Translates defined function {@code function} (a Wasm function index) of {@code module}.
     *
     * @param in the module's input; its position and limit are changed
     * @return the Cella function and its register types
     * @throws WasmException if the body is malformed, invalid or uses an unsupported feature
     */
    static Function translate(WasmModule module, ModuleContext context, WasmInput in, int function) {
        WasmModule.Body body = module.bodies.get(function - module.importedFunctions);
        in.limit(body.end());
        in.position(body.start());
        FuncType type = module.functionType(function);
        List<ValType> locals = new ArrayList<>(type.params());
        readLocals(in, locals, body.start());
        BodyTranslator t = new BodyTranslator(module, context, in, new Registers(locals, body.start()));
        byte[] code = t.run(type, body);
        return new Function(context.cellaType(type), t.regs.types(), code);
    }

    private static void readLocals(WasmInput in, List<ValType> locals, long bodyOffset) {
        int groups = in.count(2);
        long total = 0;
        int params = locals.size();
        int groupsStart = in.position();
        // First pass: the count only, so that a huge declaration is rejected before allocating.
        for (int g = 0; g < groups; g++) {
            total += in.u32();
            in.u8();
            if (total > 0xFFFFFFFFL) {
                throw in.malformed("too many locals");
            }
        }
        if (params + total > CodeReader.MAX_REGISTERS) {
            throw WasmException.unsupported(bodyOffset, "a function with " + (params + total) + " locals (Cella"
                    + " functions have at most " + CodeReader.MAX_REGISTERS + " registers)");
        }
        in.position(groupsStart);
        for (int g = 0; g < groups; g++) {
            long n = in.u32();
            ValType t = WasmReader.valType(in);
            for (long i = 0; i < n; i++) {
                locals.add(t);
            }
        }
    }

    private byte[] run(FuncType type, WasmModule.Body body) {
        at = in.position();
        enterFunction(type);
        while (!step()) {
            if (stack.size() > MAX_DEPTH || frames.size() > MAX_DEPTH) {
                throw WasmException.unsupported(at, "a function whose operand stack or block nesting is deeper than "
                        + MAX_DEPTH);
            }
        }
        if (in.position() != body.end()) {
            throw WasmException.malformed(in.position(), "section size mismatch: the function body continues after"
                    + " its final end");
        }
        emitPads();
        for (long[] load : regs.constantLoads()) {
            ValType t = ValType.values()[(int) load[1]];
            code.prologue(CodeBuilder.constOp(t), load[0], load[2]);
        }
        return code.encode(body.start());
    }

    /** Translates one instruction; returns true after the function's final end. */
    private boolean step() {
        at = in.position();
        int op = in.u8();
        switch (op) {
            case 0x00 -> {
                code.emit(Opcode.UNREACHABLE);
                setUnreachable();
            }
            case 0x01 -> {
                // nop: nothing to emit
            }
            case 0x02 -> block();
            case 0x03 -> loop();
            case 0x04 -> ifBlock();
            case 0x05 -> elseBlock();
            case 0x0B -> {
                return end();
            }
            case 0x0C -> br();
            case 0x0D -> brIf();
            case 0x0E -> brTable();
            case 0x0F -> returnFromFunction();
            case 0x06 -> tryBlock();
            case 0x07 -> catchClause(false);
            case 0x08 -> throwTag();
            case 0x09 -> rethrow();
            case 0x10 -> call();
            case 0x11 -> callIndirect();
            case 0x18 -> delegate();
            case 0x19 -> catchClause(true);
            case 0x1F -> tryTable();
            case 0x1A -> {
                check(0, null);
                popN(1);
            }
            case 0x1B -> select(null);
            case 0x1C -> typedSelect();
            case 0x20 -> {
                int x = localIndex();
                stack.pushLocal(regs.localType(x), regs.localRegister(x));
            }
            case 0x21 -> localSet(false);
            case 0x22 -> localSet(true);
            case 0x23 -> globalGet();
            case 0x24 -> globalSet();
            case 0x3F -> memorySize();
            case 0x40 -> memoryGrow();
            case 0x41 -> stack.pushConst(ValType.I32, in.s32());
            case 0x42 -> stack.pushConst(ValType.I64, in.s64());
            case 0x43 -> stack.pushConst(ValType.F32, in.fixed32() & 0xFFFFFFFFL);
            case 0x44 -> stack.pushConst(ValType.F64, in.fixed64());
            case 0xFC -> prefixed();
            case 0x25 -> tableGet();
            case 0x26 -> tableSet();
            case 0xD0 -> {
                ValType t = WasmReader.heapType(in);
                code.emit(t == ValType.FUNCREF ? Opcode.FUNCREF_NULL : Opcode.EXTERNREF_NULL, pushResult(t));
            }
            case 0xD1 -> refIsNull();
            case 0xD2 -> refFunc();
            case 0xFD -> simd.translate();
            default -> other(op);
        }
        return false;
    }

    /** Loads, stores, numeric instructions, and everything unsupported or unknown. */
    private void other(int op) {
        Opcode memory = WasmOpcodes.memory(op);
        if (memory != null) {
            memoryAccess(op, memory);
            return;
        }
        Opcode numeric = WasmOpcodes.numeric(op);
        if (numeric != null) {
            simple(numeric);
            return;
        }
        String feature = switch (op) {
            case 0x0A -> "exception handling (exnref: throw_ref)";
            case 0x12, 0x13 -> "tail calls";
            case 0x14, 0x15, 0xD3, 0xD4, 0xD5, 0xD6 -> "typed function references";
            case 0xFB -> "GC";
            case 0xFE -> "threads (atomic instructions)";
            default -> null;
        };
        if (feature != null) {
            throw WasmException.unsupported(at, feature + " (opcode 0x" + Integer.toHexString(op) + ")");
        }
        throw WasmException.malformed(at, "illegal opcode 0x" + Integer.toHexString(op));
    }

    /**
     * A numeric instruction whose Cella opcode takes one written register then one or two read
     * registers: the reads are popped (last operand on top) and the result pushed.
     */
    private void simple(Opcode op) {
        List<Operand> ops = op.operands();
        ValType result = ops.get(0).type();
        if (ops.size() == 3) {
            int b = operand(0, ops.get(2).type());
            int a = operand(1, ops.get(1).type());
            popN(2);
            code.emit(op, pushResult(result), a, b);
        } else {
            int a = operand(0, ops.get(1).type());
            popN(1);
            code.emit(op, pushResult(result), a);
        }
    }

    private int localIndex() {
        int indexAt = in.position();
        long x = in.u32();
        if (x >= regs.wasmLocals()) {
            throw WasmException.invalid(indexAt, "unknown local " + x);
        }
        return (int) x;
    }

    /**
     * local.set or local.tee: the value goes straight into the local's register. Deferred reads
     * of the local still on the stack are copied out first, since they mean its old value.
     */
    private void localSet(boolean tee) {
        int wasmLocal = localIndex();
        ValType t = regs.localType(wasmLocal);
        int x = regs.localRegister(wasmLocal);
        int i = check(0, t);
        if (i >= 0 && code.reachable()) {
            boolean same = stack.kind(i) == OperandStack.LOCAL && stack.reg(i) == x;
            if (!same) {
                boolean pending = stack.localRefs(x) > 0;
                if (pending) {
                    spillLocal(x, i);
                }
                // (Not for a v128, which the last instruction may have written only half of.)
                if (stack.kind(i) == OperandStack.REG && !pending && code.lastDef() == stack.reg(i)
                        && t != ValType.V128) {
                    // The value was just computed into its slot: compute it into the local instead.
                    code.retargetLast(x);
                } else {
                    moveEntry(i, x);
                }
            }
        }
        popN(1);
        if (tee) {
            stack.pushLocal(t, x);
        }
    }

    /** Reads a global index; Cella globals keep Wasm's global indices (bound imports first). */
    private int global(boolean write) {
        int indexAt = in.position();
        long g = in.u32();
        if (g >= module.globals.size()) {
            throw WasmException.invalid(indexAt, "unknown global " + g);
        }
        if (write && !module.globals.get((int) g).type().mutable()) {
            throw WasmException.invalid(indexAt, "global is immutable: global.set of global " + g);
        }
        return (int) g;
    }

    private void globalGet() {
        int g = global(false);
        ValType t = module.globals.get(g).type().type();
        Opcode op = switch (t) {
            case I32 -> Opcode.I32_GLOBAL_GET;
            case I64 -> Opcode.I64_GLOBAL_GET;
            case F32 -> Opcode.F32_GLOBAL_GET;
            case F64 -> Opcode.F64_GLOBAL_GET;
            case FUNCREF -> Opcode.FUNCREF_GLOBAL_GET;
            case EXTERNREF -> Opcode.EXTERNREF_GLOBAL_GET;
            case V128 -> Opcode.I64_GLOBAL_GET;
        };
        int d = pushResult(t);
        code.emit(op, d, g);
        if (t == ValType.V128) {
            code.emit(op, d + 1, context.highGlobal(g));
        }
    }

    private void globalSet() {
        int g = global(true);
        ValType t = module.globals.get(g).type().type();
        int v = operand(0, t);
        popN(1);
        Opcode op = switch (t) {
            case I32 -> Opcode.I32_GLOBAL_SET;
            case I64 -> Opcode.I64_GLOBAL_SET;
            case F32 -> Opcode.F32_GLOBAL_SET;
            case F64 -> Opcode.F64_GLOBAL_SET;
            case FUNCREF -> Opcode.FUNCREF_GLOBAL_SET;
            case EXTERNREF -> Opcode.EXTERNREF_GLOBAL_SET;
            case V128 -> Opcode.I64_GLOBAL_SET;
        };
        code.emit(op, g, v);
        if (t == ValType.V128) {
            code.emit(op, context.highGlobal(g), v + 1);
        }
    }

    void requireMemory() {
        if (module.memory == null) {
            throw invalid("unknown memory 0");
        }
    }

    /** The reserved memory index byte of memory.size, memory.grow, memory.copy and memory.fill. */
    private void memoryByte() {
        int byteAt = in.position();
        int b = in.u8();
        if (b != 0) {
            throw WasmException.malformed(byteAt, "zero byte expected (multi-memory is not supported)");
        }
    }

    private void memoryAccess(int wasmOp, Opcode op) {
        int alignAt = in.position();
        long align = in.u32();
        long offset = in.u32();
        if ((align & 0x40) != 0) {
            throw WasmException.unsupported(alignAt, "multi-memory (memory index in a memory argument)");
        }
        requireMemory();
        if (align > WasmOpcodes.naturalAlignment(wasmOp)) {
            throw WasmException.invalid(alignAt, "alignment must not be larger than natural (2^" + align + " for "
                    + op.mnemonic + ")");
        }
        List<Operand> ops = op.operands();
        if (ops.get(0).kind() == OperandKind.DEF) {
            int address = operand(0, ValType.I32);
            popN(1);
            code.emit(op, pushResult(ops.get(0).type()), address, offset);
        } else {
            int value = operand(0, ops.get(2).type());
            int address = operand(1, ValType.I32);
            popN(2);
            code.emit(op, address, offset, value);
        }
    }

    private void memorySize() {
        memoryByte();
        requireMemory();
        code.emit(Opcode.MEMORY_SIZE, pushResult(ValType.I32));
    }

    private void memoryGrow() {
        memoryByte();
        requireMemory();
        int delta = operand(0, ValType.I32);
        popN(1);
        code.emit(Opcode.MEMORY_GROW, pushResult(ValType.I32), delta);
    }

    private void select(ValType declared) {
        check(0, ValType.I32);
        ValType t = declared;
        if (t == null) {
            int ib = check(1, null);
            int ia = check(2, null);
            ValType tb = ib < 0 ? null : stack.type(ib);
            ValType ta = ia < 0 ? null : stack.type(ia);
            if (ta != null && tb != null && ta != tb) {
                throw invalid("type mismatch: select of " + ta + " and " + tb);
            }
            t = ta != null ? ta : tb;
        }
        if (t == null) {
            // Both operands unknown: only possible in unreachable code.
            popN(3);
            stack.pushUnknown();
            return;
        }
        if (declared == null && t.isReference()) {
            throw invalid("type mismatch: select without a type of " + t + " operands");
        }
        int c = operand(0, ValType.I32);
        int b = operand(1, t);
        int a = operand(2, t);
        popN(3);
        Opcode op = switch (t) {
            case I32 -> Opcode.I32_SELECT;
            case I64 -> Opcode.I64_SELECT;
            case F32 -> Opcode.F32_SELECT;
            case F64 -> Opcode.F64_SELECT;
            case FUNCREF -> Opcode.FUNCREF_SELECT;
            case EXTERNREF -> Opcode.EXTERNREF_SELECT;
            case V128 -> Opcode.I64_SELECT;
        };
        int d = pushResult(t);
        code.emit(op, d, a, b, c);
        if (t == ValType.V128) {
            code.emit(op, d + 1, a + 1, b + 1, c);
        }
    }

    private void typedSelect() {
        int countAt = in.position();
        int n = in.count(1);
        if (n != 1) {
            throw WasmException.invalid(countAt, "invalid result arity: typed select with " + n + " types");
        }
        select(WasmReader.valType(in));
    }

    private void call() {
        int indexAt = in.position();
        long f = in.u32();
        if (f >= module.functionCount()) {
            throw WasmException.invalid(indexAt, "unknown function " + f);
        }
        FuncType type = module.functionType((int) f);
        int[] args = pairs(valueRegisters(type.params(), true), type.params());
        popN(type.params().size());
        int[] results = pushResults(type.results());
        emitCall(Opcode.CALL, new long[] {f, args.length, results.length}, new int[][] {null, args, results});
    }

    /** Pushes values of {@code types} computed into their slots; returns their registers (see {@link #pairs}). */
    private int[] pushResults(List<ValType> types) {
        int[] results = new int[types.size()];
        for (int i = 0; i < results.length; i++) {
            results[i] = pushResult(types.get(i));
        }
        return pairs(results, types);
    }

    private void callIndirect() {
        int typeAt = in.position();
        long typeIndex = in.u32();
        if (typeIndex >= module.types.size()) {
            throw WasmException.invalid(typeAt, "unknown type " + typeIndex);
        }
        int tableAt = in.position();
        long table = in.u32();
        if (table >= module.tables.size()) {
            throw WasmException.invalid(tableAt, "unknown table " + table);
        }
        if (module.tableTypes.get((int) table) != ValType.FUNCREF) {
            throw WasmException.invalid(tableAt, "type mismatch: call_indirect through table " + table + " of "
                    + module.tableTypes.get((int) table));
        }
        FuncType type = module.types.get((int) typeIndex);
        int index = operand(0, ValType.I32);
        int[] args = pairs(valueRegisters(type.params(), true, 1), type.params());
        popN(type.params().size() + 1);
        int[] results = pushResults(type.results());
        emitCall(Opcode.CALL_INDIRECT, new long[] {context.cellaType(type), table, index, args.length, results.length},
                new int[][] {null, null, null, args, results});
    }

    /** The 0xFC prefix: saturating conversions and bulk memory. */
    private void prefixed() {
        long sub = in.u32();
        Opcode saturating = WasmOpcodes.saturating(sub);
        if (saturating != null) {
            simple(saturating);
            return;
        }
        switch ((int) Math.min(sub, 99)) {
            case 8 -> memoryInit();
            case 9 -> dataDrop();
            case 10 -> {
                memoryByte();
                memoryByte();
                requireMemory();
                threeI32(Opcode.MEMORY_COPY);
            }
            case 11 -> {
                memoryByte();
                requireMemory();
                threeI32(Opcode.MEMORY_FILL);
            }
            case 12 -> {
                int segment = elemSegment();
                int table = table();
                if (module.elements.get(segment).type() != module.tableTypes.get(table)) {
                    throw invalid("type mismatch: table.init of a segment of " + module.elements.get(segment).type()
                            + " into table " + table + " of " + module.tableTypes.get(table));
                }
                int n = operand(0, ValType.I32);
                int s = operand(1, ValType.I32);
                int d = operand(2, ValType.I32);
                popN(3);
                code.emit(Opcode.TABLE_INIT, table, segment, d, s, n);
            }
            case 13 -> code.emit(Opcode.ELEM_DROP, elemSegment());
            case 14 -> {
                int to = table();
                int from = table();
                if (module.tableTypes.get(to) != module.tableTypes.get(from)) {
                    throw invalid("type mismatch: table.copy from table " + from + " of " + module.tableTypes.get(from)
                            + " to table " + to + " of " + module.tableTypes.get(to));
                }
                int n = operand(0, ValType.I32);
                int s = operand(1, ValType.I32);
                int d = operand(2, ValType.I32);
                popN(3);
                code.emit(Opcode.TABLE_COPY, to, from, d, s, n);
            }
            case 15 -> {
                int table = table();
                ValType t = module.tableTypes.get(table);
                int n = operand(0, ValType.I32);
                int v = operand(1, t);
                popN(2);
                code.emit(t == ValType.FUNCREF ? Opcode.FUNCREF_TABLE_GROW : Opcode.EXTERNREF_TABLE_GROW,
                        pushResult(ValType.I32), table, v, n);
            }
            case 16 -> code.emit(Opcode.TABLE_SIZE, pushResult(ValType.I32), table());
            case 17 -> {
                int table = table();
                ValType t = module.tableTypes.get(table);
                int n = operand(0, ValType.I32);
                int v = operand(1, t);
                int d = operand(2, ValType.I32);
                popN(3);
                code.emit(t == ValType.FUNCREF ? Opcode.FUNCREF_TABLE_FILL : Opcode.EXTERNREF_TABLE_FILL, table, d, v, n);
            }
            default -> throw WasmException.malformed(at, "illegal opcode 0xfc " + sub);
        }
    }

    /** Reads a table index and checks that the table exists. */
    private int table() {
        int tableAt = in.position();
        long table = in.u32();
        if (table >= module.tables.size()) {
            throw WasmException.invalid(tableAt, "unknown table " + table);
        }
        return (int) table;
    }

    /** Reads an element segment index and checks that the segment exists. */
    private int elemSegment() {
        int segAt = in.position();
        long seg = in.u32();
        if (seg >= module.elements.size()) {
            throw WasmException.invalid(segAt, "unknown elem segment " + seg);
        }
        return (int) seg;
    }

    private void tableGet() {
        int table = table();
        ValType t = module.tableTypes.get(table);
        int i = operand(0, ValType.I32);
        popN(1);
        code.emit(t == ValType.FUNCREF ? Opcode.FUNCREF_TABLE_GET : Opcode.EXTERNREF_TABLE_GET, pushResult(t), table, i);
    }

    private void tableSet() {
        int table = table();
        ValType t = module.tableTypes.get(table);
        int v = operand(0, t);
        int i = operand(1, ValType.I32);
        popN(2);
        code.emit(t == ValType.FUNCREF ? Opcode.FUNCREF_TABLE_SET : Opcode.EXTERNREF_TABLE_SET, table, i, v);
    }

    /** ref.is_null: the operand may be either reference type (funcref if unknown, in unreachable code). */
    private void refIsNull() {
        int i = check(0, null);
        ValType t = i < 0 ? null : stack.type(i);
        if (t != null && !t.isReference()) {
            throw invalid("type mismatch: ref.is_null of " + t);
        }
        t = t == null ? ValType.FUNCREF : t;
        int a = operand(0, t);
        popN(1);
        code.emit(t == ValType.FUNCREF ? Opcode.FUNCREF_IS_NULL : Opcode.EXTERNREF_IS_NULL, pushResult(ValType.I32), a);
    }

    /** ref.func: the function must be declared outside function bodies (an element segment, an export, a global). */
    private void refFunc() {
        int indexAt = in.position();
        long f = in.u32();
        if (f >= module.functionCount()) {
            throw WasmException.invalid(indexAt, "unknown function " + f);
        }
        if (!module.declaredFunctions.contains((int) f)) {
            throw WasmException.invalid(indexAt, "undeclared function reference " + f);
        }
        code.emit(Opcode.REF_FUNC, pushResult(ValType.FUNCREF), f);
    }

    /** Pops three i32 operands (a, b, c with c on top) and emits {@code op a, b, c}. */
    private void threeI32(Opcode op) {
        int c = operand(0, ValType.I32);
        int b = operand(1, ValType.I32);
        int a = operand(2, ValType.I32);
        popN(3);
        code.emit(op, a, b, c);
    }

    private int dataSegment() {
        int segAt = in.position();
        long seg = in.u32();
        if (module.dataCount < 0) {
            throw WasmException.malformed(segAt, "data count section required");
        }
        if (seg >= module.dataCount) {
            throw WasmException.invalid(segAt, "unknown data segment " + seg);
        }
        return (int) seg;
    }

    private void memoryInit() {
        int seg = dataSegment();
        memoryByte();
        requireMemory();
        int n = operand(0, ValType.I32);
        int s = operand(1, ValType.I32);
        int d = operand(2, ValType.I32);
        popN(3);
        if (code.reachable()) {
            int helper = context.memoryInitFunction(seg);
            code.emit(Opcode.CALL, new long[] {helper, 3, 0}, new int[][] {null, {d, s, n}, {}});
        }
    }

    private void dataDrop() {
        int seg = dataSegment();
        if (!code.reachable()) {
            return;
        }
        int g = context.dataLengthGlobal(seg);
        stack.pushConst(ValType.I32, 0);
        int zero = operand(0, ValType.I32);
        popN(1);
        code.emit(Opcode.I32_GLOBAL_SET, g, zero);
    }
}
