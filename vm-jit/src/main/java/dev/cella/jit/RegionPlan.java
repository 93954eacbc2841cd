package dev.cella.jit;

import dev.cella.isa.OperandKind;
import dev.cella.isa.ValType;
import dev.cella.isa.code.Instruction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * How a function too large for one JVM method is cut into regions, each compiled to its own
 * method {@code int r<k>(JitContext ctx, long[] regs, int entry)}.
 *
 * <p>A region is a run of consecutive instructions. Its <em>entries</em> are its first
 * instruction and every branch target in it; an entry is named by a code {@code region << 16 |
 * entry index}. The function's dispatcher calls the region holding the current entry; the region
 * loads from {@code regs} into typed locals the registers that code reachable from the entry
 * touches ({@link #entryLoads}), jumps to the entry, runs until control leaves it (a branch to
 * another region, or falling into the next one), stores back into {@code regs} the registers
 * that code writes ({@link #entryStores}) and returns the code of the entry to continue at, or
 * -1 after a {@code ret} (whose values it left in {@link JitContext#results}).
 *
 * <p>Regions may cut a basic block anywhere: fuel is charged at block leaders only, so where the
 * cuts fall never changes what a run costs. Cuts are chosen from measured bytecode sizes so that
 * each region method stays under HotSpot's limit for compiling a method ({@link
 * FunctionCompiler#METHOD_LIMIT}).
 */
final class RegionPlan {
    /** Most instructions in one region, which also bounds its entries below 65,536. */
    static final int MAX_REGION_INSNS = 4096;
    /** Most guest code bytes one region spans, so pcs relative to its start fit a sipush. */
    static final int MAX_REGION_SPAN = 30_000;

    final FunctionCode code;
    /** Region k covers instructions [starts[k], starts[k + 1]); the last element is the instruction count. */
    final int[] starts;
    private final int[] regionOf;
    private final int[] entryIndex;
    private final int[][] entries;
    private final int[][] used;
    private final int[][] written;

    RegionPlan(FunctionCode code, int[] starts) {
        this.code = code;
        this.starts = starts;
        int n = code.insns.length;
        int regions = starts.length - 1;
        this.regionOf = new int[n];
        this.entryIndex = new int[n];
        Arrays.fill(entryIndex, -1);
        this.entries = new int[regions][];
        this.used = new int[regions][];
        this.written = new int[regions][];
        for (int k = 0; k < regions; k++) {
            List<Integer> e = new ArrayList<>();
            BitSet use = new BitSet();
            BitSet def = new BitSet();
            for (int i = starts[k]; i < starts[k + 1]; i++) {
                regionOf[i] = k;
                if (i == starts[k] || code.branchTarget[i]) {
                    entryIndex[i] = e.size();
                    e.add(i);
                }
                registers(code.insns[i], use, def);
            }
            entries[k] = e.stream().mapToInt(Integer::intValue).toArray();
            use.or(def);
            used[k] = use.stream().toArray();
            written[k] = def.stream().toArray();
        }
    }

    /** Adds the registers {@code in} reads to {@code use} and those it writes to {@code def}. */
    static void registers(Instruction in, BitSet use, BitSet def) {
        var kinds = in.opcode().operands();
        for (int o = 0; o < kinds.size(); o++) {
            OperandKind k = kinds.get(o).kind();
            switch (k) {
                // A v128 operand is the register pair r, r+1.
                case DEF -> def.set(in.intOperand(o), in.intOperand(o) + (kinds.get(o).type() == ValType.V128 ? 2 : 1));
                case USE -> use.set(in.intOperand(o), in.intOperand(o) + (kinds.get(o).type() == ValType.V128 ? 2 : 1));
                case DEFS -> {
                    for (int r : in.list(o)) {
                        def.set(r);
                    }
                }
                case USES -> {
                    for (int r : in.list(o)) {
                        use.set(r);
                    }
                }
                default -> { }
            }
        }
    }

    int regionCount() {
        return starts.length - 1;
    }

    int from(int region) {
        return starts[region];
    }

    int to(int region) {
        return starts[region + 1];
    }

    /** Instruction indices of the entries of {@code region}, the first being its first instruction. */
    int[] entries(int region) {
        return entries[region];
    }

    /** Registers the region reads or writes, ascending: loaded into locals on entry. */
    int[] usedRegisters(int region) {
        return used[region];
    }

    /** Registers the region writes, ascending: stored back on exit. */
    int[] writtenRegisters(int region) {
        return written[region];
    }

    /**
     * Per entry of {@code region} (by entry index): the registers that the code reachable from
     * that entry without leaving the region reads or writes, ascending. Only these are loaded
     * when the region is entered there: every other register keeps its value in the register
     * file, which the region neither reads nor changes on that path.
     */
    int[][] entryLoads(int region) {
        return entrySets(region, true);
    }

    /**
     * Per entry of {@code region}: the registers the code reachable from that entry writes,
     * ascending; stored back when control leaves the region (by an exit or a suspension) after
     * entering there. Each is among the entry's {@link #entryLoads}, so its local holds the
     * register's current value on every path, written or not.
     */
    int[][] entryStores(int region) {
        return entrySets(region, false);
    }

    private int[][] entrySets(int region, boolean loads) {
        int from = starts[region];
        int to = starts[region + 1];
        int[] e = entries[region];
        int[][] out = new int[e.length][];
        BitSet seen = new BitSet(to - from);
        int[] work = new int[to - from];
        for (int k = 0; k < e.length; k++) {
            seen.clear();
            BitSet use = new BitSet();
            BitSet def = new BitSet();
            int top = 0;
            work[top++] = e[k];
            seen.set(e[k] - from);
            while (top > 0) {
                int i = work[--top];
                Instruction in = code.insns[i];
                registers(in, use, def);
                if (!in.opcode().isTerminator() && i + 1 < to && !seen.get(i + 1 - from)) {
                    seen.set(i + 1 - from);
                    work[top++] = i + 1;
                }
                if (in.opcode().isBranch()) {
                    for (int pc : FunctionCode.targets(in)) {
                        int t = code.indexOfPc(pc);
                        if (t >= from && t < to && !seen.get(t - from)) {
                            seen.set(t - from);
                            work[top++] = t;
                        }
                    }
                }
            }
            if (loads) {
                use.or(def);
                out[k] = use.stream().toArray();
            } else {
                out[k] = def.stream().toArray();
            }
        }
        return out;
    }

    /** The region holding instruction {@code insn}. */
    int regionOf(int insn) {
        return regionOf[insn];
    }

    /** The code that names instruction {@code insn} as an entry of its region. */
    int exitCode(int insn) {
        int e = entryIndex[insn];
        if (e < 0) {
            throw new IllegalStateException("instruction " + insn + " of function " + code.index
                    + " is entered from another region but is not an entry");
        }
        return regionOf[insn] << 16 | e;
    }

    /** The code of the entry at branch target {@code pc} (for on-stack replacement at a loop header). */
    int entryCodeAtPc(int pc) {
        return exitCode(code.indexOfPc(pc));
    }

    /**
     * Cuts the function greedily, in pc order, so that each region's estimated bytecode (its
     * instructions' sizes plus the prologue and epilogue its registers and entries need) stays
     * under {@code budget}, within {@link #MAX_REGION_INSNS} and {@link #MAX_REGION_SPAN}.
     *
     * @param sizes estimated bytecode bytes of each instruction, stubs included
     */
    static int[] partition(FunctionCode code, int[] sizes, int budget) {
        int n = code.insns.length;
        List<Integer> cuts = new ArrayList<>();
        cuts.add(0);
        BitSet use = new BitSet();
        BitSet def = new BitSet();
        int start = 0;
        long body = 0;
        int entryCount = 0;
        for (int i = 0; i < n; i++) {
            BitSet u = (BitSet) use.clone();
            BitSet d = (BitSet) def.clone();
            registers(code.insns[i], u, d);
            u.or(d);
            int entriesIfAdded = entryCount + (i == start || code.branchTarget[i] ? 1 : 0);
            long estimate = body + sizes[i] + overhead(u.cardinality(), d.cardinality(), entriesIfAdded);
            boolean tooBig = estimate > budget || i - start >= MAX_REGION_INSNS
                    || code.insns[i].next() - code.insns[start].pc() > MAX_REGION_SPAN;
            if (tooBig && i > start) {
                cuts.add(i);
                start = i;
                body = 0;
                entryCount = 0;
                use.clear();
                def.clear();
                registers(code.insns[i], use, def);
                use.or(def);
                entryCount = 1;
                body = sizes[i];
            } else {
                use = u;
                def = d;
                entryCount = entriesIfAdded;
                body += sizes[i];
            }
        }
        cuts.add(n);
        return cuts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Estimated bytes of a region's prologue, entry switch, exit epilogue and shared stubs. */
    static long overhead(int usedRegs, int writtenRegs, int entryCount) {
        return 40L + 9L * usedRegs + 10L * writtenRegs + 4L * entryCount + 120;
    }

    /** Splits region {@code k} of {@code starts} in two halves (it must hold at least two instructions). */
    static int[] split(int[] starts, int k) {
        int mid = (starts[k] + starts[k + 1]) >>> 1;
        int[] out = new int[starts.length + 1];
        System.arraycopy(starts, 0, out, 0, k + 1);
        out[k + 1] = mid;
        System.arraycopy(starts, k + 1, out, k + 2, starts.length - k - 1);
        return out;
    }
}
