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

/**
 * The run-time state of one module: its memory, globals, tables, resolved host functions, fuel
 * and limits. Engines run code against it ({@link Engine#invoke}); nothing in it is shared with
 * another instance, so many instances of one module run side by side without seeing each other.
 *
 * <p>An instance is not thread-safe: one thread at a time runs code in it. Only the module and
 * the engine's decoded code (both immutable) are shared between instances.
 */
public final class Instance {
    private final Module module;
    private final Memory memory;
    private final long[] globals;
    private final Table[] tables;
    private final HostFunction[] hostFunctions;
    private final int maxCallDepth;
    private final boolean metered;
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
        this.module = Objects.requireNonNull(module, "module");
        Objects.requireNonNull(imports, "imports");
        Objects.requireNonNull(options, "options");
        this.hostFunctions = resolveImports(module, imports);
        long fixed = hostBytes(module);
        long limit = Math.min(options.maxMemoryPages(), Module.MAX_MEMORY_PAGES) * Module.PAGE_SIZE;
        long initial = module.memory() == null ? 0 : module.memory().min() * Module.PAGE_SIZE;
        if (fixed > 0 && fixed + initial > limit) {
            throw new LinkException("instantiation refused: the module's tables and globals take " + fixed
                    + " bytes of host memory, which with its initial memory of " + initial
                    + " bytes is over the memory limit of " + limit + " bytes");
        }
        this.memory = createMemory(module.memory(), options);
        if (memory != null) {
            memory.overhead(fixed);
        }
        this.globals = new long[module.globals().size()];
        for (int i = 0; i < globals.length; i++) {
            Global g = module.globals().get(i);
            globals[i] = normalize(g.type(), g.init());
        }
        this.tables = createTables(module.tables());
        applyElements(module);
        applyData(module);
        this.maxCallDepth = options.maxCallDepth();
        this.metered = options.metered();
        this.fuel = options.fuel();
        this.budget = options.fuel();
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

    private static Table[] createTables(List<Limits> limits) {
        Table[] tables = new Table[limits.size()];
        for (int i = 0; i < tables.length; i++) {
            long size = limits.get(i).min();
            if (size < 0 || size > Verifier.MAX_TABLE_SIZE) {
                throw new LinkException("table " + i + " of " + size + " elements is over the limit of "
                        + Verifier.MAX_TABLE_SIZE + " elements");
            }
            tables[i] = new Table((int) size);
        }
        return tables;
    }

    private void applyElements(Module module) {
        List<ElementSegment> elements = module.elements();
        for (int s = 0; s < elements.size(); s++) {
            ElementSegment seg = elements.get(s);
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
                table.set((int) seg.offset() + i, f);
            }
        }
    }

    private void applyData(Module module) {
        List<DataSegment> data = module.data();
        for (int s = 0; s < data.size(); s++) {
            DataSegment seg = data.get(s);
            long size = memory == null ? 0 : memory.bytes().length;
            if (seg.offset() < 0 || seg.offset() > size - seg.bytes().length) {
                throw new LinkException("data segment " + s + " (" + seg.bytes().length + " bytes at offset "
                        + seg.offset() + ") does not fit memory of " + size + " bytes");
            }
            if (seg.bytes().length > 0) {
                System.arraycopy(seg.bytes(), 0, memory.bytes(), (int) seg.offset(), seg.bytes().length);
            }
        }
    }

    /**
     * The host memory an instance of {@code module} takes besides its linear memory, in bytes:
     * 4 per table element and 8 per global (what the instance allocates for them). Quotas count
     * it with the memory (see {@link Memory.GrowPolicy}), so that a module cannot take the host's
     * memory through tables that pass {@code verify}: a cell checks it before it instantiates.
     */
    public static long hostBytes(Module module) {
        long bytes = 8L * module.globals().size();
        for (Limits t : module.tables()) {
            bytes += 4L * Math.max(0, t.min());
        }
        return bytes;
    }

    /** Raw bits in register form: i32 sign-extended, f32 zero-extended (see {@link ValType}). */
    static long normalize(ValType type, long bits) {
        return switch (type) {
            case I32 -> (int) bits;
            case F32 -> bits & 0xFFFFFFFFL;
            case I64, F64 -> bits;
        };
    }

    public Module module() {
        return module;
    }

    /** The linear memory, or null if the module has none. */
    public Memory memory() {
        return memory;
    }

    /**
     * The globals' current values as raw bits, indexed by global index. This is the live array
     * the engines read and write, not a copy.
     */
    public long[] globals() {
        return globals;
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
