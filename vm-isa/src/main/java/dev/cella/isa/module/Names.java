package dev.cella.isa.module;

import java.util.Map;
import java.util.TreeMap;

/**
 * Optional debugging names, kept in the binary's names section so that disassembly reads like
 * the source. Only names that differ from the defaults ({@code f3}, {@code r2}, {@code g1}) are
 * stored. Maps are sorted by index.
 *
 * @param functions function index to name
 * @param registers function index to (register index to name)
 * @param globals global index to name
 */
public record Names(Map<Integer, String> functions, Map<Integer, Map<Integer, String>> registers,
        Map<Integer, String> globals) {

    public static final Names EMPTY = new Names(Map.of(), Map.of(), Map.of());

    public Names {
        functions = java.util.Collections.unmodifiableMap(new TreeMap<>(functions));
        TreeMap<Integer, Map<Integer, String>> regs = new TreeMap<>();
        registers.forEach((f, m) -> {
            if (!m.isEmpty()) {
                regs.put(f, java.util.Collections.unmodifiableMap(new TreeMap<>(m)));
            }
        });
        registers = java.util.Collections.unmodifiableMap(regs);
        globals = java.util.Collections.unmodifiableMap(new TreeMap<>(globals));
    }

    public boolean isEmpty() {
        return functions.isEmpty() && registers.isEmpty() && globals.isEmpty();
    }

    /** The name of function {@code index}: its stored name or {@code f<index>}. */
    public String function(int index) {
        return functions.getOrDefault(index, "f" + index);
    }

    /** The name of register {@code reg} of function {@code function}: stored or {@code r<reg>}. */
    public String register(int function, int reg) {
        Map<Integer, String> m = registers.get(function);
        String n = m == null ? null : m.get(reg);
        return n != null ? n : "r" + reg;
    }

    /** The name of global {@code index}: stored or {@code g<index>}. */
    public String global(int index) {
        return globals.getOrDefault(index, "g" + index);
    }
}
