package dev.cella.isa.text;

import dev.cella.isa.text.Syntax.Name;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One namespace of the assembler (functions, globals, tables, types, the registers or labels of a
 * function): declared names and, for the kinds that have them, default names.
 *
 * <p>A default name is the prefix followed by an index in canonical decimal ({@code f3}, never
 * {@code f03}). It names that index whether or not the index exists, so that deliberately invalid
 * modules can be written for the verifier's tests. A declared name may equal its own default (it
 * is then not stored) but not another index's default, which would make the default ambiguous.
 */
final class Scope {
    private final String file;
    private final String kind;
    private final String prefix;
    private final Map<String, Integer> byName = new HashMap<>();
    private final Map<String, Name> declaredAt = new HashMap<>();
    private final TreeMap<Integer, String> stored = new TreeMap<>();

    /**
     * @param file the source's name, for errors
     * @param kind what the names stand for, for errors ({@code "function"})
     * @param prefix the default names' prefix ({@code "f"}), or null if there are no defaults
     */
    Scope(String file, String kind, String prefix) {
        this.file = file;
        this.kind = kind;
        this.prefix = prefix;
    }

    /**
     * Declares {@code name} for {@code index}.
     *
     * @throws AssemblyException if the name is already declared in this scope or is the default
     *     name of another index
     */
    void declare(Name name, int index) {
        Name earlier = declaredAt.get(name.text());
        if (earlier != null) {
            throw new AssemblyException(file, name.line(), name.column(), "duplicate " + kind + " name '" + name.text()
                    + "' (first declared at line " + earlier.line() + ", column " + earlier.column() + ")");
        }
        int d = defaultIndex(name.text());
        if (d >= 0 && d != index) {
            throw new AssemblyException(file, name.line(), name.column(), "'" + name.text() + "' is the default name of "
                    + kind + " " + d + " and cannot name " + kind + " " + index);
        }
        byName.put(name.text(), index);
        declaredAt.put(name.text(), name);
        if (d < 0) {
            stored.put(index, name.text());
        }
    }

    /** True if {@code name} was declared here (defaults aside). */
    boolean isDeclared(String name) {
        return byName.containsKey(name);
    }

    /**
     * The index {@code name} stands for: a declared name, else a default name.
     *
     * @throws AssemblyException naming the position of {@code name} if it is neither
     */
    int resolve(Name name) {
        Integer i = byName.get(name.text());
        if (i != null) {
            return i;
        }
        int d = defaultIndex(name.text());
        if (d >= 0) {
            return d;
        }
        throw new AssemblyException(file, name.line(), name.column(), "undefined " + kind + " '" + name.text() + "'");
    }

    /** Declared names that differ from the defaults, by index (what the names section keeps). */
    Map<Integer, String> storedNames() {
        return stored;
    }

    /** The index a default name stands for, or -1 if {@code text} is not a default name here. */
    int defaultIndex(String text) {
        return prefix == null ? -1 : defaultIndex(prefix, text);
    }

    /**
     * The index {@code text} stands for if it is {@code prefix} followed by a canonical decimal
     * int ({@code 0} or digits not starting with 0), else -1.
     */
    static int defaultIndex(String prefix, String text) {
        if (!text.startsWith(prefix) || text.length() == prefix.length()) {
            return -1;
        }
        String digits = text.substring(prefix.length());
        if (digits.length() > 10 || digits.length() > 1 && digits.charAt(0) == '0') {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }
}
