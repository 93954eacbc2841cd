package dev.cella.vm.interp;

import static dev.cella.vm.Numerics.bits;
import static dev.cella.vm.Numerics.f32;
import static dev.cella.vm.Numerics.f64;

import dev.cella.vm.GuestException;
import dev.cella.vm.Memory;
import dev.cella.vm.Numerics;
import dev.cella.vm.TrapSignal;

// @generate:unmetered-header-begin
/**
 * The interpreter's dispatch loop: one {@code switch} over the decoded opcodes of {@link Op}.
 *
 * <p>Naming: {@code r} is the register stack, {@code fp} the current frame's base in it, {@code
 * code} the current function's decoded code and {@code pc} the decoded position of the current
 * instruction, so {@code r[fp + code[pc + 1]]} is the register named by operand 1. These four are
 * the method's first four local slots, which keeps every case's bytecode short.
 *
 * <p>Invariants:
 * <ul>
 *   <li>The method must stay below HotSpot's 8000-byte limit for compilation (a test checks it):
 *       bulky or rare work lives in {@link Machine} and {@link ColdOps}.
 *   <li>Whenever an instruction can trap, pc still points at it (each case advances pc only
 *       after its last possible trap), so the handler reports the right pc. Traps from shared
 *       helpers arrive as {@link TrapSignal}s and become {@link dev.cella.vm.Trap}s here.
 *   <li>Cases that fall through to the next instruction end with {@code continue}; cases that
 *       enter a block (branches, calls, returns, FUEL) leave pc on the block's FUEL header and
 *       end normally, so the code after the switch charges the block.
 *   <li>{@code mem} is the memory's current byte array and {@code m.memSize} its size, the bound
 *       every access is checked against (the array may be longer: {@link Memory}); both are
 *       reloaded ({@link Machine#reloadMemory}) after memory.grow and after host calls (a host
 *       may grow memory), the only ways they can change. The size is a field, not a local, so
 *       that it costs what {@code mem.length} cost: one load, and no register.
 *   <li>Only seven values are carried around the loop: {@code r, code, pc, fp, m, mem} and the
 *       fuel {@code credit}. Everything else (the active function, call depth, frame stack,
 *       globals) lives in {@link Machine} fields, read only by the cases that need it: C2 keeps
 *       loop-carried values in registers only while they fit the register file, and a spilled
 *       one costs a memory access in every instruction.
 *   <li>{@code credit} is the fuel the loop may charge without asking {@link Machine#refuel};
 *       the fuel left is always {@code m.reserve + credit}, and on the way out (return or
 *       exception) the loop stores it in {@code m.credit}.
 * </ul>
 *
 * <p>Size: this file is the dispatch loop and nothing else, the one kind of file STYLE lets pass
 * 800 lines (each case a few lines), and so is its copy {@link UnmeteredDispatch}. Splitting the
 * switch would add a call or a second dispatch to every instruction it moved; new bulky or rare
 * work goes to {@link Machine} or {@link ColdOps} instead.
 *
 * <p>Unmetered instances run {@link UnmeteredDispatch} instead: a copy of this class that {@code
 * UnmeteredDispatchGenerator} (vm-interpreter's tests) makes from it, in which the code after the
 * switch charges a block only if pc is on a FUEL header (unmetered code has headers at check
 * sites only: {@link dev.cella.isa.flow.BlockMap}) and the two slow paths are the unmetered ones;
 * {@code UnmeteredDispatchSourceTest} fails the build when the copy is stale. Edit this file,
 * never that one, and regenerate. The generator follows the {@code // @generate:unmetered-...}
 * marker comments here and nothing else: {@code header-begin}/{@code header-end} enclose what the
 * copy replaces by its own header, {@code guard-begin}/{@code guard-end} the charge it runs only
 * on a FUEL header, and {@code rename A B} renames call {@code A} to {@code B} on the next line.
 */
final class Dispatch {
    private Dispatch() {}
    // @generate:unmetered-header-end

