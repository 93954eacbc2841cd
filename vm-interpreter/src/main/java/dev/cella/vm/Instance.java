package dev.cella.vm;

import dev.cella.isa.ValType;
import dev.cella.isa.module.DataSegment;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.Export;
import dev.cella.isa.module.ExportKind;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Global;
import dev.cella.isa.module.Import;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Module;
import dev.cella.isa.verify.Verifier;
import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * The run-time state of one module: its memory, globals, tables, resolved host functions, fuel
 * and limits. Engines run code against it ({@link Engine#invoke}); nothing in it is shared with
 * another instance but what it imports (a memory, tables, globals), so many instances of one
 * module run side by side without seeing each other. Instances that share funcref tables or
 * globals across modules are linked in a {@link Store}.
 *
 * <p>An instance is not thread-safe: one thread at a time runs code in it. Only the module and
 * the engine's decoded code (both immutable) are shared between instances.
 */
public final class Instance {
    private final Module module;
    private final Memory memory;
    /** False if the memory is imported: its quota accounting (overhead) is its owner's. */
    private final boolean ownsMemory;
    private final long[] globals;
    /** The variables of imported globals, by global index (null for an owned global). */
    private final GlobalCell[] linked;
    private final Table[] tables;
    /** The store the instance is linked in, or null. */
    private final Store store;
    /** The raw bits of a reference to function 0 less one: its number in its store, shifted ({@link Store}). */
    private final long refBase;
    /** The current contents of each element segment: a passive one's functions until elem.drop, else empty. */
    private final int[][] segments;
    private final Memory.GrowPolicy policy;
    /** The most host memory the instance may take (its memory limit), in bytes. */
    private final long hostLimit;
    /** Host bytes taken besides linear memory: {@link #hostBytes} at first, more as tables grow. */
    private long overhead;
    private final HostFunction[] hostFunctions;
    private final int maxCallDepth;
    /** The stack's size in units ({@link StateValidator#stackUnits}). */
    private final int maxStackUnits;
    /** Units of the stack a refused call would have made ({@link #stackRefused()}); 0 if none was refused. */
    private long stackRefused;
    private final boolean metered;
    /** The numbering of this instance's exception tags ({@link ImportResolver#tagNamespace()}). */
    private final Object tagNamespace;
    private long fuel;
    /** Fuel charged before the last {@link #setFuel}: fuel used = this + (fuel budget since then - fuel). */
    private long usedBefore;
    private long budget;
    private InterruptHook interruptHook;

    /**
     * Instantiates {@code module}: resolves its imports, creates zeroed memory, globals with their
     * initial values and tables, then applies the element and data segments. Does not run the
     * start function.
     *
     * @param module a verified module
     * @param imports supplies the host functions
     * @param options fuel, call depth and memory limits
     * @throws LinkException if an import is missing (or the resolver rejects it), a host import
     *     has more than one result, the initial memory is over {@code options.maxMemoryPages()},
     *     a table is too large, or a segment does not fit its table or memory
     */
    public Instance(Module module, ImportResolver imports, InstanceOptions options) {
        this(module, imports, options, null, null);
    }

    /**
     * Instantiates {@code module} as the constructor above does, linked in {@code store} (if not
     * null) and run by {@code engine} there: the store holds it from before its segments are
     * placed, so a reference another instance got from them (through a shared table) calls it
     * even if a later segment fails.
     *
     * @throws LinkException as above, or if a table import is missing or does not match
     */
    public Instance(Module module, ImportResolver imports, InstanceOptions options, Store store, Engine engine) {
        this.module = Objects.requireNonNull(module, "module");
        Objects.requireNonNull(imports, "imports");
        Objects.requireNonNull(options, "options");
        this.hostFunctions = resolveImports(module, imports);
        // Before anything that may fail once the store holds the instance: its functions must run.
        this.maxCallDepth = options.maxCallDepth();
        this.maxStackUnits = (int) (options.maxStackBytes() / 8);
        this.metered = options.metered();
        this.fuel = options.fuel();
        this.budget = options.fuel();
        this.store = store;
        this.refBase = store == null ? 0 : (long) store.add(this, Objects.requireNonNull(engine, "engine")) << 32;
        Object namespace = imports.tagNamespace();
        this.tagNamespace = namespace != null ? namespace : this;
        long fixed = hostBytes(module);
        long limit = Math.min(options.maxMemoryPages(), Module.MAX_MEMORY_PAGES) * Module.PAGE_SIZE;
        long initial = module.memory() == null || module.memoryImport() != null ? 0
                : module.memory().min() * Module.PAGE_SIZE;
        if (fixed > 0 && fixed + initial > limit) {
            throw new LinkException("instantiation refused: the module's tables and globals take " + fixed
                    + " bytes of host memory, which with its initial memory of " + initial
                    + " bytes is over the memory limit of " + limit + " bytes");
        }
        this.ownsMemory = module.memoryImport() == null;
        this.memory = ownsMemory ? createMemory(module.memory(), options) : importMemory(module, imports);
        this.policy = options.growPolicy();
        this.hostLimit = limit;
        this.overhead = fixed;
        if (memory != null && ownsMemory) {
            memory.overhead(fixed);
        }
        this.globals = new long[module.globals().size()];
        this.linked = new GlobalCell[globals.length];
        for (int i = 0; i < globals.length; i++) {
            Global g = module.globals().get(i);
            if (g.imported()) {
                linked[i] = imports.global(g.importModule(), g.importName(), g.type(), g.mutable());
                if (linked[i] == null) {
                    throw new LinkException("missing import " + g.importModule() + "." + g.importName() + " (a "
                            + (g.mutable() ? "mutable " : "") + g.type() + " global)");
                }
            } else if (g.type() == ValType.FUNCREF) {
                globals[i] = g.init() == 0 ? 0 : functionRef((int) g.init() - 1);
            } else {
                globals[i] = normalize(g.type(), g.init());
            }
        }
        this.tables = createTables(module, imports);
        this.segments = new int[module.elements().size()][];
        applyElements(module);
        applyData(module);
    }

    private static HostFunction[] resolveImports(Module module, ImportResolver resolver) {
        List<Import> imports = module.imports();
        HostFunction[] resolved = new HostFunction[imports.size()];
        for (int i = 0; i < resolved.length; i++) {
            Import imp = imports.get(i);
            FuncType type = module.types().get(imp.typeIndex());
            if (type.results().size() > 1) {
                throw new LinkException("import " + imp.module() + "." + imp.name() + " has type " + type
                        + ", but a host function returns at most one value");
            }
            HostFunction f = resolver.resolve(imp.module(), imp.name(), type);
            if (f == null) {
                throw new LinkException("missing import " + imp.module() + "." + imp.name() + " of type " + type);
            }
            resolved[i] = f;
        }
        return resolved;
    }

    /**
     * The imported memory, checked against the module's limits as Wasm links it: at least {@code
     * min} pages now and, if the import gives a maximum, a maximum no larger.
     */
    private static Memory importMemory(Module module, ImportResolver resolver) {
        var imp = module.memoryImport();
        Limits want = module.memory();
        String what = imp.module() + "." + imp.name();
        Memory m = resolver.memory(imp.module(), imp.name(), want);
        if (m == null) {
            throw new LinkException("missing import " + what + " (a memory)");
        }
        if (m.pages() < want.min() || (want.hasMax() && m.maxPages() > want.max())) {
            throw new LinkException("incompatible import type: memory " + what + " has " + m.pages()
                    + " pages and a maximum of " + m.maxPages() + ", imported as at least " + want.min() + " pages"
                    + (want.hasMax() ? " with a maximum of at most " + want.max() : ""));
        }
        return m;
    }

    private static Memory createMemory(Limits limits, InstanceOptions options) {
        if (limits == null) {
            return null;
        }
        long limit = Math.min(options.maxMemoryPages(), Module.MAX_MEMORY_PAGES);
        long max = Math.min(limits.hasMax() ? limits.max() : Module.MAX_MEMORY_PAGES, limit);
        if (limits.min() > limit) {
            throw new LinkException("initial memory of " + limits.min() + " pages is over the limit of "
                    + limit + " pages");
        }
        if (limits.min() < 0 || limits.min() > max) {
            throw new LinkException("initial memory of " + limits.min() + " pages is over the memory's maximum of "
                    + max + " pages");
        }
        Memory m = new Memory(limits.min(), max);
        m.policy(options.growPolicy());
        return m;
    }

    private static Table[] createTables(Module module, ImportResolver resolver) {
        List<Limits> limits = module.tables();
        Table[] tables = new Table[limits.size()];
        for (int i = 0; i < tables.length; i++) {
            if (module.tableImport(i) != null) {
                tables[i] = importTable(module, i, resolver);
                continue;
            }
            long size = limits.get(i).min();
            if (size < 0 || size > Verifier.MAX_TABLE_SIZE) {
                throw new LinkException("table " + i + " of " + size + " elements is over the limit of "
                        + Verifier.MAX_TABLE_SIZE + " elements");
            }
            long max = limits.get(i).hasMax() ? Math.min(limits.get(i).max(), Verifier.MAX_TABLE_SIZE)
                    : Verifier.MAX_TABLE_SIZE;
            tables[i] = new Table(module.tableType(i), (int) size, Math.max(max, size), limits.get(i).max());
        }
        return tables;
    }

    /**
     * Imported table {@code index}, checked as Wasm matches a table import: the same element
     * type, at least {@code min} elements now and, if the import gives a maximum, a declared
     * maximum no larger.
     */
    private static Table importTable(Module module, int index, ImportResolver resolver) {
        var imp = module.tableImport(index);
        Limits want = module.tables().get(index);
        ValType type = module.tableType(index);
        String what = imp.module() + "." + imp.name();
        Table t = resolver.table(imp.module(), imp.name(), type, want);
        if (t == null) {
            throw new LinkException("missing import " + what + " (a " + type + " table)");
        }
        if (t.type() != type || t.size() < want.min()
                || (want.hasMax() && (t.declaredMax() == Limits.NONE || t.declaredMax() > want.max()))) {
            throw new LinkException("incompatible import type: table " + what + " of " + t.type() + " has "
                    + t.size() + " elements and " + (t.declaredMax() == Limits.NONE ? "no maximum"
                    : "a maximum of " + t.declaredMax()) + ", imported as a table of " + type + " of at least "
                    + want.min() + " elements" + (want.hasMax() ? " with a maximum of at most " + want.max() : ""));
        }
        return t;
    }

    private void applyElements(Module module) {
        List<ElementSegment> elements = module.elements();
        for (int s = 0; s < elements.size(); s++) {
            ElementSegment seg = elements.get(s);
            // An active segment is empty once placed, as if dropped (Wasm's rule).
            segments[s] = seg.passive() ? seg.functions() : EMPTY;
            if (seg.passive()) {
                continue;
            }
            if (seg.table() < 0 || seg.table() >= tables.length) {
                throw new LinkException("element segment " + s + " names table " + seg.table()
                        + ", but the module has " + tables.length + " tables");
            }
            Table table = tables[seg.table()];
            int[] functions = seg.functions();
            if (seg.offset() < 0 || seg.offset() > table.size() - (long) functions.length) {
                throw new LinkException("element segment " + s + " (" + functions.length + " elements at offset "
                        + seg.offset() + ") does not fit table " + seg.table() + " of " + table.size() + " elements");
            }
            for (int i = 0; i < functions.length; i++) {
                int f = functions[i];
                if (f < -1 || f >= module.functionCount()) {
                    throw new LinkException("element segment " + s + " names function " + f + ", but the module has "
                            + module.functionCount() + " functions");
                }
                table.set((int) seg.offset() + i, functionRef(f));
            }
        }
    }

    private void applyData(Module module) {
        List<DataSegment> data = module.data();
        for (int s = 0; s < data.size(); s++) {
            DataSegment seg = data.get(s);
            long size = memory == null ? 0 : memory.size();
            if (seg.offset() < 0 || seg.offset() > size - seg.bytes().length) {
                throw new LinkException("data segment " + s + " (" + seg.bytes().length + " bytes at offset "
                        + seg.offset() + ") does not fit memory of " + size + " bytes");
            }
            if (seg.bytes().length > 0) {
                memory.write(seg.offset(), seg.bytes(), 0, seg.bytes().length);
            }
        }
    }

    /**
     * The host memory an instance of {@code module} takes at first besides its linear memory, in
     * bytes: 8 per table element and 8 per global (what the instance allocates for them). Quotas
     * count it with the memory (see {@link Memory.GrowPolicy}), so that a module cannot take the
     * host's memory through tables that pass {@code verify}: a cell checks it before it
     * instantiates. table.grow adds 8 bytes per element ({@link #reserveHostBytes}).
     */
    public static long hostBytes(Module module) {
        long bytes = 8L * module.globals().size();
        for (int i = 0; i < module.tables().size(); i++) {
            if (module.tableImport(i) == null) { // an imported table's are its owner's
                bytes += TABLE_ELEMENT_BYTES * Math.max(0, module.tables().get(i).min());
            }
        }
        return bytes;
    }

    /** Host bytes per table element. */
    public static final long TABLE_ELEMENT_BYTES = 8;

    private static final int[] EMPTY = new int[0];

    /**
     * table.grow of table {@code index} by {@code delta} elements (read as unsigned) set to
     * {@code ref}, by the rule of {@link BulkWork}: once the table's maximum, the instance's
     * memory limit and the quota's {@link Memory.GrowPolicy} allow the growth (8 bytes of host
     * memory per element), {@code charge} is given its fuel ({@link BulkWork#tableUnits} of the
     * new size: the table is copied); it may throw (fuel exhausted), leaving the table unchanged.
     *
     * @return the old size, or -1 (table unchanged) if the growth is not allowed
     */
    public int growTable(int index, long ref, int delta, LongConsumer charge) {
        Table t = tables[index];
        long old = t.size();
        long want = old + (delta & 0xFFFFFFFFL);
        if (want > t.max()) {
            return -1;
        }
        if (want == old) {
            return (int) old;
        }
        long bytes = TABLE_ELEMENT_BYTES * (want - old);
        // Decided on the memory's size, not its capacity, so that whether a growth is allowed does
        // not depend on the memory's growth history (a restored memory has another capacity);
        // the capacity's slack past the size can thus pass the quota by the table bytes grown
        // after it (docs/sandbox.md, "Host memory a guest can make the host allocate").
        long before = (memory == null ? 0 : memory.size()) + overhead;
        if (before + bytes > hostLimit || !policy.allow(before, before + bytes)) {
            return -1;
        }
        charge.accept(BulkWork.tableUnits(want));
        t.grow((int) (want - old), ref);
        overhead += bytes;
        if (memory != null && ownsMemory) {
            memory.overhead(overhead);
        }
        return (int) old;
    }

    /**
     * The current contents of element segment {@code index} as function indices (-1 null): a
     * passive segment's until it is dropped, else empty. Not a copy: do not modify.
     */
    public int[] segment(int index) {
        return segments[index];
    }

    /** True if element segment {@code index} is empty now (dropped, active, or passive and empty). */
    public boolean segmentDropped(int index) {
        return segments[index].length == 0;
    }

    /** elem.drop: empties element segment {@code index}. */
    public void dropSegment(int index) {
        segments[index] = EMPTY;
    }

    /**
     * Restores table {@code index} to {@code contents} (raw references, checked by the caller),
     * counting its size in the host memory taken, as after the table.grow calls that made it.
     *
     * @throws IllegalArgumentException if the contents are over the table's maximum
     */
    public void restoreTable(int index, long[] contents) {
        Table t = tables[index];
        long delta = TABLE_ELEMENT_BYTES * (contents.length - t.size());
        t.restore(contents);
        overhead += delta;
        if (memory != null && ownsMemory) {
            memory.overhead(overhead);
        }
    }

    /**
     * The raw bits of a reference to function {@code function} of this instance ({@code f + 1},
     * plus the instance's place in its {@link Store}), or 0 (null) for -1.
     */
    public long functionRef(int function) {
        return function < 0 ? 0 : refBase + function + 1;
    }

    /**
     * What {@link #functionRef} adds to {@code f + 1}: a reference {@code ref} names this
     * instance's function {@code ref - refBase() - 1} if that is one of its functions.
     */
    public long refBase() {
        return refBase;
    }

    /** The store the instance is linked in, or null if it is alone. */
    public Store store() {
        return store;
    }

    /**
     * The function of another instance of this one's store that {@code ref} names, for
     * call_indirect with type index {@code typeIndex} of this module, or null if it names none or
     * one of another type (a trap: indirect call type mismatch).
     */
    public ForeignFunction foreignFunction(long ref, int typeIndex) {
        return store == null ? null : store.function(ref, module.types().get(typeIndex));
    }

    /** Raw bits in register form: i32 sign-extended, f32 zero-extended (see {@link ValType}). */
    static long normalize(ValType type, long bits) {
        return switch (type) {
            case I32 -> (int) bits;
            case F32 -> bits & 0xFFFFFFFFL;
            case I64, F64, FUNCREF, EXTERNREF -> bits;
            case V128 -> throw new IllegalArgumentException("v128 is an operand type only");
        };
    }

    /** The numbering its exception tags belong to: the resolver's {@link ImportResolver#tagNamespace()}, else this instance. */
    public Object tagNamespace() {
        return tagNamespace;
    }

    /** The module. */
    public Module module() {
        return module;
    }

    /** The linear memory, or null if the module has none. */
    public Memory memory() {
        return memory;
    }

    /**
     * The globals' current values as raw bits, indexed by global index. This is the live array
     * the engines read and write, not a copy; an imported global's slot is unused (0): its value
     * is in its {@link #globalCell}.
     */
    public long[] globals() {
        return globals;
    }

    /** True if global {@code index} is imported: the engines read and write it through {@link #globalGet}. */
    public boolean globalLinked(int index) {
        return linked[index] != null;
    }

    /** The variable of global {@code index}: its import's, or this instance's own slot. */
    public GlobalCell globalCell(int index) {
        return linked[index] != null ? linked[index] : new GlobalCell(globals, index);
    }

    /** The value of global {@code index} (raw bits), wherever it lives. */
    public long globalGet(int index) {
        return linked[index] != null ? linked[index].get() : globals[index];
    }

    /** Sets global {@code index} to {@code bits}, wherever it lives. */
    public void globalSet(int index, long bits) {
        if (linked[index] != null) {
            linked[index].set(bits);
        } else {
            globals[index] = bits;
        }
    }

    /**
     * @throws IndexOutOfBoundsException if the module has no table {@code index}
     */
    public Table table(int index) {
        return tables[index];
    }

    /**
     * The host function resolved for import {@code importIndex} (which is also its function index).
     *
     * @throws IndexOutOfBoundsException if there is no such import
     */
    public HostFunction hostFunction(int importIndex) {
        return hostFunctions[importIndex];
    }

    /** Fuel left, in units; {@link Long#MAX_VALUE} (minus what was used) if unlimited. */
    public long fuelRemaining() {
        return fuel;
    }

    /** Fuel charged so far over the instance's life, across {@link #setFuel} calls. */
    public long fuelUsed() {
        return usedBefore + (budget - fuel);
    }

    /**
     * Gives the instance a new fuel budget of {@code remaining} units (for example to resume a
     * guest that ran out). Fuel already used still counts in {@link #fuelUsed}.
     *
     * @throws IllegalArgumentException if {@code remaining} is negative
     */
    public void setFuel(long remaining) {
        if (remaining < 0) {
            throw new IllegalArgumentException("negative fuel " + remaining);
        }
        usedBefore = fuelUsed();
        budget = remaining;
        fuel = remaining;
    }

    /**
     * For engines: records that the running guest has charged fuel down to {@code remaining}
     * (never more than the current remaining fuel). Unlike {@link #setFuel} this is consumption,
     * so {@link #fuelUsed} grows by the difference.
     */
    public void consumeFuelTo(long remaining) {
        fuel = remaining;
    }

    public int maxCallDepth() {
        return maxCallDepth;
    }

    /**
     * The most stack units of 8 bytes all active guest frames may take together (the frame model
     * of {@link StateValidator#FRAME_UNITS}; {@link InstanceOptions#maxStackBytes} / 8).
     */
    public int maxStackUnits() {
        return maxStackUnits;
    }

    /**
     * For engines: records that a call trapped with call stack exhausted because its frame did
     * not fit the stack (not because of the depth), which would have taken {@code units}.
     */
    public void stackRefused(long units) {
        stackRefused = units;
    }

    /**
     * The stack units of the last call refused for want of stack ({@link #stackRefused(long)}),
     * and forgets it; 0 if none was refused since the last time. The sandbox tells a stack
     * refusal (a memory quota) from a depth one (the call-depth quota) by it.
     */
    public long takeStackRefused() {
        long r = stackRefused;
        stackRefused = 0;
        return r;
    }

    /**
     * False if the instance runs unmetered ({@link InstanceOptions#metered}): engines that support
     * it charge no fuel and only poll the interrupt hook.
     */
    public boolean metered() {
        return metered;
    }

    /** Sets the hook the engines poll at safe points; null removes it. */
    public void interruptHook(InterruptHook hook) {
        this.interruptHook = hook;
    }

    /** The hook the engines poll, or null if none is set. */
    public InterruptHook interruptHook() {
        return interruptHook;
    }

    /** The function index of the function exported as {@code name}, or -1 if there is none. */
    public int exportedFunction(String name) {
        Export e = module.export(name, ExportKind.FUNC);
        return e == null ? -1 : e.index();
    }

    /** The debugging name of function {@code index} from the module's names, or null if it has the default one. */
    public String functionName(int index) {
        return module.names().functions().get(index);
    }
}
