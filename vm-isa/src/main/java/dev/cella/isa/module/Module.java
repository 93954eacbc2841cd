package dev.cella.isa.module;

import dev.cella.isa.ValType;
import java.util.List;

/**
 * A guest module: what the assembler and the binary reader produce and the verifier checks.
 *
 * <p>Index spaces: functions are numbered imports first, then {@link #functions}; tables,
 * globals and types by their position in their lists. There is at most one memory, owned or
 * imported.
 *
 * @param types signatures, each listed once
 * @param imports imported host functions
 * @param functions defined functions
 * @param tables the tables' limits in elements
 * @param memory the linear memory's limits in 64 KiB pages, or null if the module has none
 * @param globals globals
 * @param exports exports, names unique
 * @param start index of the start function, or -1
 * @param elements table initializers
 * @param data memory initializers
 * @param names debugging names (never null; {@link Names#EMPTY} if none)
 * @param tableTypes the element type of each table, a reference type, in the order of {@code
 *     tables}; null means funcref for every table
 * @param memoryImport where the memory comes from if it is imported (then {@code memory} holds
 *     the limits it must meet), or null if the module owns its memory
 * @param tableImports where each table comes from, in the order of {@code tables}: null for a
 *     table the module owns, else its import (then {@code tables} holds the limits it must meet);
 *     null means every table is owned
 */
public record Module(List<FuncType> types, List<Import> imports, List<Function> functions, List<Limits> tables,
        Limits memory, List<Global> globals, List<Export> exports, int start, List<ElementSegment> elements,
        List<DataSegment> data, Names names, List<ValType> tableTypes, MemoryImport memoryImport,
        List<TableImport> tableImports) {

    /** The largest memory Cella supports, in 64 KiB pages (2 GiB minus one page: a Java array's reach). */
    public static final long MAX_MEMORY_PAGES = 32767;

    /** Bytes in one page of linear memory. */
    public static final int PAGE_SIZE = 65536;

    public Module {
        types = List.copyOf(types);
        imports = List.copyOf(imports);
        functions = List.copyOf(functions);
        tables = List.copyOf(tables);
        globals = List.copyOf(globals);
        exports = List.copyOf(exports);
        elements = List.copyOf(elements);
        data = List.copyOf(data);
        if (names == null) {
            names = Names.EMPTY;
        }
        tableTypes = tableTypes == null ? java.util.Collections.nCopies(tables.size(), ValType.FUNCREF)
                : List.copyOf(tableTypes);
        // List.copyOf refuses nulls, and a null entry is an owned table.
        tableImports = java.util.Collections.unmodifiableList(tableImports == null
                ? java.util.Arrays.asList(new TableImport[tables.size()]) : new java.util.ArrayList<>(tableImports));
    }

    /** A module whose tables are all its own. */
    public Module(List<FuncType> types, List<Import> imports, List<Function> functions, List<Limits> tables,
            Limits memory, List<Global> globals, List<Export> exports, int start, List<ElementSegment> elements,
            List<DataSegment> data, Names names, List<ValType> tableTypes, MemoryImport memoryImport) {
        this(types, imports, functions, tables, memory, globals, exports, start, elements, data, names, tableTypes,
                memoryImport, null);
    }

    /** A module that owns its memory. */
    public Module(List<FuncType> types, List<Import> imports, List<Function> functions, List<Limits> tables,
            Limits memory, List<Global> globals, List<Export> exports, int start, List<ElementSegment> elements,
            List<DataSegment> data, Names names, List<ValType> tableTypes) {
        this(types, imports, functions, tables, memory, globals, exports, start, elements, data, names, tableTypes,
                null);
    }

    /** A module whose tables all hold funcref. */
    public Module(List<FuncType> types, List<Import> imports, List<Function> functions, List<Limits> tables,
            Limits memory, List<Global> globals, List<Export> exports, int start, List<ElementSegment> elements,
            List<DataSegment> data, Names names) {
        this(types, imports, functions, tables, memory, globals, exports, start, elements, data, names, null);
    }

    /** Where table {@code index} comes from if it is imported, else null. */
    public TableImport tableImport(int index) {
        return tableImports.get(index);
    }

    /** The element type of table {@code index}. */
    public ValType tableType(int index) {
        return tableTypes.get(index);
    }

    /** Number of functions in the function index space (imports plus defined functions). */
    public int functionCount() {
        return imports.size() + functions.size();
    }

    /** True if function {@code index} is an import. */
    public boolean isImport(int index) {
        return index < imports.size();
    }

    /** The type index of function {@code index} (import or defined). */
    public int functionTypeIndex(int index) {
        return index < imports.size() ? imports.get(index).typeIndex()
                : functions.get(index - imports.size()).typeIndex();
    }

    /** The defined function with function index {@code index}; it must not be an import. */
    public Function function(int index) {
        return functions.get(index - imports.size());
    }

    /** The signature of function {@code index}. */
    public FuncType functionType(int index) {
        return types.get(functionTypeIndex(index));
    }

    /** The export named {@code name} of kind {@code kind}, or null. */
    public Export export(String name, ExportKind kind) {
        for (Export e : exports) {
            if (e.kind() == kind && e.name().equals(name)) {
                return e;
            }
        }
        return null;
    }
}
