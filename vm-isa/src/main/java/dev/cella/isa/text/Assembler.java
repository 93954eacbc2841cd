package dev.cella.isa.text;

import dev.cella.isa.module.DataSegment;
import dev.cella.isa.ValType;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.MemoryImport;
import dev.cella.isa.module.Export;
import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Function;
import dev.cella.isa.module.Global;
import dev.cella.isa.module.Import;
import dev.cella.isa.module.Limits;
import dev.cella.isa.module.Module;
import dev.cella.isa.module.Names;
import dev.cella.isa.module.TableImport;
import dev.cella.isa.text.Syntax.DataStmt;
import dev.cella.isa.text.Syntax.ElemStmt;
import dev.cella.isa.text.Syntax.ExportStmt;
import dev.cella.isa.text.Syntax.FuncStmt;
import dev.cella.isa.text.Syntax.GlobalStmt;
import dev.cella.isa.text.Syntax.ImportStmt;
import dev.cella.isa.text.Syntax.MemoryStmt;
import dev.cella.isa.text.Syntax.Sig;
import dev.cella.isa.text.Syntax.StartStmt;
import dev.cella.isa.text.Syntax.Stmt;
import dev.cella.isa.text.Syntax.TableStmt;
import dev.cella.isa.text.Syntax.TypeStmt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assembles Cella assembly text ({@code .casm}, see {@code docs/assembly.md}) into a {@link
 * Module}.
 *
 * <p>The assembler checks the grammar and resolves names; it does not check types, index ranges
 * or anything else the verifier ({@code dev.cella.isa.verify.Verifier}) checks, so that invalid
 * modules can be written on purpose. Assembling is deterministic: the same text always gives the
 * same module.
 */
public final class Assembler {
    private final String file;
    private final List<Stmt> stmts;

    private final Scope types;
    private final Scope functions;
    private final Scope globals;
    private final Scope tables;
    /** Every distinct signature once, mapped to its type index, in order of first appearance. */
    private final Map<FuncType, Integer> typeIndex = new LinkedHashMap<>();

    private Assembler(String file, List<Stmt> stmts) {
        this.file = file;
        this.stmts = stmts;
        this.types = new Scope(file, "type", "t");
        this.functions = new Scope(file, "function", "f");
        this.globals = new Scope(file, "global", "g");
        this.tables = new Scope(file, "table", "tab");
    }

    /**
     * Assembles {@code source}.
     *
     * @param source the text of a whole module
     * @param fileName the name errors should give for the source (a path, or any label)
     * @return the module, not verified
     * @throws AssemblyException at the first error, naming {@code fileName}, line and column
     */
    public static Module assemble(String source, String fileName) {
        return new Assembler(fileName, Parser.parse(source, fileName)).module();
    }

    private Module module() {
        declareTypes();
        int importCount = (int) stmts.stream().filter(s -> s instanceof ImportStmt).count();
        int nextImport = 0;
        int nextFunc = importCount;
        int nextGlobal = 0;
        int nextTable = 0;
        MemoryStmt memory = null;
        StartStmt start = null;
        // Declarations first, so that names can be used before they are declared.
        for (Stmt s : stmts) {
            switch (s) {
                case ImportStmt i -> {
                    intern(i.sig());
                    functions.declare(i.name(), nextImport++);
                }
                case FuncStmt f -> {
                    intern(f.sig());
                    functions.declare(f.name(), nextFunc++);
                }
                case GlobalStmt g -> globals.declare(g.name(), nextGlobal++);
                case TableStmt t -> tables.declare(t.name(), nextTable++);
                case MemoryStmt m -> {
                    if (memory != null) {
                        throw error(m, "a module has at most one memory (the first is at line " + memory.line() + ")");
                    }
                    memory = m;
                }
                case StartStmt st -> {
                    if (start != null) {
                        throw error(st, "a module has at most one start function (the first is at line "
                                + start.line() + ")");
                    }
                    start = st;
                }
                default -> { }
            }
        }
        return build(memory, start);
    }