    /**
     * Runs from decoded position {@code pc} (a block leader: its FUEL header if it has one, else
     * its instruction) of {@code code}, the code of the active function {@code m.func}, with its
     * frame at {@code fp} of the register stack {@code r} ({@code m.regs}), until the entry frame
     * returns or the machine's suspend request fires.
     *
     * @return the entry function's results, or null if a suspend request stopped the run (then
     *     {@link Machine#suspended} holds its frames)
     * @throws dev.cella.vm.Trap if the guest traps
     * @throws RuntimeException whatever a host function or the interrupt hook threw
     */
    static long[] run(long[] r, int[] code, int pc, int fp, Machine m) {
        byte[] mem = m.reloadMemory();
        long credit = m.credit;
        try {
            while (true) {
                switch (code[pc]) {
                // Control
                case Op.FUEL -> {
                    // A fall-through into a leader: charge the block below.
                }
                case Op.UNREACHABLE -> throw TrapSignal.UNREACHABLE;
                case Op.BR -> pc = code[pc + 1];
                case Op.BR_IF -> pc = (int) r[fp + code[pc + 1]] != 0 ? code[pc + 2] : pc + 3;
                case Op.BR_UNLESS -> pc = (int) r[fp + code[pc + 1]] == 0 ? code[pc + 2] : pc + 3;
                case Op.BR_TABLE -> {
                    int i = (int) r[fp + code[pc + 1]];
                    int n = code[pc + 2];
                    pc = code[pc + 3 + (Integer.compareUnsigned(i, n) < 0 ? i : n)];
                }
                case Op.CALL, Op.CALL_INDIRECT, Op.CALL_CATCH, Op.CALL_INDIRECT_CATCH -> {
                    // CALL f nargs args.. nres res..  |  CALL_INDIRECT type table a nargs args.. nres res..
                    // The catching forms put "L nexn exn.." first (Machine.raise reads them).
                    int at = pc;
                    int op = code[pc];
                    if (op >= Op.CALL_CATCH) {
                        at += 2 + code[pc + 2];
                        op = op == Op.CALL_CATCH ? Op.CALL : Op.CALL_INDIRECT;
                    }
                    DecodedFunction f;
                    if (op == Op.CALL_INDIRECT) {
                        f = m.resolveIndirect(code[at + 1], code[at + 2], (int) r[fp + code[at + 3]]);
                        at += 4;
                    } else {
                        f = m.functions[code[at + 1]];
                        at += 2;
                    }
                    if (f.code == null) {
                        // @generate:unmetered-rename m.callHost m.callHostUnmetered
                        credit = m.callHost(f, r, code, at, fp, credit);
                        mem = m.reloadMemory();
                        int results = at + 1 + code[at];
                        pc = results + 1 + code[results];
                    } else {
                        fp = m.enter(f, code, at, fp);
                        r = m.regs;
                        code = f.code;
                        pc = 0;
                    }
                }
                case Op.RET -> {
                    // RET n src..; the caller's result list is "nres dst.." at its resume position
                    int depth = m.depth;
                    if (depth == 1) {
                        m.credit = credit;
                        return Machine.results(r, code, pc, fp);
                    }
                    int[] frames = m.frames;
                    int b = 3 * depth - 3;
                    int caller = frames[b];
                    int resume = frames[b + 1];
                    int callerFp = frames[b + 2];
                    int[] callerCode = m.functions[caller].code;
                    int n = code[pc + 1];
                    for (int i = 0; i < n; i++) {
                        r[callerFp + callerCode[resume + 1 + i]] = r[fp + code[pc + 2 + i]];
                    }
                    m.depth = depth - 1;
                    m.func = caller;
                    code = callerCode;
                    fp = callerFp;
                    pc = resume + 1 + n;
                }
                case Op.THROW, Op.RETHROW -> {
                    // THROW tag n src.. | RETHROW a n src..: unwinds to the catching frame's
                    // landing pad, or leaves the run
                    m.raise(r, code, pc, fp);
                    code = m.nextCode;
                    pc = m.nextPc;
                    fp = m.nextFp;
                }
                // Constants, moves, globals
                case Op.I32_CONST -> {
                    r[fp + code[pc + 1]] = code[pc + 2];
                    pc += 3;
                    continue;
                }
                case Op.F32_CONST -> {
                    r[fp + code[pc + 1]] = code[pc + 2] & 0xFFFFFFFFL;
                    pc += 3;
                    continue;
                }
                case Op.I64_CONST -> {
                    r[fp + code[pc + 1]] = (code[pc + 2] & 0xFFFFFFFFL) | ((long) code[pc + 3] << 32);
                    pc += 4;
                    continue;
                }
                case Op.I32_MOV -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]];
                    pc += 3;
                    continue;
                }
                case Op.I32_SELECT -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 4]] != 0 ? r[fp + code[pc + 2]] : r[fp + code[pc + 3]];
                    pc += 5;
                    continue;
                }
                case Op.I32_GLOBAL_GET -> {
                    r[fp + code[pc + 1]] = m.globals[code[pc + 2]];
                    pc += 3;
                    continue;
                }
                case Op.I32_GLOBAL_SET -> {
                    m.globals[code[pc + 1]] = r[fp + code[pc + 2]];
                    pc += 3;
                    continue;
                }
                // Memory: loads are "d a off", stores "a off v"; ea = unsigned a + off, in 64 bits
                case Op.I32_LOAD -> {
                    long ea = (r[fp + code[pc + 2]] & 0xFFFFFFFFL) + code[pc + 3];
                    if (ea > m.memSize - 4) {
                        throw TrapSignal.OUT_OF_BOUNDS;
                    }
                    r[fp + code[pc + 1]] = Memory.loadI32(mem, (int) ea);
                    pc += 4;
                    continue;
                }
                case Op.F32_LOAD -> {
                    long ea = (r[fp + code[pc + 2]] & 0xFFFFFFFFL) + code[pc + 3];
                    if (ea > m.memSize - 4) {
                        throw TrapSignal.OUT_OF_BOUNDS;
                    }
                    r[fp + code[pc + 1]] = Memory.loadI32(mem, (int) ea) & 0xFFFFFFFFL;
                    pc += 4;
                    continue;
                }
                case Op.I64_LOAD -> {
                    long ea = (r[fp + code[pc + 2]] & 0xFFFFFFFFL) + code[pc + 3];
                    if (ea > m.memSize - 8) {
                        throw TrapSignal.OUT_OF_BOUNDS;
                    }
                    r[fp + code[pc + 1]] = Memory.loadI64(mem, (int) ea);
                    pc += 4;
                    continue;
                }
                case Op.I32_LOAD8_S -> {
                    long ea = (r[fp + code[pc + 2]] & 0xFFFFFFFFL) + code[pc + 3];
                    if (ea >= m.memSize) {
                        throw TrapSignal.OUT_OF_BOUNDS;
                    }
                    r[fp + code[pc + 1]] = mem[(int) ea];
                    pc += 4;
                    continue;
                }
                case Op.I32_LOAD8_U -> {
                    long ea = (r[fp + code[pc + 2]] & 0xFFFFFFFFL) + code[pc + 3];
                    if (ea >= m.memSize) {
                        throw TrapSignal.OUT_OF_BOUNDS;
                    }
                    r[fp + code[pc + 1]] = mem[(int) ea] & 0xFF;
                    pc += 4;
                    continue;
                }
                case Op.I32_LOAD16_S -> {
                    long ea = (r[fp + code[pc + 2]] & 0xFFFFFFFFL) + code[pc + 3];
                    if (ea > m.memSize - 2) {
                        throw TrapSignal.OUT_OF_BOUNDS;
                    }
                    r[fp + code[pc + 1]] = Memory.loadI16(mem, (int) ea);
                    pc += 4;
                    continue;
                }
                case Op.I32_LOAD16_U -> {
                    long ea = (r[fp + code[pc + 2]] & 0xFFFFFFFFL) + code[pc + 3];
                    if (ea > m.memSize - 2) {
                        throw TrapSignal.OUT_OF_BOUNDS;
                    }
                    r[fp + code[pc + 1]] = Memory.loadI16(mem, (int) ea) & 0xFFFF;
                    pc += 4;
                    continue;
                }
                case Op.I32_STORE -> {
                    long ea = (r[fp + code[pc + 1]] & 0xFFFFFFFFL) + code[pc + 2];
                    if (ea > m.memSize - 4) {
                        throw TrapSignal.OUT_OF_BOUNDS;
                    }
                    Memory.storeI32(mem, (int) ea, (int) r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                case Op.I64_STORE -> {
                    long ea = (r[fp + code[pc + 1]] & 0xFFFFFFFFL) + code[pc + 2];
                    if (ea > m.memSize - 8) {
                        throw TrapSignal.OUT_OF_BOUNDS;
                    }
                    Memory.storeI64(mem, (int) ea, r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                case Op.I32_STORE8 -> {
                    long ea = (r[fp + code[pc + 1]] & 0xFFFFFFFFL) + code[pc + 2];
                    if (ea >= m.memSize) {
                        throw TrapSignal.OUT_OF_BOUNDS;
                    }
                    mem[(int) ea] = (byte) r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I32_STORE16 -> {
                    long ea = (r[fp + code[pc + 1]] & 0xFFFFFFFFL) + code[pc + 2];
                    if (ea > m.memSize - 2) {
                        throw TrapSignal.OUT_OF_BOUNDS;
                    }
                    Memory.storeI16(mem, (int) ea, (short) r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                case Op.MEMORY_SIZE -> {
                    r[fp + code[pc + 1]] = m.memSize >>> 16;
                    pc += 2;
                    continue;
                }
                case Op.MEMORY_GROW -> {
                    m.credit = credit;
                    r[fp + code[pc + 1]] = m.memoryGrow((int) r[fp + code[pc + 2]]);
                    credit = m.credit;
                    mem = m.reloadMemory();
                    pc += 3;
                    continue;
                }
                case Op.MEMORY_COPY -> {
                    credit = m.memoryCopy(credit, mem, (int) r[fp + code[pc + 1]], (int) r[fp + code[pc + 2]], (int) r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                case Op.MEMORY_FILL -> {
                    credit = m.memoryFill(credit, mem, (int) r[fp + code[pc + 1]], (int) r[fp + code[pc + 2]], (int) r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                // i32 comparisons: d := a OP b ? 1 : 0
                case Op.I32_EQZ -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]] == 0 ? 1 : 0;
                    pc += 3;
                    continue;
                }
                case Op.I32_EQ -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]] == (int) r[fp + code[pc + 3]] ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I32_NE -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]] != (int) r[fp + code[pc + 3]] ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I32_LT_S -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]] < (int) r[fp + code[pc + 3]] ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I32_GT_S -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]] > (int) r[fp + code[pc + 3]] ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I32_LE_S -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]] <= (int) r[fp + code[pc + 3]] ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I32_GE_S -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]] >= (int) r[fp + code[pc + 3]] ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I32_LT_U -> {
                    r[fp + code[pc + 1]] = Integer.compareUnsigned((int) r[fp + code[pc + 2]], (int) r[fp + code[pc + 3]]) < 0 ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I32_GT_U -> {
                    r[fp + code[pc + 1]] = Integer.compareUnsigned((int) r[fp + code[pc + 2]], (int) r[fp + code[pc + 3]]) > 0 ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I32_LE_U -> {
                    r[fp + code[pc + 1]] = Integer.compareUnsigned((int) r[fp + code[pc + 2]], (int) r[fp + code[pc + 3]]) <= 0 ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I32_GE_U -> {
                    r[fp + code[pc + 1]] = Integer.compareUnsigned((int) r[fp + code[pc + 2]], (int) r[fp + code[pc + 3]]) >= 0 ? 1 : 0;
                    pc += 4;
                    continue;
                }
                // i64 comparisons
                case Op.I64_EQZ -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] == 0 ? 1 : 0;
                    pc += 3;
                    continue;
                }
                case Op.I64_EQ -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] == r[fp + code[pc + 3]] ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I64_NE -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] != r[fp + code[pc + 3]] ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I64_LT_S -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] < r[fp + code[pc + 3]] ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I64_GT_S -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] > r[fp + code[pc + 3]] ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I64_LE_S -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] <= r[fp + code[pc + 3]] ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I64_GE_S -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] >= r[fp + code[pc + 3]] ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I64_LT_U -> {
                    r[fp + code[pc + 1]] = Long.compareUnsigned(r[fp + code[pc + 2]], r[fp + code[pc + 3]]) < 0 ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I64_GT_U -> {
                    r[fp + code[pc + 1]] = Long.compareUnsigned(r[fp + code[pc + 2]], r[fp + code[pc + 3]]) > 0 ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I64_LE_U -> {
                    r[fp + code[pc + 1]] = Long.compareUnsigned(r[fp + code[pc + 2]], r[fp + code[pc + 3]]) <= 0 ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.I64_GE_U -> {
                    r[fp + code[pc + 1]] = Long.compareUnsigned(r[fp + code[pc + 2]], r[fp + code[pc + 3]]) >= 0 ? 1 : 0;
                    pc += 4;
                    continue;
                }
                // float comparisons (Java's operators are false on NaN, != is true)
                case Op.F32_EQ -> {
                    r[fp + code[pc + 1]] = f32(r[fp + code[pc + 2]]) == f32(r[fp + code[pc + 3]]) ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.F32_NE -> {
                    r[fp + code[pc + 1]] = f32(r[fp + code[pc + 2]]) != f32(r[fp + code[pc + 3]]) ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.F32_LT -> {
                    r[fp + code[pc + 1]] = f32(r[fp + code[pc + 2]]) < f32(r[fp + code[pc + 3]]) ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.F32_GT -> {
                    r[fp + code[pc + 1]] = f32(r[fp + code[pc + 2]]) > f32(r[fp + code[pc + 3]]) ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.F32_LE -> {
                    r[fp + code[pc + 1]] = f32(r[fp + code[pc + 2]]) <= f32(r[fp + code[pc + 3]]) ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.F32_GE -> {
                    r[fp + code[pc + 1]] = f32(r[fp + code[pc + 2]]) >= f32(r[fp + code[pc + 3]]) ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.F64_EQ -> {
                    r[fp + code[pc + 1]] = f64(r[fp + code[pc + 2]]) == f64(r[fp + code[pc + 3]]) ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.F64_NE -> {
                    r[fp + code[pc + 1]] = f64(r[fp + code[pc + 2]]) != f64(r[fp + code[pc + 3]]) ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.F64_LT -> {
                    r[fp + code[pc + 1]] = f64(r[fp + code[pc + 2]]) < f64(r[fp + code[pc + 3]]) ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.F64_GT -> {
                    r[fp + code[pc + 1]] = f64(r[fp + code[pc + 2]]) > f64(r[fp + code[pc + 3]]) ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.F64_LE -> {
                    r[fp + code[pc + 1]] = f64(r[fp + code[pc + 2]]) <= f64(r[fp + code[pc + 3]]) ? 1 : 0;
                    pc += 4;
                    continue;
                }
                case Op.F64_GE -> {
                    r[fp + code[pc + 1]] = f64(r[fp + code[pc + 2]]) >= f64(r[fp + code[pc + 3]]) ? 1 : 0;
                    pc += 4;
                    continue;
                }
                // i32 arithmetic (Java's shifts take the count mod 32)
                case Op.I32_CLZ -> {
                    r[fp + code[pc + 1]] = Integer.numberOfLeadingZeros((int) r[fp + code[pc + 2]]);
                    pc += 3;
                    continue;
                }
                case Op.I32_CTZ -> {
                    r[fp + code[pc + 1]] = Integer.numberOfTrailingZeros((int) r[fp + code[pc + 2]]);
                    pc += 3;
                    continue;
                }
                case Op.I32_POPCNT -> {
                    r[fp + code[pc + 1]] = Integer.bitCount((int) r[fp + code[pc + 2]]);
                    pc += 3;
                    continue;
                }
                case Op.I32_ADD -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]] + (int) r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I32_SUB -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]] - (int) r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I32_MUL -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]] * (int) r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I32_AND -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]] & (int) r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I32_OR -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]] | (int) r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I32_XOR -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]] ^ (int) r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I32_SHL -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]] << (int) r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I32_SHR_S -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]] >> (int) r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I32_SHR_U -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]] >>> (int) r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I32_DIV_S -> {
                    r[fp + code[pc + 1]] = Numerics.i32DivS((int) r[fp + code[pc + 2]], (int) r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                case Op.I32_DIV_U -> {
                    r[fp + code[pc + 1]] = Numerics.i32DivU((int) r[fp + code[pc + 2]], (int) r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                case Op.I32_REM_S -> {
                    r[fp + code[pc + 1]] = Numerics.i32RemS((int) r[fp + code[pc + 2]], (int) r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                case Op.I32_REM_U -> {
                    r[fp + code[pc + 1]] = Numerics.i32RemU((int) r[fp + code[pc + 2]], (int) r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                case Op.I32_ROTL -> {
                    r[fp + code[pc + 1]] = Integer.rotateLeft((int) r[fp + code[pc + 2]], (int) r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                case Op.I32_ROTR -> {
                    r[fp + code[pc + 1]] = Integer.rotateRight((int) r[fp + code[pc + 2]], (int) r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                // i64 arithmetic (Java's shifts take the count mod 64)
                case Op.I64_CLZ -> {
                    r[fp + code[pc + 1]] = Long.numberOfLeadingZeros(r[fp + code[pc + 2]]);
                    pc += 3;
                    continue;
                }
                case Op.I64_CTZ -> {
                    r[fp + code[pc + 1]] = Long.numberOfTrailingZeros(r[fp + code[pc + 2]]);
                    pc += 3;
                    continue;
                }
                case Op.I64_POPCNT -> {
                    r[fp + code[pc + 1]] = Long.bitCount(r[fp + code[pc + 2]]);
                    pc += 3;
                    continue;
                }
                case Op.I64_ADD -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] + r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I64_SUB -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] - r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I64_MUL -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] * r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I64_AND -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] & r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I64_OR -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] | r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I64_XOR -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] ^ r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I64_SHL -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] << (int) r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I64_SHR_S -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] >> (int) r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I64_SHR_U -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] >>> (int) r[fp + code[pc + 3]];
                    pc += 4;
                    continue;
                }
                case Op.I64_DIV_S -> {
                    r[fp + code[pc + 1]] = Numerics.i64DivS(r[fp + code[pc + 2]], r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                case Op.I64_DIV_U -> {
                    r[fp + code[pc + 1]] = Numerics.i64DivU(r[fp + code[pc + 2]], r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                case Op.I64_REM_S -> {
                    r[fp + code[pc + 1]] = Numerics.i64RemS(r[fp + code[pc + 2]], r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                case Op.I64_REM_U -> {
                    r[fp + code[pc + 1]] = Numerics.i64RemU(r[fp + code[pc + 2]], r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                case Op.I64_ROTL -> {
                    r[fp + code[pc + 1]] = Long.rotateLeft(r[fp + code[pc + 2]], (int) r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                case Op.I64_ROTR -> {
                    r[fp + code[pc + 1]] = Long.rotateRight(r[fp + code[pc + 2]], (int) r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                // float arithmetic: bits() makes any NaN result canonical; abs and neg are bit operations
                case Op.F32_ABS -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] & 0x7FFFFFFFL;
                    pc += 3;
                    continue;
                }
                case Op.F32_NEG -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] ^ 0x80000000L;
                    pc += 3;
                    continue;
                }
                case Op.F32_SQRT -> {
                    r[fp + code[pc + 1]] = bits((float) Math.sqrt(f32(r[fp + code[pc + 2]])));
                    pc += 3;
                    continue;
                }
                case Op.F32_ADD -> {
                    r[fp + code[pc + 1]] = bits(f32(r[fp + code[pc + 2]]) + f32(r[fp + code[pc + 3]]));
                    pc += 4;
                    continue;
                }
                case Op.F32_SUB -> {
                    r[fp + code[pc + 1]] = bits(f32(r[fp + code[pc + 2]]) - f32(r[fp + code[pc + 3]]));
                    pc += 4;
                    continue;
                }
                case Op.F32_MUL -> {
                    r[fp + code[pc + 1]] = bits(f32(r[fp + code[pc + 2]]) * f32(r[fp + code[pc + 3]]));
                    pc += 4;
                    continue;
                }
                case Op.F32_DIV -> {
                    r[fp + code[pc + 1]] = bits(f32(r[fp + code[pc + 2]]) / f32(r[fp + code[pc + 3]]));
                    pc += 4;
                    continue;
                }
                case Op.F64_ABS -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] & Long.MAX_VALUE;
                    pc += 3;
                    continue;
                }
                case Op.F64_NEG -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] ^ Long.MIN_VALUE;
                    pc += 3;
                    continue;
                }
                case Op.F64_SQRT -> {
                    r[fp + code[pc + 1]] = bits(Math.sqrt(f64(r[fp + code[pc + 2]])));
                    pc += 3;
                    continue;
                }
                case Op.F64_ADD -> {
                    r[fp + code[pc + 1]] = bits(f64(r[fp + code[pc + 2]]) + f64(r[fp + code[pc + 3]]));
                    pc += 4;
                    continue;
                }
                case Op.F64_SUB -> {
                    r[fp + code[pc + 1]] = bits(f64(r[fp + code[pc + 2]]) - f64(r[fp + code[pc + 3]]));
                    pc += 4;
                    continue;
                }
                case Op.F64_MUL -> {
                    r[fp + code[pc + 1]] = bits(f64(r[fp + code[pc + 2]]) * f64(r[fp + code[pc + 3]]));
                    pc += 4;
                    continue;
                }
                case Op.F64_DIV -> {
                    r[fp + code[pc + 1]] = bits(f64(r[fp + code[pc + 2]]) / f64(r[fp + code[pc + 3]]));
                    pc += 4;
                    continue;
                }
                // width changes
                case Op.I32_WRAP_I64 -> {
                    r[fp + code[pc + 1]] = (int) r[fp + code[pc + 2]];
                    pc += 3;
                    continue;
                }
                case Op.I64_EXTEND_I32_U -> {
                    r[fp + code[pc + 1]] = r[fp + code[pc + 2]] & 0xFFFFFFFFL;
                    pc += 3;
                    continue;
                }
                case Op.I32_EXTEND8_S -> {
                    r[fp + code[pc + 1]] = (byte) r[fp + code[pc + 2]];
                    pc += 3;
                    continue;
                }
                case Op.I32_EXTEND16_S -> {
                    r[fp + code[pc + 1]] = (short) r[fp + code[pc + 2]];
                    pc += 3;
                    continue;
                }
                case Op.F64_CONVERT_I32_S -> {
                    r[fp + code[pc + 1]] = bits((double) (int) r[fp + code[pc + 2]]);
                    pc += 3;
                    continue;
                }
                case Op.F64_PROMOTE_F32 -> {
                    r[fp + code[pc + 1]] = bits((double) f32(r[fp + code[pc + 2]]));
                    pc += 3;
                    continue;
                }
                case Op.F32_DEMOTE_F64 -> {
                    r[fp + code[pc + 1]] = bits((float) f64(r[fp + code[pc + 2]]));
                    pc += 3;
                    continue;
                }
                case Op.TABLE -> {
                    m.credit = credit;
                    m.table(code, pc, r, fp);
                    credit = m.credit;
                    pc += code[pc + 1];
                    continue;
                }
                case Op.COLD_UNARY -> {
                    r[fp + code[pc + 2]] = ColdOps.unary(code[pc + 1], r[fp + code[pc + 3]]);
                    pc += 4;
                    continue;
                }
                case Op.COLD_BINARY -> {
                    r[fp + code[pc + 2]] = ColdOps.binary(code[pc + 1], r[fp + code[pc + 3]], r[fp + code[pc + 4]]);
                    pc += 5;
                    continue;
                }
                case Op.V128 -> {
                    pc = V128Ops.run(code, pc, r, fp);
                    continue;
                }
                // compare and branch: pc := target header or the next block's header, then charge it
                case Op.I32_BR_EQ -> {
                    pc = (int) r[fp + code[pc + 1]] == (int) r[fp + code[pc + 2]] ? code[pc + 3] : pc + 4;
                }
                case Op.I32_BR_NE -> {
                    pc = (int) r[fp + code[pc + 1]] != (int) r[fp + code[pc + 2]] ? code[pc + 3] : pc + 4;
                }
                case Op.I32_BR_LT_S -> {
                    pc = (int) r[fp + code[pc + 1]] < (int) r[fp + code[pc + 2]] ? code[pc + 3] : pc + 4;
                }
                case Op.I32_BR_GT_S -> {
                    pc = (int) r[fp + code[pc + 1]] > (int) r[fp + code[pc + 2]] ? code[pc + 3] : pc + 4;
                }
                case Op.I32_BR_LE_S -> {
                    pc = (int) r[fp + code[pc + 1]] <= (int) r[fp + code[pc + 2]] ? code[pc + 3] : pc + 4;
                }
                case Op.I32_BR_GE_S -> {
                    pc = (int) r[fp + code[pc + 1]] >= (int) r[fp + code[pc + 2]] ? code[pc + 3] : pc + 4;
                }
                case Op.I32_BR_LT_U -> {
                    pc = Integer.compareUnsigned((int) r[fp + code[pc + 1]], (int) r[fp + code[pc + 2]]) < 0 ? code[pc + 3] : pc + 4;
                }
                case Op.I32_BR_GT_U -> {
                    pc = Integer.compareUnsigned((int) r[fp + code[pc + 1]], (int) r[fp + code[pc + 2]]) > 0 ? code[pc + 3] : pc + 4;
                }
                case Op.I32_BR_LE_U -> {
                    pc = Integer.compareUnsigned((int) r[fp + code[pc + 1]], (int) r[fp + code[pc + 2]]) <= 0 ? code[pc + 3] : pc + 4;
                }
                case Op.I32_BR_GE_U -> {
                    pc = Integer.compareUnsigned((int) r[fp + code[pc + 1]], (int) r[fp + code[pc + 2]]) >= 0 ? code[pc + 3] : pc + 4;
                }
                case Op.I64_BR_EQ -> {
                    pc = r[fp + code[pc + 1]] == r[fp + code[pc + 2]] ? code[pc + 3] : pc + 4;
                }
                case Op.I64_BR_NE -> {
                    pc = r[fp + code[pc + 1]] != r[fp + code[pc + 2]] ? code[pc + 3] : pc + 4;
                }
                case Op.I64_BR_LT_S -> {
                    pc = r[fp + code[pc + 1]] < r[fp + code[pc + 2]] ? code[pc + 3] : pc + 4;
                }
                case Op.I64_BR_GT_S -> {
                    pc = r[fp + code[pc + 1]] > r[fp + code[pc + 2]] ? code[pc + 3] : pc + 4;
                }
                case Op.I64_BR_LE_S -> {
                    pc = r[fp + code[pc + 1]] <= r[fp + code[pc + 2]] ? code[pc + 3] : pc + 4;
                }
                case Op.I64_BR_GE_S -> {
                    pc = r[fp + code[pc + 1]] >= r[fp + code[pc + 2]] ? code[pc + 3] : pc + 4;
                }
                case Op.I64_BR_LT_U -> {
                    pc = Long.compareUnsigned(r[fp + code[pc + 1]], r[fp + code[pc + 2]]) < 0 ? code[pc + 3] : pc + 4;
                }
                case Op.I64_BR_GT_U -> {
                    pc = Long.compareUnsigned(r[fp + code[pc + 1]], r[fp + code[pc + 2]]) > 0 ? code[pc + 3] : pc + 4;
                }
                case Op.I64_BR_LE_U -> {
                    pc = Long.compareUnsigned(r[fp + code[pc + 1]], r[fp + code[pc + 2]]) <= 0 ? code[pc + 3] : pc + 4;
                }
                case Op.I64_BR_GE_U -> {
                    pc = Long.compareUnsigned(r[fp + code[pc + 1]], r[fp + code[pc + 2]]) >= 0 ? code[pc + 3] : pc + 4;
                }
                case Op.F32_BR_EQ -> {
                    pc = f32(r[fp + code[pc + 1]]) == f32(r[fp + code[pc + 2]]) ? code[pc + 3] : pc + 4;
                }
                case Op.F32_BR_NE -> {
                    pc = f32(r[fp + code[pc + 1]]) != f32(r[fp + code[pc + 2]]) ? code[pc + 3] : pc + 4;
                }
                case Op.F32_BR_LT -> {
                    pc = f32(r[fp + code[pc + 1]]) < f32(r[fp + code[pc + 2]]) ? code[pc + 3] : pc + 4;
                }
                case Op.F32_BR_GT -> {
                    pc = f32(r[fp + code[pc + 1]]) > f32(r[fp + code[pc + 2]]) ? code[pc + 3] : pc + 4;
                }
                case Op.F32_BR_LE -> {
                    pc = f32(r[fp + code[pc + 1]]) <= f32(r[fp + code[pc + 2]]) ? code[pc + 3] : pc + 4;
                }
                case Op.F32_BR_GE -> {
                    pc = f32(r[fp + code[pc + 1]]) >= f32(r[fp + code[pc + 2]]) ? code[pc + 3] : pc + 4;
                }
                case Op.F64_BR_EQ -> {
                    pc = f64(r[fp + code[pc + 1]]) == f64(r[fp + code[pc + 2]]) ? code[pc + 3] : pc + 4;
                }
                case Op.F64_BR_NE -> {
                    pc = f64(r[fp + code[pc + 1]]) != f64(r[fp + code[pc + 2]]) ? code[pc + 3] : pc + 4;
                }
                case Op.F64_BR_LT -> {
                    pc = f64(r[fp + code[pc + 1]]) < f64(r[fp + code[pc + 2]]) ? code[pc + 3] : pc + 4;
                }
                case Op.F64_BR_GT -> {
                    pc = f64(r[fp + code[pc + 1]]) > f64(r[fp + code[pc + 2]]) ? code[pc + 3] : pc + 4;
                }
                case Op.F64_BR_LE -> {
                    pc = f64(r[fp + code[pc + 1]]) <= f64(r[fp + code[pc + 2]]) ? code[pc + 3] : pc + 4;
                }
                case Op.F64_BR_GE -> {
                    pc = f64(r[fp + code[pc + 1]]) >= f64(r[fp + code[pc + 2]]) ? code[pc + 3] : pc + 4;
                }
                default -> throw new IllegalStateException("bad decoded opcode " + code[pc] + " at " + pc);
                }
                // Enter the block whose FUEL header is at pc: charge its cost (the slow path refills,
                // polls, suspends or traps when the credit runs out).
                // @generate:unmetered-guard-begin
                int cost = code[pc + 1];
                if ((credit -= cost) < 0) {
                    credit += cost; // keep the credit exact in case refuel traps
                    // @generate:unmetered-rename m.refuel m.poll
                    credit = m.refuel(credit, cost) - cost;
                }
                pc += 2;
                // @generate:unmetered-guard-end
            }
        } catch (TrapSignal s) {
            m.credit = credit;
            throw m.trap(s, m.func, pc);
        } catch (GuestException e) {
            // From a host call (a throw unwinds in Machine.raise): pc is still at the call.
            m.credit = credit;
            m.landFromHost(e, code, pc, fp);
            return null;
        } catch (SuspendSignal s) {
            // Only refuel throws it, at a FUEL header whose block is not charged: a safe point.
            m.credit = credit;
            m.suspend(pc, fp);
            return null;
        } catch (RuntimeException | Error e) {
            m.credit = credit;
            throw e;
        }
    }
}
