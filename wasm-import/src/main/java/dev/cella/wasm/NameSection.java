package dev.cella.wasm;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads the custom "name" section: function names (subsection 1) and local names (subsection 2),
 * which become Cella debugging names so that traps and disassembly name functions as the source
 * did. The section is advisory: if it does not decode, the names read so far are dropped and the
 * module is still accepted, as the specification requires of custom sections.
 */
final class NameSection {
    private static final int FUNCTION_NAMES = 1;
    private static final int LOCAL_NAMES = 2;

    private NameSection() {}

    /**
     * Reads the section's contents from {@code in} (positioned after the section name, limited to
     * the section's end) into {@code module}'s name maps. Never throws for bad contents.
     */
    static void read(WasmInput in, WasmModule module) {
        Map<Integer, String> functions = new HashMap<>();
        Map<Integer, Map<Integer, String>> locals = new HashMap<>();
        int sectionEnd = in.limit();
        try {
            while (in.hasRemaining()) {
                int id = in.u8();
                int size = in.index();
                if (size > in.remaining()) {
                    return;
                }
                int end = in.position() + size;
                int outer = in.limit(end);
                if (id == FUNCTION_NAMES) {
                    nameMap(in, functions);
                } else if (id == LOCAL_NAMES) {
                    int n = in.count(2);
                    for (int i = 0; i < n; i++) {
                        int function = in.index();
                        Map<Integer, String> m = new HashMap<>();
                        nameMap(in, m);
                        locals.put(function, m);
                    }
                }
                in.position(end);
                in.limit(outer);
            }
        } catch (WasmException e) {
            // Custom sections never make a module malformed; names are only a convenience.
            return;
        } finally {
            in.limit(sectionEnd);
        }
        module.functionNames.putAll(functions);
        module.localNames.putAll(locals);
    }

    private static void nameMap(WasmInput in, Map<Integer, String> into) {
        int n = in.count(2);
        for (int i = 0; i < n; i++) {
            int index = in.index();
            into.put(index, in.name());
        }
    }
}
