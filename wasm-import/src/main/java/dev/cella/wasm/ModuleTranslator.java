package dev.cella.wasm;

import dev.cella.isa.ValType;
import dev.cella.isa.module.DataSegment;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.Export;
import dev.cella.isa.module.ExportKind;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Global;
import dev.cella.isa.module.Import;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.MemoryImport;
import dev.cella.isa.module.Module;
import dev.cella.isa.module.Names;
import dev.cella.isa.module.TableImport;
import dev.cella.isa.verify.Verifier;
import dev.cella.wasm.WasmModule.ConstExpr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns a decoded {@link WasmModule} into a Cella {@link Module}: types (deduplicated, since Cella
 * lists each signature once and Wasm's structural type equality is the same relation), imports,
 * memory, tables, globals, function bodies (by {@link BodyTranslator}), exports, the start
 * function, segments and names. Index spaces are kept: Cella function, global and table {@code i}
 * is Wasm's {@code i}; functions and globals the translation adds come after Wasm's.
 */
final class ModuleTranslator implements ModuleContext {
    private final byte[] binary;
    private final WasmModule wasm;
    private final GlobalImports globalImports;
    private final TagImports tagImports;
    private final Map<FuncType, Integer> types = new LinkedHashMap<>();
    private final List<Global> globals = new ArrayList<>();
    /** The Cella global holding the high half of each v128 global (by Wasm index, which holds the low half). */
    private final Map<Integer, Integer> highGlobal = new java.util.HashMap<>();
    /** Functions added by the translation (memory.init helpers), after Wasm's. */
    private final List<Function> extraFunctions = new ArrayList<>();
    private final Map<Integer, String> functionNames = new HashMap<>();
    /** Data segment to the global holding its current length for memory.init. */
    private final Map<Integer, Integer> dataLengths = new HashMap<>();
    /** Data segment to its memory.init function's index. */
    private final Map<Integer, Integer> memoryInits = new HashMap<>();

    ModuleTranslator(byte[] binary, WasmModule wasm, GlobalImports globalImports, TagImports tagImports) {
        this.binary = binary;
        this.wasm = wasm;
        this.globalImports = globalImports;
        this.tagImports = tagImports;
    }

    Module translate() {
        List<Import> imports = imports();
        Limits memory = memory();
        List<Limits> tables = tables();
        globals();
        wasm.tagNumbers = tagNumbers();
        List<Function> functions = new ArrayList<>();
        WasmInput in = new WasmInput(binary);
        for (int f = wasm.importedFunctions; f < wasm.functionCount(); f++) {
            functions.add(BodyTranslator.translate(wasm, this, in, f));
        }
        functions.addAll(extraFunctions);
        List<ElementSegment> elements = SegmentPlanner.elements(wasm, this::constValue);
        List<DataSegment> data = SegmentPlanner.data(wasm, this::constValue);
        Module m = new Module(List.copyOf(types.keySet()), imports, functions, tables, memory, globals, exports(),
                wasm.start, elements, data, names(functions), wasm.tableTypes, memoryImport(), tableImports());
        Verifier.verify(m);
        return m;
    }

    @Override
    public int cellaType(FuncType type) {
        // A v128 parameter or result travels as two i64 values that the signature marks as a v128,
        // so that (v128) and (i64, i64) stay different types (FuncType#declared).
        return types.computeIfAbsent(FuncType.declared(type.params(), type.results()), t -> types.size());
    }

    private List<Import> imports() {
        List<Import> out = new ArrayList<>();
        for (WasmModule.Import imp : wasm.imports) {
            String what = imp.module() + "." + imp.name();
            switch (imp.kind()) {
                case FUNC -> {
                    FuncType type = wasm.types.get(imp.typeIndex());
                    if (type.params().contains(ValType.V128) || type.results().contains(ValType.V128)) {
                        throw WasmException.unsupported(imp.offset(), "an imported function with a v128 parameter or"
                                + " result (" + what + "): Cella host functions take scalar values");
                    }
                    if (type.results().size() > 1) {
                        throw WasmException.unsupported(imp.offset(), "an imported function with "
                                + type.results().size() + " results (" + what + "): Cella host functions return at"
                                + " most one value");
                    }
                    out.add(new Import(imp.module(), imp.name(), cellaType(type)));
                }
                case MEMORY -> {
                    // The memory's limits (WasmModule.memory) are the import's; memory() gives them.
                }
                case TABLE -> {
                    // The table's limits (WasmModule.tables) are the import's; tableImports() names it.
                }
                case GLOBAL -> {
                    // Handled by globals(): bound to a constant or rejected there.
                }
                case TAG -> {
                    // Handled by tagNumbers(): bound to the number of the tag it names.
                }
            }
        }
        return out;
    }

    /** The Cella number of each tag, imported ones bound by {@link #tagImports} (see {@link TagImports}). */
    private int[] tagNumbers() {
        int[] numbers = new int[wasm.tags.size()];
        int t = 0;
        for (WasmModule.Import imp : wasm.imports) {
            if (imp.kind() == WasmModule.ExternKind.TAG) {
                Integer n = tagImports.imported(imp.module(), imp.name(), wasm.tags.get(t));
                if (n == null) {
                    throw WasmException.unsupported(imp.offset(), "exception handling (tag import " + imp.module()
                            + "." + imp.name() + " that nothing binds)");
                }
                numbers[t++] = n;
            }
        }
        for (; t < numbers.length; t++) {
            numbers[t] = tagImports.defined(t, wasm.tags.get(t));
        }
        return numbers;
    }

    /** Where the memory comes from if the Wasm module imports it, else null. */
    private MemoryImport memoryImport() {
        for (WasmModule.Import imp : wasm.imports) {
            if (imp.kind() == WasmModule.ExternKind.MEMORY) {
                return new MemoryImport(imp.module(), imp.name());
            }
        }
        return null;
    }

    /** Where each table comes from: its import for the first {@code importedTables}, null for the module's own. */
    private List<TableImport> tableImports() {
        List<TableImport> out = new ArrayList<>();
        for (WasmModule.Import imp : wasm.imports) {
            if (imp.kind() == WasmModule.ExternKind.TABLE) {
                out.add(new TableImport(imp.module(), imp.name()));
            }
        }
        while (out.size() < wasm.tables.size()) {
            out.add(null);
        }
        return out;
    }

    private Limits memory() {
        WasmModule.Limits m = wasm.memory;
        if (m == null) {
            return null;
        }
        if (m.min() > Module.MAX_MEMORY_PAGES) {
            throw WasmException.unsupported(m.offset(), "a memory of " + m.min() + " pages at start (Cella memories"
                    + " hold at most " + Module.MAX_MEMORY_PAGES + " pages, just under 2 GiB)");
        }
        // A larger maximum is lowered to Cella's: memory.grow past it returns -1, which Wasm allows
        // whenever the host cannot provide the memory.
        long max = m.hasMax() ? Math.min(m.max(), Module.MAX_MEMORY_PAGES) : Limits.NONE;
        return new Limits(m.min(), max);
    }

    private List<Limits> tables() {
        List<Limits> out = new ArrayList<>();
        for (WasmModule.Limits t : wasm.tables) {
            if (t.min() > Verifier.MAX_TABLE_SIZE) {
                throw WasmException.unsupported(t.offset(), "a table of " + t.min() + " elements (Cella tables hold"
                        + " at most " + Verifier.MAX_TABLE_SIZE + ")");
            }
            out.add(new Limits(t.min(), t.hasMax() ? t.max() : Limits.NONE));
        }
        return out;
    }

    /**
     * The Cella globals of the Wasm globals, at the same indices; a v128 global's index holds its
     * low half and {@link #highGlobal} its high half, an i64 global appended after all of them.
     */
    private void globals() {
        List<Integer> vectors = new ArrayList<>(); // Wasm indices of the v128 globals
        List<Long> highs = new ArrayList<>();
        for (WasmModule.Global g : wasm.globals) {
            ValType type = g.type().type();
            if (type == ValType.V128) {
                if (g.importIndex() >= 0) {
                    throw WasmException.unsupported(g.offset(), "a v128 global import (Cella has no global imports of"
                            + " vectors)");
                }
                highGlobal.put(globals.size(), wasm.globals.size() + highs.size());
                vectors.add(globals.size());
                highs.add(g.init().highBits());
                globals.add(new Global(ValType.I64, g.type().mutable(), g.init().bits()));
                continue;
            }
            long value;
            if (g.importIndex() >= 0) {
                WasmModule.Import imp = importOfGlobal(g.importIndex());
                String what = imp.module() + "." + imp.name();
                if (g.type().mutable() || type.isReference()) {
                    // Shared with its provider: a Cella global import, resolved at instantiation. A
                    // reference may name a function of another instance, known only then.
                    globals.add(new Global(type, g.type().mutable(), 0, imp.module(), imp.name()));
                    continue;
                }
                Long bound = globalImports.value(imp.module(), imp.name(), type);
                if (bound == null) {
                    throw WasmException.unsupported(g.offset(), "global import " + what + " of type " + type
                            + " (Cella has no global imports; its value must be bound at translation)");
                }
                value = normalize(type, bound);
            } else if (g.init().op() == ConstExpr.Op.GLOBAL_GET && globals.get(g.init().index()).imported()) {
                // global.get of an imported reference: an immutable copy is the import itself.
                Global from = globals.get(g.init().index());
                if (g.type().mutable()) {
                    throw WasmException.unsupported(g.init().offset(), "a mutable global initialized from imported"
                            + " reference global " + from.importModule() + "." + from.importName() + " (Cella"
                            + " initializes globals with constants)");
                }
                globals.add(new Global(type, false, 0, from.importModule(), from.importName()));
                continue;
            } else {
                value = constValue(g.init());
            }
            globals.add(new Global(type, g.type().mutable(), value));
        }
        for (int i = 0; i < highs.size(); i++) {
            globals.add(new Global(ValType.I64, globals.get(vectors.get(i)).mutable(), highs.get(i)));
        }
    }

    @Override
    public int highGlobal(int global) {
        return highGlobal.get(global);
    }

    private WasmModule.Import importOfGlobal(int n) {
        int seen = 0;
        for (WasmModule.Import imp : wasm.imports) {
            if (imp.kind() == WasmModule.ExternKind.GLOBAL && seen++ == n) {
                return imp;
            }
        }
        throw new IllegalStateException("no global import " + n);
    }

    /** The value of a numeric constant expression; global.get reads a bound import's value. */
    long constValue(ConstExpr e) {
        return switch (e.op()) {
            case CONST -> normalize(e.type(), e.bits());
            case GLOBAL_GET -> globals.get(e.index()).init();
            case REF_FUNC -> e.index() + 1L; // a funcref's raw bits (ValType)
            case REF_NULL -> ValType.NULL_REF;
        };
    }

    private static long normalize(ValType type, long bits) {
        return switch (type) {
            case I32 -> (int) bits;
            case F32 -> bits & 0xFFFFFFFFL;
            case I64, F64, FUNCREF, EXTERNREF -> bits;
            case V128 -> throw new IllegalArgumentException("v128 globals are rejected before their values are read");
        };
    }

    private List<Export> exports() {
        List<Export> out = new ArrayList<>();
        for (WasmModule.Export e : wasm.exports) {
            if (e.kind() == WasmModule.ExternKind.TAG) {
                // A Cella module has no tag exports: the embedder learns the tag's number here.
                tagImports.exported(e.name(), wasm.tagNumbers[e.index()], wasm.tags.get(e.index()));
                continue;
            }
            ExportKind kind = switch (e.kind()) {
                case FUNC -> ExportKind.FUNC;
                case TABLE -> ExportKind.TABLE;
                case MEMORY -> ExportKind.MEMORY;
                case GLOBAL -> ExportKind.GLOBAL;
                case TAG -> throw new IllegalStateException("tag exports are handled above");
            };
            if (kind == ExportKind.GLOBAL && wasm.globals.get(e.index()).type().type() == ValType.V128) {
                throw WasmException.unsupported(e.offset(), "export of a v128 global (\"" + e.name() + "\"): an"
                        + " embedder reads scalar globals only");
            }
            out.add(new Export(e.name(), kind, e.index()));
        }
        return out;
    }

    @Override
    public int dataLengthGlobal(int segment) {
        return dataLengths.computeIfAbsent(segment, s -> {
            WasmModule.DataSegment seg = wasm.data.get(s);
            int length = seg.mode() == WasmModule.SegmentMode.PASSIVE ? seg.bytes().length : 0;
            globals.add(new Global(ValType.I32, true, length));
            return globals.size() - 1;
        });
    }

    @Override
    public int memoryInitFunction(int segment) {
        Integer known = memoryInits.get(segment);
        if (known != null) {
            return known;
        }
        WasmModule.DataSegment seg = wasm.data.get(segment);
        byte[] bytes = seg.mode() == WasmModule.SegmentMode.PASSIVE ? seg.bytes() : new byte[0];
        if (bytes.length > MemoryInitFunction.MAX_BYTES) {
            throw WasmException.unsupported(seg.offset(), "memory.init of a data segment of " + bytes.length
                    + " bytes (at most " + MemoryInitFunction.MAX_BYTES + " are supported)");
        }
        int global = dataLengthGlobal(segment);
        int type = cellaType(new FuncType(MemoryInitFunction.PARAMS, List.of()));
        extraFunctions.add(new Function(type, MemoryInitFunction.REGISTERS, MemoryInitFunction.body(bytes, global)));
        int index = wasm.functionCount() + extraFunctions.size() - 1;
        functionNames.put(index, "memory.init$" + segment);
        memoryInits.put(segment, index);
        return index;
    }

    /**
     * Debugging names from the Wasm name section, made acceptable to Cella's text format: a name
     * that looks like another index's default ({@code f3}, {@code r2}) is dropped, and a repeated
     * name gets a {@code .index} suffix, since Cella names are unique per kind.
     */
    private Names names(List<Function> functions) {
        Map<Integer, String> fnames = new TreeMap<>();
        Set<String> used = new HashSet<>();
        Map<Integer, String> all = new TreeMap<>(wasm.functionNames);
        all.putAll(functionNames);
        all.forEach((f, name) -> {
            if (f >= 0 && f < wasm.functionCount() + extraFunctions.size()) {
                String unique = unique(name, f, "f", used);
                if (unique != null) {
                    fnames.put(f, unique);
                }
            }
        });
        Map<Integer, Map<Integer, String>> registers = new TreeMap<>();
        wasm.localNames.forEach((f, locals) -> {
            if (f >= wasm.importedFunctions && f < wasm.functionCount()) {
                int count = functions.get(f - wasm.importedFunctions).registers().size();
                Set<String> usedHere = new HashSet<>();
                Map<Integer, String> m = new TreeMap<>();
                new TreeMap<>(locals).forEach((r, name) -> {
                    String unique = r >= 0 && r < count ? unique(name, r, "r", usedHere) : null;
                    if (unique != null) {
                        m.put(r, unique);
                    }
                });
                registers.put(f, m);
            }
        });
        return new Names(fnames, registers, Map.of());
    }

    /** {@code name}, or {@code name.index} if taken; null if it looks like a default name ({@code prefix} digits). */
    private static String unique(String name, int index, String prefix, Set<String> used) {
        if (name.isEmpty() || name.matches(prefix + "[0-9]+")) {
            return null;
        }
        String candidate = name;
        for (int k = 0; !used.add(candidate); k++) {
            candidate = name + "." + index + (k == 0 ? "" : "." + k);
        }
        return candidate;
    }
}
