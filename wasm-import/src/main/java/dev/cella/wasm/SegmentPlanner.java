package dev.cella.wasm;

import dev.cella.isa.module.DataSegment;
import dev.cella.isa.module.ElementSegment;
import dev.cella.isa.module.Module;
import dev.cella.wasm.WasmModule.ConstExpr;
import dev.cella.wasm.WasmModule.SegmentMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * Plans the Cella element and data segments of a translated module from Wasm's active segments.
 *
 * <p>Every offset is a constant at translation time (a constant or a bound imported global) and
 * the tables and memory are the module's own, so whether instantiation succeeds is known now: a
 * segment that does not fit makes the module {@link WasmException.Kind#UNINSTANTIABLE}. Element
 * segments are applied here, in order, to a picture of each table, so a later segment overwrites
 * an earlier one and a null reference clears an element, as in Wasm; the Cella segments are the
 * runs of non-null elements of the result (Cella segments hold function indices only). Passive
 * and declarative segments place nothing.
 */
final class SegmentPlanner {
    private SegmentPlanner() {}

    /**
     * @param value evaluates a numeric constant expression
     * @throws WasmException of kind UNINSTANTIABLE if a segment does not fit its table
     */
    static List<ElementSegment> elements(WasmModule wasm, ToLongFunction<ConstExpr> value) {
        List<Map<Long, Integer>> pictures = new ArrayList<>();
        for (int t = 0; t < wasm.tables.size(); t++) {
            pictures.add(new TreeMap<>());
        }
        for (int s = 0; s < wasm.elements.size(); s++) {
            WasmModule.ElementSegment seg = wasm.elements.get(s);
            if (seg.mode() != SegmentMode.ACTIVE) {
                continue;
            }
            long offset = value.applyAsLong(seg.offsetExpr()) & 0xFFFFFFFFL;
            long size = wasm.tables.get(seg.table()).min();
            int[] functions = seg.functions();
            if (offset + functions.length > size) {
                throw WasmException.uninstantiable(seg.offset(), "out of bounds table access: element segment " + s
                        + " (" + functions.length + " elements at offset " + offset + ") does not fit table "
                        + seg.table() + " of " + size + " elements");
            }
            Map<Long, Integer> picture = pictures.get(seg.table());
            for (int j = 0; j < functions.length; j++) {
                picture.put(offset + j, functions[j]);
            }
        }
        List<ElementSegment> out = new ArrayList<>();
        for (int t = 0; t < pictures.size(); t++) {
            List<Integer> run = new ArrayList<>();
            long runStart = -1;
            long next = -1;
            for (Map.Entry<Long, Integer> e : pictures.get(t).entrySet()) {
                boolean continues = e.getKey() == next && e.getValue() >= 0;
                if (!continues && !run.isEmpty()) {
                    out.add(new ElementSegment(t, runStart, run.stream().mapToInt(Integer::intValue).toArray()));
                    run.clear();
                }
                if (e.getValue() >= 0) {
                    if (run.isEmpty()) {
                        runStart = e.getKey();
                    }
                    run.add(e.getValue());
                }
                next = e.getKey() + 1;
            }
            if (!run.isEmpty()) {
                out.add(new ElementSegment(t, runStart, run.stream().mapToInt(Integer::intValue).toArray()));
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
            if (offset + seg.bytes().length > size) {
                throw WasmException.uninstantiable(seg.offset(), "out of bounds memory access: data segment " + s
                        + " (" + seg.bytes().length + " bytes at offset " + offset + ") does not fit the memory of "
                        + size + " bytes");
            }
            if (seg.bytes().length > 0) {
                out.add(new DataSegment(offset, seg.bytes()));
            }
        }
        return out;
    }
}
