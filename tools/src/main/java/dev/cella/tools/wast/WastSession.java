package dev.cella.tools.wast;

import dev.cella.isa.CellaException;
import dev.cella.isa.ValType;
import dev.cella.isa.module.Export;
import dev.cella.isa.module.ExportKind;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Module;
import dev.cella.vm.Engine;
import dev.cella.vm.GlobalCell;
import dev.cella.vm.GuestException;
import dev.cella.vm.HostFunction;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Memory;
import dev.cella.isa.module.Limits;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.LinkException;
import dev.cella.vm.Store;
import dev.cella.vm.Table;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import dev.cella.wasm.WasmException;
import dev.cella.wasm.TagImports;
import dev.cella.wasm.WasmImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs the commands of one script (as wast2json writes them) against translated modules and
 * records each outcome in a {@link WastReport}.
 *
 * <p>The rules that keep the counts honest (each has a test in WastRunnerTest):
 * <ul>
 *   <li>A module that uses a feature the importer does not translate is skipped, and so is every
 *       command that needs it (its assertions, its registration, modules importing from it), each
 *       counted under the module's skip reason: never as passed.
 *   <li>A skipped module that imports a table, memory or mutable global from registered modules
 *       would have written into them; their state is then unknown, so later commands on them,
 *       and on modules importing from them, are skipped under that module's reason.
 *   <li>A module that fails to load for any other reason fails, and so does every command that
 *       needs it: a broken module cannot hide its dependents as skips.
 *   <li>{@code assert_invalid} and {@code assert_malformed} ask that a module be rejected; a
 *       binary the importer rejects, for whatever reason, is never run, so the assertion passes.
 * </ul>
 *
 * <p>The host module {@code spectest}
 * provides the print functions, the four globals, the memory (1 to 2 pages) and the table (10 to
 * 20 funcref) of the specification's test harness, the last two shared by the script's modules.
 * Registered modules provide their exported functions (called through their own engine),
 * memories, tables, mutable globals and reference globals (shared) and immutable numeric globals
 * (bound at translation). The script's instances are linked in one {@link Store}, so a funcref
 * in a shared table or global names a function of any of them.
 */
final class WastSession {
    /** Fuel for each action: a translation bug that loops forever fails the command instead of hanging. */
    static final long FUEL_PER_ACTION = 5_000_000_000L;

    /**
     * A module of the script: instantiated (problem null), skipped (reason is the skip category) or
     * failed (reason null); problem says why it is not available.
     */
    private record Loaded(Module module, Engine engine, Instance instance, Map<String, Tag> tags, String reason,
            String problem) {
        static Loaded skipped(SkipCommand s) {
            return new Loaded(null, null, null, Map.of(), s.reason, s.getMessage());
        }

        static Loaded failed(String problem) {
            return new Loaded(null, null, null, Map.of(), null, problem);
        }

        /** Throws what a command needing this module ends with when it is not available. */
        Loaded require(String what) {
            if (problem == null) {
                return this;
            }
            String detail = what + " was not loaded: " + problem;
            throw reason != null ? new SkipCommand(reason, detail) : new DependencyFailed(detail);
        }
    }

    /** An exception tag of the script: its number in {@link #tagNamespace} and its type. */
    private record Tag(int number, FuncType type) {}

    /** Ends a command as failed because a module it needs failed to load. */
    private static final class DependencyFailed extends RuntimeException {
        DependencyFailed(String message) {
            super(message, null, false, false);
        }
    }

    private final Function<Module, Engine> engines;
    private final Path directory;
    private final WastReport report;
    private final Map<String, Loaded> named = new HashMap<>();
    private final Map<String, Loaded> registered = new HashMap<>();
    private Loaded current;
    /** spectest's memory, shared by every module of the script that imports it; created on first import. */
    private Memory spectestMemory;
    /** spectest's table (10 to 20 funcref), shared likewise. */
    private Table spectestTable;
    /**
     * The script's instances, linked: a funcref in a table or global one shares with another may
     * name a function of either, and call_indirect calls it in its own instance.
     */
    private final Store store = new Store();
    /** The registered modules each instantiated module imports from. */
    private final Map<Loaded, List<Loaded>> importsFrom = new IdentityHashMap<>();
    /** Modules whose state a skipped module would have changed, with the skip to report. */
    private final Map<Loaded, SkipCommand> stale = new IdentityHashMap<>();
    /**
     * The namespace of every instance's exception tags: each tag a module defines gets the next
     * number, and a tag import the number of the tag it names, so an exception keeps its tag from
     * one module to another (see dev.cella.wasm.TagImports).
     */
    private final Object tagNamespace = new Object();
    private int nextTag;
    /** While a module is being loaded, the registered modules it imports from. */
    private List<Loaded> linking = new ArrayList<>();