    /** Interns the {@code type} statements' signatures first, in text order, and declares their names. */
    private void declareTypes() {
        for (Stmt s : stmts) {
            if (s instanceof TypeStmt t) {
                int index = intern(t.sig());
                if (t.name() != null) {
                    types.declare(t.name(), index);
                }
            }
        }
    }

    private Module build(MemoryStmt memory, StartStmt start) {
        List<Import> imports = new ArrayList<>();
        List<Function> funcs = new ArrayList<>();
        List<Limits> tableLimits = new ArrayList<>();
        List<ValType> tableTypes = new ArrayList<>();
        List<TableImport> tableImports = new ArrayList<>();
        List<Global> globalList = new ArrayList<>();
        List<Export> exports = new ArrayList<>();
        List<ElementSegment> elements = new ArrayList<>();
        List<DataSegment> data = new ArrayList<>();
        Map<Integer, Map<Integer, String>> registerNames = new HashMap<>();
        for (Stmt s : stmts) {
            if (s instanceof ImportStmt i) {
                imports.add(new Import(i.module(), i.field(), intern(i.sig())));
            }
        }
        int funcIndex = imports.size();
        for (Stmt s : stmts) {
            switch (s) {
                case FuncStmt f -> {
                    var body = new BodyAssembler(file, f, functions, types, globals, tables);
                    funcs.add(new Function(intern(f.sig()), body.registerTypes(), body.assemble()));
                    if (!body.registerNames().isEmpty()) {
                        registerNames.put(funcIndex, body.registerNames());
                    }
                    funcIndex++;
                }
                case TableStmt t -> {
                    tableLimits.add(new Limits(t.min(), t.max()));
                    tableTypes.add(t.element());
                    tableImports.add(t.importModule() == null ? null : new TableImport(t.importModule(), t.importName()));
                }
                case GlobalStmt g -> globalList.add(new Global(g.type(), g.mutable(), g.init(), g.importModule(),
                        g.importName()));
                case ElemStmt e -> elements.add(elem(e));
                case DataStmt d -> data.add(new DataSegment(d.offset(), d.bytes()));
                case ExportStmt e -> exports.add(new Export(e.exportName(), e.kind(), switch (e.kind()) {
                    case FUNC -> functions.resolve(e.target());
                    case GLOBAL -> globals.resolve(e.target());
                    case TABLE -> tables.resolve(e.target());
                    case MEMORY -> 0;
                }));
                default -> { }
            }
        }
        List<FuncType> typeList = new ArrayList<>(typeIndex.keySet());
        Limits mem = memory == null ? null : new Limits(memory.min(), memory.max());
        MemoryImport memImport = memory == null || memory.importModule() == null ? null
                : new MemoryImport(memory.importModule(), memory.importName());
        int startIndex = start == null ? -1 : functions.resolve(start.function());
        Names names = new Names(functions.storedNames(), registerNames, globals.storedNames());
        return new Module(typeList, imports, funcs, tableLimits, mem, globalList, exports, startIndex, elements, data,
                names.isEmpty() ? Names.EMPTY : names, tableTypes, memImport, tableImports);
    }

    private ElementSegment elem(ElemStmt e) {
        int[] fs = new int[e.functions().size()];
        for (int i = 0; i < fs.length; i++) {
            fs[i] = e.functions().get(i) == null ? -1 : functions.resolve(e.functions().get(i));
        }
        return e.table() == null ? ElementSegment.passive(fs) : new ElementSegment(tables.resolve(e.table()), e.offset(), fs);
    }

    /** The type index of {@code sig}, adding it to the type list if it is new. */
    private int intern(Sig sig) {
        FuncType t = FuncType.declared(sig.params(), sig.results());
        return typeIndex.computeIfAbsent(t, k -> typeIndex.size());
    }

    private AssemblyException error(Stmt s, String reason) {
        return new AssemblyException(file, s.line(), s.column(), reason);
    }
}
