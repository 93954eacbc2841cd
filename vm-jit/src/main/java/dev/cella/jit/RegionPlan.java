package dev.cella.jit;

import dev.cella.isa.Opcode;
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
    /**
     * Home region k covers instructions [starts[k], starts[k + 1]); the last element is the
     * instruction count. The hot region, if any, comes after them ({@link #hotRegion}).
     */
    final int[] starts;
    /** Per region, its home range: the first instruction and one past the last. */
    private final int[] from;
    private final int[] to;
    private final int[] regionOf;
    private final int[] entryIndex;
    private final int[][] entries;
    private final int[][] used;
    private final int[][] written;
    /** The hot region's index ({@link #hotRegion}), or -1. */
    private final int hot;
    /** Per instruction: its entry index in the hot region (the leaders copied there and the dispatch block's), else -1. */
    private final int[] hotEntry;
    /** True if the regions count their leaders for a later re-plan ({@link HotRegions}). */
    private final boolean profiled;

    /**
     * Dispatch blocks copied into each region (leader instruction indices, ascending), see {@link
     * #copiedBlocks}; empty arrays when copying is off.
     */
    private final int[][] copies;

    /** The plan without dispatch copies (code for C1, {@link JitEngine.Options#clientShapes}). */
    RegionPlan(FunctionCode code, int[] starts) {
        this(code, starts, false);
    }

    /**
     * The plan of the regions {@code starts} cuts; with {@code copyDispatch}, each region also
     * holds copies of the dispatch blocks it branches to ({@link #copiedBlocks}).
     */
    RegionPlan(FunctionCode code, int[] starts, boolean copyDispatch) {
        this(code, starts, copyDispatch, false, -1, new int[0]);
    }

    /**
     * The plan of the regions {@code starts} cuts, with dispatch copies if {@code copyDispatch};
     * {@code profiled}: its regions count the leaders they run ({@link HotRegions}). If {@code
     * hotHome} is a dispatch block's leader, the plan has one more region, the <em>hot
     * region</em> ({@link #hotRegion}): that block (its home range) and copies of the blocks led by
     * {@code hotLeaders}.
     */
    RegionPlan(FunctionCode code, int[] starts, boolean copyDispatch, boolean profiled, int hotHome, int[] hotLeaders) {
        this.code = code;
        this.starts = starts;
        this.profiled = profiled;
        int n = code.insns.length;
        int homes = starts.length - 1;
        this.hot = hotHome >= 0 ? homes : -1;
        int regions = homes + (hot >= 0 ? 1 : 0);
        this.from = new int[regions];
        this.to = new int[regions];
        for (int k = 0; k < homes; k++) {
            from[k] = starts[k];
            to[k] = starts[k + 1];
        }
        if (hot >= 0) {
            from[hot] = hotHome;
            to[hot] = blockEnd(code, hotHome);
        }
        this.regionOf = new int[n];
        this.entryIndex = new int[n];
        Arrays.fill(entryIndex, -1);
        this.hotEntry = new int[n];
        Arrays.fill(hotEntry, -1);
        this.entries = new int[regions][];
        this.used = new int[regions][];
        this.written = new int[regions][];
        List<List<Integer>> e = new ArrayList<>();
        for (int k = 0; k < homes; k++) {
            List<Integer> ek = new ArrayList<>();
            for (int i = starts[k]; i < starts[k + 1]; i++) {
                regionOf[i] = k;
                if (i == starts[k] || code.branchTarget[i]) {
                    entryIndex[i] = ek.size();
                    ek.add(i);
                }
            }
            e.add(ek);
        }
        this.copies = new int[regions][];
        BitSet dispatch = copyDispatch ? dispatchBlocks(code) : new BitSet();
        for (int k = 0; k < homes; k++) {
            copies[k] = findCopies(k, dispatch);
        }
        if (hot >= 0) {
            BitSet c = new BitSet();
            for (int l : findCopies(hot, dispatch)) {
                c.set(l);
            }
            List<Integer> eh = new ArrayList<>();
            eh.add(hotHome);
            hotEntry[hotHome] = 0;
            for (int l : hotLeaders) {
                if (l < from[hot] || l >= to[hot]) {
                    c.set(l);
                }
            }
            // The other dispatch blocks the copied blocks go to (an interpreter may have several
            // fetch-and-switch blocks) are copied too, as in every region.
            for (int l : c.stream().toArray()) {
                for (int i = l; i < blockEnd(code, l); i++) {
                    for (int t : successors(i)) {
                        if (dispatch.get(t) && (t < from[hot] || t >= to[hot])) {
                            c.set(t);
                        }
                    }
                }
            }
            for (int l = c.nextSetBit(0); l >= 0; l = c.nextSetBit(l + 1)) {
                hotEntry[l] = eh.size();
                eh.add(l);
            }
            copies[hot] = c.stream().toArray();
            e.add(eh);
            // Where the hot region's code leaves it, the target must be an entry of its home
            // region: a leader after a call or at a fall-through is not one yet, so it is added
            // after the home region's own entries (their indices, and codes, stay the same).
            for (int i : members(hot)) {
                for (int t : successors(i)) {
                    if (!inRegion(hot, t) && entryIndex[t] < 0) {
                        int k = regionOf[t];
                        entryIndex[t] = e.get(k).size();
                        e.get(k).add(t);
                    }
                }
            }
        }
        for (int k = 0; k < regions; k++) {
            entries[k] = e.get(k).stream().mapToInt(Integer::intValue).toArray();
        }
        for (int k = 0; k < regions; k++) {
            BitSet use = new BitSet();
            BitSet def = new BitSet();
            for (int i = from[k]; i < to[k]; i++) {
                registers(code.insns[i], use, def);
            }
            for (int c : copies[k]) {
                for (int i = c; i < blockEnd(code, c); i++) {
                    registers(code.insns[i], use, def);
                }
            }
            use.or(def);
            used[k] = use.stream().toArray();
            written[k] = def.stream().toArray();
        }
    }

    /** The instructions region {@code k} runs: its home range, then those of its copied blocks. */
    private int[] members(int k) {
        BitSet m = new BitSet();
        m.set(from[k], to[k]);
        for (int c : copies[k]) {
            m.set(c, blockEnd(code, c));
        }
        return m.stream().toArray();
    }

    /** True if region {@code k} runs instruction {@code i} itself: in its home range or a block it copies. */
    private boolean inRegion(int k, int i) {
        if (i >= from[k] && i < to[k]) {
            return true;
        }
        int leader = i;
        while (leader > 0 && !code.leader[leader]) {
            leader--;
        }
        return copies(k, leader);
    }

    /** Where control may go after instruction {@code i}: the next instruction unless it is a terminator, and its branch targets. */
    private int[] successors(int i) {
        int[] t = branchTargetInsns(i);
        if (code.insns[i].opcode().isTerminator() || i + 1 >= code.insns.length) {
            return t;
        }
        int[] out = Arrays.copyOf(t, t.length + 1);
        out[t.length] = i + 1;
        return out;
    }

    /** The hot region's index (the last region), or -1 if the plan has none. */
    int hotRegion() {
        return hot;
    }

    /** True if the regions count the leaders they run, for {@link HotRegions}. */
    boolean profiled() {
        return profiled;
    }

    /** Longest dispatch block copied, in instructions (the branch included). */
    static final int MAX_COPY_INSNS = 16;

    /**
     * One past the last instruction of the basic block led by instruction {@code leader}: the
     * next leader, or the end of the function.
     */
    private static int blockEnd(FunctionCode code, int leader) {
        int i = leader + 1;
        while (i < code.insns.length && !code.leader[i]) {
            i++;
        }
        return i;
    }

    /** Fewest branch sites that must jump to a block for it to be a dispatch block. */
    static final int MIN_BRANCHES_IN = 8;

    /**
     * The leaders of the function's <em>dispatch blocks</em>: blocks of at most {@link
     * #MAX_COPY_INSNS} instructions ending in a {@code br_table} (so calling nothing: a call ends
     * its block), with no float store (whose NaN check a {@link StoreCheckWindow} may defer past
     * the block), that at least {@link #MIN_BRANCHES_IN} branches jump to. An interpreter loop's
     * fetch and switch (Lua's {@code luaV_execute}) is one: every arm of the switch branches back
     * to it.
     */
    static BitSet dispatchBlocks(FunctionCode code) {
        int n = code.insns.length;
        int[] in = new int[n];
        for (int i = 0; i < n; i++) {
            for (int t : branchTargetInsns(code, i)) {
                in[t]++;
            }
        }
        BitSet out = new BitSet();
        for (int i = 0; i < n; i++) {
            if (in[i] >= MIN_BRANCHES_IN && code.leader[i] && isSmallSwitch(code, i)) {
                out.set(i);
            }
        }
        return out;
    }

    private static boolean isSmallSwitch(FunctionCode code, int leader) {
        int end = blockEnd(code, leader);
        if (end - leader > MAX_COPY_INSNS || code.insns[end - 1].opcode() != Opcode.BR_TABLE) {
            return false;
        }
        for (int j = leader; j < end; j++) {
            Opcode op = code.insns[j].opcode();
            if (op == Opcode.F32_STORE || op == Opcode.F64_STORE || op.isCall()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The dispatch blocks outside region {@code k} that its code branches (or falls off its end)
     * to, which the region holds copies of: leaving an arm of an interpreter loop's switch for
     * the switch then goes straight on to the next arm, within the region if the arm is there,
     * else to the arm's region, instead of crossing into the switch's region and out again.
     */
    private int[] findCopies(int k, BitSet dispatch) {
        if (dispatch.isEmpty()) {
            return new int[0];
        }
        int from = this.from[k];
        int to = this.to[k];
        BitSet found = new BitSet();
        for (int i = from; i < to; i++) {
            for (int t : branchTargetInsns(i)) {
                if ((t < from || t >= to) && dispatch.get(t)) {
                    found.set(t);
                }
            }
        }
        if (!code.insns[to - 1].opcode().isTerminator() && dispatch.get(to)) {
            found.set(to);
        }
        return found.stream().toArray();
    }

    private int[] branchTargetInsns(int i) {
        return branchTargetInsns(code, i);
    }

    /** The instruction indices instruction {@code i} may branch to (none if it is not a branch). */
    private static int[] branchTargetInsns(FunctionCode code, int i) {
        Instruction in = code.insns[i];
        if (!in.opcode().isBranch()) {
            return new int[0];
        }
        int[] pcs = FunctionCode.targets(in);
        int[] out = new int[pcs.length];
        for (int j = 0; j < pcs.length; j++) {
            out[j] = code.indexOfPc(pcs[j]);
        }
        return out;
    }

    /**
     * Leaders of the dispatch blocks ({@link #isDispatchBlock}) outside {@code region} that it
     * holds copies of, ascending: a branch (or the fall off its end) to one of them jumps to the
     * copy, which charges the block's fuel at its leader exactly as the block itself would, runs
     * its instructions (same pcs, so the same traps and suspension points) and then branches
     * within the region or leaves it for the target's entry. Only code for C2 copies them.
     */
    int[] copiedBlocks(int region) {
        return copies[region];
    }

    /** True if {@code region} holds a copy of the dispatch block led by instruction {@code insn}. */
    boolean copies(int region, int insn) {
        return Arrays.binarySearch(copies[region], insn) >= 0;
    }

    /** One past the last instruction of the copied block led by {@code insn}. */
    int copyEnd(int insn) {
        return blockEnd(code, insn);
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
        return from.length;
    }

    int from(int region) {
        return from[region];
    }

    int to(int region) {
        return to[region];
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
        int[] e = entries[region];
        int[][] out = new int[e.length][];
        BitSet seen = new BitSet(code.insns.length);
        int[] work = new int[code.insns.length];
        for (int k = 0; k < e.length; k++) {
            // A walk over the region's own instructions (home range and copied blocks) from the
            // entry: a copied block's code is reachable like the home range's.
            seen.clear();
            BitSet use = new BitSet();
            BitSet def = new BitSet();
            int top = 0;
            work[top++] = e[k];
            seen.set(e[k]);
            while (top > 0) {
                int i = work[--top];
                registers(code.insns[i], use, def);
                for (int t : successors(i)) {
                    if (!seen.get(t) && (t >= from[region] && t < to[region]
                            || (code.leader[t] ? copies(region, t) : t > i && inRegion(region, t)))) {
                        seen.set(t);
                        work[top++] = t;
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

    /**
     * The code a branch of region {@code from} to instruction {@code insn} (outside it) leaves
     * with: the hot region's entry there if the hot region copies that block, else {@link
     * #exitCode(int)}.
     */
    int exitCode(int from, int insn) {
        if (hot >= 0 && from != hot && hotEntry[insn] >= 0) {
            return hot << 16 | hotEntry[insn];
        }
        return exitCode(insn);
    }

    /** The code that names instruction {@code insn} as an entry of its home region. */
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
        return partition(code, sizes, budget, new BitSet());
    }

    /**
     * As {@link #partition(FunctionCode, int[], int)}, but never cutting inside one of the
     * blocks whose leaders {@code whole} holds (the dispatch blocks, {@link #dispatchBlocks}): a
     * cut that would fall inside one falls at its leader instead, so that the block's own region
     * runs it without a crossing, as the copies in other regions do.
     */
    static int[] partition(FunctionCode code, int[] sizes, int budget, BitSet whole) {
        return partition(code, sizes, budget, whole, 0, code.insns.length);
    }

    /** As {@link #partition(FunctionCode, int[], int, BitSet)}, for instructions {@code from} to {@code to} only. */
    static int[] partition(FunctionCode code, int[] sizes, int budget, BitSet whole, int from, int to) {
        int n = to;
        List<Integer> cuts = new ArrayList<>();
        cuts.add(from);
        BitSet use = new BitSet();
        BitSet def = new BitSet();
        int start = from;
        long body = 0;
        int entryCount = 0;
        for (int i = from; i < n; i++) {
            BitSet u = (BitSet) use.clone();
            BitSet d = (BitSet) def.clone();
            registers(code.insns[i], u, d);
            u.or(d);
            int entriesIfAdded = entryCount + (i == start || code.branchTarget[i] ? 1 : 0);
            long estimate = body + sizes[i] + overhead(u.cardinality(), d.cardinality(), entriesIfAdded);
            boolean tooBig = estimate > budget || i - start >= MAX_REGION_INSNS
                    || code.insns[i].next() - code.insns[start].pc() > MAX_REGION_SPAN;
            if (tooBig && i > start) {
                // Cut before i, or at the leader of a block kept whole that i lies inside; the
                // next region then starts empty and takes its first instruction again.
                int cut = i;
                while (!whole.isEmpty() && cut > start && !code.leader[cut]) {
                    cut--;
                }
                if (cut == start || cut == i || !whole.get(cut)) {
                    cut = i;
                }
                cuts.add(cut);
                start = cut;
                body = 0;
                entryCount = 0;
                use.clear();
                def.clear();
                i = cut - 1;
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

    /**
     * Cuts a function that has no dispatch blocks as {@link #partition(FunctionCode, int[], int)}
     * does, but places each cut by the function's loops: a cut inside a loop makes every
     * iteration cross between two regions (a return to the dispatcher, a call, the entry's
     * register loads and stores), so each region may end anywhere from half the budget to {@code
     * stretch}, and ends where the innermost loop its cut falls inside is largest (none at all
     * is best); among equally good places, the one nearest to where the budget alone would cut.
     * So a function without loops, or one whose every candidate place lies in the same loop,
     * is cut exactly as by the budget alone. Loops are intervals from a backward branch's
     * target to the branch (wasm's loops, and any other backward branch).
     *
     * @param stretch largest estimate a region may reach to keep a loop whole (at least {@code budget})
     */
    static int[] partitionByLoops(FunctionCode code, int[] sizes, int budget, int stretch) {
        int n = code.insns.length;
        long[] inner = innermostLoops(code, sizes);
        if (inner == null) {
            return partition(code, sizes, budget);
        }
        List<Integer> cuts = new ArrayList<>();
        cuts.add(0);
        long[] estimates = new long[n + 1];
        int start = 0;
        while (start < n) {
            // estimates[c]: the estimate of region [start, c), for every c up to the last that
            // fits the stretch (and the instruction and span limits).
            BitSet all = new BitSet();
            BitSet def = new BitSet();
            long body = 0;
            int entryCount = 0;
            int last = start + 1;
            int byBudget = start + 1;
            for (int i = start; i < n; i++) {
                registers(code.insns[i], all, def);
                all.or(def);
                entryCount += i == start || code.branchTarget[i] ? 1 : 0;
                body += sizes[i];
                long estimate = body + overhead(all.cardinality(), def.cardinality(), entryCount);
                boolean fits = i + 1 - start <= MAX_REGION_INSNS
                        && code.insns[i].next() - code.insns[start].pc() <= MAX_REGION_SPAN;
                if (i > start && (!fits || estimate > stretch)) {
                    break;
                }
                estimates[i + 1] = estimate;
                last = i + 1;
                if (estimate <= budget || i == start) {
                    byBudget = i + 1;
                }
            }
            int cut = byBudget;
            for (int c = start + 1; c <= last; c++) {
                if (estimates[c] * 2 < budget) {
                    continue;
                }
                if (inner[c] > inner[cut]
                        || inner[c] == inner[cut] && Math.abs(c - byBudget) < Math.abs(cut - byBudget)) {
                    cut = c;
                }
            }
            cuts.add(cut);
            start = cut;
        }
        return cuts.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Bytes region {@code region} takes at most besides its instructions' own (their measured
     * sizes and stubs): zeroing every register it uses (at most 5 bytes each), each entry
     * loading its {@link #entryLoads} and each distinct set of {@link #entryStores} stored (at
     * most 13 bytes a register: the array, a wide index, the access, a conversion call and a
     * wide local), its two switches (8 bytes an entry), prologue and return. The budget's
     * estimate ({@link #overhead}) counts each register once, which is far less when a region has
     * many entries (a region estimated at 2000 bytes measured up to 6,100, in QuickJS); regions
     * stretched to keep a loop whole whose bound passes {@link FunctionCompiler#METHOD_LIMIT} are
     * measured before they are used.
     */
    long edgeBound(int region) {
        long registers = 0;
        for (int[] l : entryLoads(region)) {
            registers += l.length;
        }
        java.util.Set<List<Integer>> stores = new java.util.HashSet<>();
        for (int[] st : entryStores(region)) {
            if (stores.add(Arrays.stream(st).boxed().toList())) {
                registers += st.length;
            }
        }
        return 200L + 5L * used[region].length + 13L * registers + 8L * entries[region].length;
    }

    /** Most work {@link #innermostLoops} does before giving up (the places its loops hold, summed). */
    static final long MAX_LOOP_WORK = 20_000_000;

    /**
     * Per cut place {@code c} (between instructions c - 1 and c, 0 to n): the estimated size of
     * the smallest loop a cut there falls inside, or {@code Long.MAX_VALUE} if none: a loop from
     * target {@code t} to backward branch {@code b} holds the places {@code t < c <= b}. Null if
     * the loops hold more than {@link #MAX_LOOP_WORK} places in all (then the budget alone cuts).
     */
    static long[] innermostLoops(FunctionCode code, int[] sizes) {
        int n = code.insns.length;
        long[] prefix = new long[n + 1];
        for (int i = 0; i < n; i++) {
            prefix[i + 1] = prefix[i] + sizes[i];
        }
        // Per loop header t, its backward branches in ascending order: the smallest loop from t
        // holding place c ends at the first of them at or after c.
        List<List<Integer>> back = new ArrayList<>();
        for (int i = 0; i <= n; i++) {
            back.add(null);
        }
        for (int b = 0; b < n; b++) {
            for (int t : branchTargetInsns(code, b)) {
                if (t <= b) {
                    if (back.get(t) == null) {
                        back.set(t, new ArrayList<>());
                    }
                    List<Integer> l = back.get(t);
                    if (l.isEmpty() || l.get(l.size() - 1) != b) {
                        l.add(b);
                    }
                }
            }
        }
        long[] inner = new long[n + 1];
        Arrays.fill(inner, Long.MAX_VALUE);
        long work = 0;
        for (int t = 0; t < n; t++) {
            List<Integer> l = back.get(t);
            if (l == null) {
                continue;
            }
            work += l.get(l.size() - 1) - t;
            if (work > MAX_LOOP_WORK) {
                return null;
            }
            int j = 0;
            for (int c = t + 1; c <= l.get(l.size() - 1); c++) {
                while (l.get(j) < c) {
                    j++;
                }
                inner[c] = Math.min(inner[c], prefix[l.get(j) + 1] - prefix[t]);
            }
        }
        return inner;
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