    WastSession(Function<Module, Engine> engines, Path directory, WastReport report) {
        this.engines = engines;
        this.directory = directory;
        this.report = report;
    }

    @SuppressWarnings("unchecked")
    void run(Map<String, Object> command) {
        String type = (String) command.get("type");
        int line = ((Number) command.getOrDefault("line", 0L)).intValue();
        try {
            switch (type) {
                case "module" -> module(command, line);
                case "register" -> register(command, line);
                case "action" -> action(command, line);
                case "assert_return" -> assertReturn(command, line);
                case "assert_trap", "assert_exhaustion" -> assertTrap(command, line, type);
                case "assert_exception" -> assertException(command, line);
                case "assert_invalid", "assert_malformed" -> assertRejected(command, line, type);
                case "assert_unlinkable", "assert_uninstantiable" -> assertNotInstantiated(command, line, type);
                default -> report.skip(line, type, "command kind " + type, "command kind not supported by this runner");
            }
        } catch (SkipCommand s) {
            report.skip(line, type, s.reason, s.getMessage());
        } catch (DependencyFailed e) {
            report.fail(line, type, e.getMessage());
        } catch (RuntimeException e) {
            report.fail(line, type, "unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private byte[] binary(Map<String, Object> command) {
        String file = (String) command.get("filename");
        if (file.endsWith(".wat")) {
            throw new SkipCommand(SkipCommand.TEXT_FORMAT, "a text-format module (" + file + "): this runner runs"
                    + " binaries only");
        }
        try {
            return Files.readAllBytes(directory.resolve(file));
        } catch (IOException e) {
            throw new WastException("cannot read " + directory.resolve(file) + ": " + e.getMessage(), e);
        }
    }

    /** Translates and instantiates a binary, running its start function. */
    private Loaded load(byte[] binary) {
        linking = new ArrayList<>();
        Map<String, Tag> tags = new HashMap<>();
        Module m = WasmImporter.translate(binary, this::globalValue, new TagImports() {
            @Override
            public Integer imported(String module, String name, FuncType type) {
                return tagImport(module, name, type);
            }

            @Override
            public int defined(int index, FuncType type) {
                return nextTag++;
            }

            @Override
            public void exported(String name, int tag, FuncType type) {
                tags.put(name, new Tag(tag, type));
            }
        });
        Engine engine = engines.apply(m);
        Instance instance = new Instance(m, new ImportResolver() {
            @Override
            public HostFunction resolve(String module, String name, FuncType type) {
                return WastSession.this.resolve(module, name, type);
            }

            @Override
            public Memory memory(String module, String name, Limits limits) {
                return WastSession.this.memory(module, name, limits);
            }

            @Override
            public GlobalCell global(String module, String name, ValType type, boolean mutable) {
                return WastSession.this.global(module, name, type, mutable);
            }

            @Override
            public Table table(String module, String name, ValType type, Limits limits) {
                return WastSession.this.table(module, name);
            }

            @Override
            public Object tagNamespace() {
                return tagNamespace;
            }
        }, InstanceOptions.defaults().withFuel(FUEL_PER_ACTION), store, engine);
        if (m.start() >= 0) {
            engine.invoke(instance, m.start());
        }
        Loaded loaded = new Loaded(m, engine, instance, Map.copyOf(tags), null, null);
        importsFrom.put(loaded, linking);
        return loaded;
    }

    private void module(Map<String, Object> command, int line) {
        Loaded loaded;
        byte[] binary = null;
        try {
            binary = binary(command);
            loaded = load(binary);
            report.pass("module");
        } catch (WasmException e) {
            if (e.kind() == WasmException.Kind.UNSUPPORTED) {
                SkipCommand s = SkipCommand.of(e);
                loaded = Loaded.skipped(s);
                report.skip(line, "module", s.reason, s.getMessage());
                makeStale(binary, s, line);
            } else {
                loaded = Loaded.failed(e.getMessage());
                report.fail(line, "module", e.getMessage());
            }
        } catch (CellaException | DependencyFailed e) {
            loaded = Loaded.failed(e.getMessage());
            report.fail(line, "module", e.getMessage());
        } catch (SkipCommand e) {
            loaded = Loaded.skipped(e);
            report.skip(line, "module", e.reason, e.getMessage());
            if (binary != null) {
                makeStale(binary, e, line);
            }
        }
        current = loaded;
        Object name = command.get("name");
        if (name != null) {
            named.put((String) name, loaded);
        }
    }

    private void register(Map<String, Object> command, int line) {
        Object name = command.get("name");
        Loaded m = name != null ? named.get((String) name) : current;
        if (m == null) {
            report.fail(line, "register", "no module " + (name != null ? name : "defined yet"));
            return;
        }
        registered.put((String) command.get("as"), m);
        m.require("the registered module");
        report.pass("register");
    }

    private Loaded target(Map<String, Object> action) {
        Object name = action.get("module");
        Loaded m = name != null ? named.get((String) name) : current;
        if (m == null) {
            throw new WastException("no module " + (name != null ? name : "defined yet"));
        }
        m.require("its module");
        requireFresh(m, Collections.newSetFromMap(new IdentityHashMap<>()));
        return m;
    }

    /** Marks the registered modules a skipped module would have written into as stale. */
    private void makeStale(byte[] binary, SkipCommand skip, int line) {
        for (String name : SharedImports.of(binary)) {
            Loaded m = registered.get(name);
            if (m != null && m.problem() == null) {
                stale.putIfAbsent(m, new SkipCommand(skip.reason, "module " + name + " shares a table, memory or"
                        + " global with the module skipped at line " + line + " (" + skip.getMessage() + ")"));
            }
        }
    }

    /** Throws the skip of a stale module {@code m} imports from, directly or not. */
    private void requireFresh(Loaded m, Set<Loaded> seen) {
        SkipCommand s = stale.get(m);
        if (s != null) {
            throw s;
        }
        for (Loaded from : importsFrom.getOrDefault(m, List.of())) {
            if (seen.add(from)) {
                requireFresh(from, seen);
            }
        }
    }

    /** Performs an invoke or get action and returns the results as raw bits. */
    @SuppressWarnings("unchecked")
    private long[] perform(Map<String, Object> action) {
        Loaded m = target(action);
        String field = (String) action.get("field");
        String kind = (String) action.get("type");
        if (kind.equals("get")) {
            Export e = m.module().export(field, ExportKind.GLOBAL);
            if (e == null) {
                throw new WastException("no global export \"" + field + "\"");
            }
            return new long[] {m.instance().globalGet(e.index())};
        }
        int f = m.instance().exportedFunction(field);
        if (f < 0) {
            throw new WastException("no function export \"" + field + "\"");
        }
        List<Object> args = (List<Object>) action.get("args");
        long[] values = new long[0];
        for (Object arg : args) {
            long[] more = WastValues.arguments((Map<String, Object>) arg);
            values = java.util.Arrays.copyOf(values, values.length + more.length);
            System.arraycopy(more, 0, values, values.length - more.length, more.length);
        }
        m.instance().setFuel(FUEL_PER_ACTION);
        return m.engine().invoke(m.instance(), f, values);
    }

    @SuppressWarnings("unchecked")
    private void action(Map<String, Object> command, int line) {
        perform((Map<String, Object>) command.get("action"));
        report.pass("action");
    }

    @SuppressWarnings("unchecked")
    private void assertReturn(Map<String, Object> command, int line) {
        List<Object> expected = (List<Object>) command.get("expected");
        for (Object e : expected) {
            WastValues.checkSupported((Map<String, Object>) e);
        }
        long[] actual;
        try {
            actual = perform((Map<String, Object>) command.get("action"));
        } catch (Trap t) {
            report.fail(line, "assert_return", "trapped: " + t.getMessage());
            return;
        }
        String mismatch = WastValues.compare(expected, actual);
        if (mismatch == null) {
            report.pass("assert_return");
        } else {
            report.fail(line, "assert_return", mismatch);
        }
    }

    @SuppressWarnings("unchecked")
    private void assertTrap(Map<String, Object> command, int line, String kind) {
        String text = (String) command.get("text");
        try {
            long[] results = perform((Map<String, Object>) command.get("action"));
            report.fail(line, kind, "expected a trap (" + text + ") but it returned " + results.length + " value(s)");
        } catch (Trap t) {
            if (trapMatches(t.kind(), text)) {
                report.pass(kind);
            } else {
                report.fail(line, kind, "expected trap \"" + text + "\" but got \"" + t.kind().message + "\"");
            }
        }
    }

    /** assert_exception: the action ends with an exception no frame caught. */
    @SuppressWarnings("unchecked")
    private void assertException(Map<String, Object> command, int line) {
        try {
            long[] results = perform((Map<String, Object>) command.get("action"));
            report.fail(line, "assert_exception", "expected an exception but it returned " + results.length + " value(s)");
        } catch (GuestException e) {
            report.pass("assert_exception");
        } catch (Trap t) {
            report.fail(line, "assert_exception", "expected an exception but it trapped: " + t.kind().message);
        }
    }

    /** True if a trap of {@code kind} is what the script's {@code text} asks for. */
    static boolean trapMatches(TrapKind kind, String text) {
        return text.startsWith(kind.message) || kind.message.startsWith(text);
    }

    private void assertRejected(Map<String, Object> command, int line, String kind) {
        byte[] binary = binary(command);
        try {
            WasmImporter.translate(binary, this::globalValue);
            report.fail(line, kind, "the module was accepted but should be rejected (" + command.get("text") + ")");
        } catch (WasmException e) {
            switch (e.kind()) {
                // Rejected as unsupported: still never run, which is all the assertion asks.
                case MALFORMED, INVALID, UNSUPPORTED -> report.pass(kind);
                case UNINSTANTIABLE -> report.fail(line, kind, "rejected as uninstantiable, not " + kind + ": "
                        + e.getMessage());
            }
        } catch (LinkException e) {
            report.fail(line, kind, "rejected as unlinkable, not " + kind + ": " + e.getMessage());
        }
    }

    private void assertNotInstantiated(Map<String, Object> command, int line, String kind) {
        byte[] binary = binary(command);
        try {
            load(binary);
            report.fail(line, kind, "the module was instantiated but should not be (" + command.get("text") + ")");
        } catch (WasmException e) {
            switch (e.kind()) {
                case UNINSTANTIABLE -> report.pass(kind);
                case UNSUPPORTED -> {
                    SkipCommand s = SkipCommand.of(e);
                    report.skip(line, kind, s.reason, s.getMessage());
                    if (kind.equals("assert_uninstantiable")) {
                        makeStale(binary, s, line); // it might have written its segments before failing
                    }
                }
                case MALFORMED, INVALID -> report.fail(line, kind, "rejected as " + e.kind().word + ": " + e.getMessage());
            }
        } catch (LinkException e) {
            report.pass(kind);
        } catch (Trap e) {
            if (kind.equals("assert_uninstantiable")) {
                report.pass(kind);
            } else {
                report.fail(line, kind, "the start function trapped: " + e.getMessage());
            }
        }
    }

    /** Resolves a function import from spectest or a registered module. */
    private HostFunction resolve(String module, String name, FuncType type) {
        if (module.equals("spectest")) {
            return SpecTestHost.function(name, type);
        }
        Loaded m = registered.get(module);
        if (m == null) {
            return null;
        }
        m.require("imported module " + module);
        linking.add(m);
        Export e = m.module().export(name, ExportKind.FUNC);
        if (e == null) {
            return null;
        }
        FuncType actual = m.module().functionType(e.index());
        if (!actual.equals(type)) {
            throw new LinkException("incompatible import type: " + module + "." + name + " is " + actual
                    + ", imported as " + type);
        }
        Engine engine = m.engine();
        Instance instance = m.instance();
        int function = e.index();
        return (caller, args) -> {
            long[] r = engine.invoke(instance, function, args.clone());
            return r.length == 0 ? 0 : r[0];
        };
    }

    /** Resolves a memory import: spectest's memory (1 to 2 pages, one per script) or a registered module's export. */
    private Memory memory(String module, String name, Limits limits) {
        if (module.equals("spectest")) {
            if (!name.equals("memory")) {
                return null;
            }
            if (spectestMemory == null) {
                spectestMemory = new Memory(1, 2);
            }
            return spectestMemory;
        }
        Loaded m = registered.get(module);
        if (m == null) {
            return null;
        }
        m.require("imported module " + module);
        linking.add(m);
        Export e = m.module().export(name, ExportKind.MEMORY);
        return e == null ? null : m.instance().memory();
    }

    /**
     * Resolves a table import: spectest's table (10 to 20 funcref, one per script) or a registered
     * module's export, which the importer then shares; the instance checks its type and limits.
     */
    private Table table(String module, String name) {
        if (module.equals("spectest")) {
            if (!name.equals("table")) {
                return null;
            }
            if (spectestTable == null) {
                spectestTable = new Table(ValType.FUNCREF, 10, 20);
            }
            return spectestTable;
        }
        Loaded m = registered.get(module);
        if (m == null) {
            return null;
        }
        m.require("imported module " + module);
        linking.add(m);
        Export e = m.module().export(name, ExportKind.TABLE);
        return e == null ? null : m.instance().table(e.index());
    }

    /** Resolves a (mutable or reference) global import to a registered module's exported global, which it then shares. */
    private GlobalCell global(String module, String name, ValType type, boolean mutable) {
        Loaded m = registered.get(module);
        if (m == null) {
            return null;
        }
        m.require("imported module " + module);
        linking.add(m);
        Export e = m.module().export(name, ExportKind.GLOBAL);
        if (e == null) {
            return null;
        }
        var g = m.module().globals().get(e.index());
        if (g.type() != type || g.mutable() != mutable) {
            throw new LinkException("incompatible import type: " + module + "." + name + " is a "
                    + (g.mutable() ? "mutable " : "") + g.type() + " global, imported as a "
                    + (mutable ? "mutable " : "") + type + " global");
        }
        return m.instance().globalCell(e.index());
    }

    /** Binds a tag import to the number of a registered module's exported tag. */
    private int tagImport(String module, String name, FuncType type) {
        Loaded m = registered.get(module);
        if (m != null) {
            m.require("imported module " + module);
            linking.add(m);
        }
        Tag t = m == null ? null : m.tags().get(name);
        if (t == null) {
            throw new LinkException("unknown import " + module + "." + name);
        }
        if (!t.type().equals(type)) {
            throw new LinkException("incompatible import type: " + module + "." + name + " is a tag of " + t.type()
                    + ", imported as a tag of " + type);
        }
        return t.number();
    }

    /** Binds an immutable global import to spectest's or a registered module's value. */
    private Long globalValue(String module, String name, ValType type) {
        if (module.equals("spectest")) {
            Long v = SpecTestHost.global(name, type);
            if (v == null) {
                throw new LinkException("unknown import spectest." + name + " of type " + type);
            }
            return v;
        }
        Loaded m = registered.get(module);
        if (m != null) {
            m.require("imported module " + module);
            linking.add(m);
        }
        Export e = m == null ? null : m.module().export(name, ExportKind.GLOBAL);
        if (e == null) {
            throw new LinkException("unknown import " + module + "." + name);
        }
        var g = m.module().globals().get(e.index());
        if (g.type() != type || g.mutable()) {
            throw new LinkException("incompatible import type: " + module + "." + name + " is a "
                    + (g.mutable() ? "mutable " : "") + g.type() + " global, imported as an immutable " + type);
        }
        return m.instance().globalGet(e.index());
    }
}
