package dev.cella.tools.wast;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Reads which modules a binary imports a table, a memory or a mutable global from: the imports
 * through which instantiating it changes another module's state (its element and data segments
 * write into the imported table and memory). The runner needs this for modules the importer did
 * not translate, so it reads the import section itself; it is only a scan, not a validation.
 */
final class SharedImports {
    private final byte[] b;
    private int pos;

    private SharedImports(byte[] binary) {
        this.b = binary;
    }

    /** The names of the modules {@code binary} shares state with; empty if it cannot be read. */
    static Set<String> of(byte[] binary) {
        try {
            return new SharedImports(binary).scan();
        } catch (RuntimeException e) {
            // A binary this scan cannot read was rejected by the importer too; it shares nothing.
            return Set.of();
        }
    }

    private Set<String> scan() {
        Set<String> out = new LinkedHashSet<>();
        pos = 8;
        while (pos < b.length) {
            int id = b[pos++] & 0xFF;
            int size = (int) leb();
            int end = pos + size;
            if (id == 2) {
                for (long n = leb(); n > 0; n--) {
                    String module = name();
                    name();
                    if (importSharesState()) {
                        out.add(module);
                    }
                }
            }
            pos = end;
        }
        return out;
    }

    /** Reads one import description; true for a table, a memory or a mutable global. */
    private boolean importSharesState() {
        int kind = b[pos++] & 0xFF;
        switch (kind) {
            case 0, 4 -> {
                if (kind == 4) {
                    pos++;
                }
                leb();
                return false;
            }
            case 1 -> {
                pos++;
                limits();
                return true;
            }
            case 2 -> {
                limits();
                return true;
            }
            case 3 -> {
                pos++;
                return b[pos++] == 1;
            }
            default -> throw new IllegalArgumentException("import kind " + kind);
        }
    }

    private void limits() {
        int flags = b[pos++] & 0xFF;
        leb();
        if ((flags & 1) != 0) {
            leb();
        }
    }

    private String name() {
        int length = (int) leb();
        String s = new String(b, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }

    private long leb() {
        long result = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b[pos++] & 0xFF;
            result |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return result;
            }
        }
    }
}
