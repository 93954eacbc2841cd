package dev.cella.wasm;

import dev.cella.isa.module.DataSegment;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.Module;
import dev.cella.wasm.WasmModule.ConstExpr;
import dev.cella.wasm.WasmModule.SegmentMode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Plans the Cella element and data segments of a translated module from Wasm's active segments.
 *
 * <p>Every offset is a constant at translation time (a constant or a bound imported global), so
 * whether a segment fits a table or memory of the module's own is known now: one that does not
 * makes the module {@link WasmException.Kind#UNINSTANTIABLE}. Segments of an imported table or
 * memory are checked at instantiation, against its actual size.
 */
final class SegmentPlanner {
    private SegmentPlanner() {}

    /**
     * The Cella element segments: segment i is Wasm's segment i, so elem.drop and table.init keep
     * their indices. An active one stays active (Cella places it at instantiation, in order, and
     * empties it, as Wasm does), a passive one passive, a declarative one an empty passive segment
     * (Wasm drops it at instantiation).
     *
     * @param value evaluates a numeric constant expression
     * @throws WasmException of kind UNINSTANTIABLE if a segment does not fit its table
     */
    static List<ElementSegment> elements(WasmModule wasm, ToLongFunction<ConstExpr> value) {
        List<ElementSegment> out = new ArrayList<>();
        for (int s = 0; s < wasm.elements.size(); s++) {
            WasmModule.ElementSegment seg = wasm.elements.get(s);
            int[] functions = seg.functions();
            switch (seg.mode()) {
                case PASSIVE -> out.add(ElementSegment.passive(functions));
                case DECLARATIVE -> out.add(ElementSegment.passive(new int[0]));
                case ACTIVE -> {
                    long offset = value.applyAsLong(seg.offsetExpr()) & 0xFFFFFFFFL;
                    long size = wasm.tables.get(seg.table()).min();
                    // An imported table may be larger than its import's minimum: instantiation checks it.
                    if (seg.table() >= wasm.importedTables && offset + functions.length > size) {
                        throw WasmException.uninstantiable(seg.offset(), "out of bounds table access: element segment "
                                + s + " (" + functions.length + " elements at offset " + offset + ") does not fit table "
                                + seg.table() + " of " + size + " elements");
                    }
                    out.add(new ElementSegment(seg.table(), offset, functions));
                }
            }
        }
        return out;
    }

    /**
     * @param value evaluates a numeric constant expression
     * @throws WasmException of kind UNINSTANTIABLE if a segment does not fit the initial memory
     */
    static List<DataSegment> data(WasmModule wasm, ToLongFunction<ConstExpr> value) {
        List<DataSegment> out = new ArrayList<>();
        for (int s = 0; s < wasm.data.size(); s++) {
            WasmModule.DataSegment seg = wasm.data.get(s);
            if (seg.mode() != SegmentMode.ACTIVE) {
                continue;
            }
            long offset = value.applyAsLong(seg.offsetExpr()) & 0xFFFFFFFFL;
            long size = wasm.memory.min() * Module.PAGE_SIZE;
            // An imported memory may be larger than its import's minimum: instantiation checks it.
            if (!wasm.memoryImported && offset + seg.bytes().length > size) {
                throw WasmException.uninstantiable(seg.offset(), "out of bounds memory access: data segment " + s
                        + " (" + seg.bytes().length + " bytes at offset " + offset + ") does not fit the memory of "
                        + size + " bytes");
            }
            // An empty segment changes nothing, but in an imported memory it still checks its offset.
            if (seg.bytes().length > 0 || wasm.memoryImported) {
                out.add(new DataSegment(offset, seg.bytes()));
            }
        }
        return out;
    }
}
