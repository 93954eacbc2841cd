package dev.cella.wasm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds Wasm binaries byte by byte for tests that need exact encodings (and exact offsets):
 * {@code WasmBinary.module(section(1, ...), ...)}. Arguments are ints (one byte each), {@code
 * byte[]} (copied as they are) or strings (as length-prefixed UTF-8 names).
 */
final class WasmBinary {
    static final int I32 = 0x7F;
    static final int I64 = 0x7E;
    static final int F32 = 0x7D;
    static final int F64 = 0x7C;
    static final int END = 0x0B;

    private WasmBinary() {}

    /** The bytes of {@code parts}, concatenated. */
    static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            switch (p) {
                case Integer b -> out.write(b);
                case byte[] a -> out.writeBytes(a);
                case String s -> {
                    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                    out.writeBytes(uleb(utf8.length));
                    out.writeBytes(utf8);
                }
                default -> throw new IllegalArgumentException("cannot encode " + p);
            }
        }
        return out.toByteArray();
    }

    static byte[] uleb(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        do {
            int b = (int) (v & 0x7F);
            v >>>= 7;
            out.write(v != 0 ? b | 0x80 : b);
        } while (v != 0);
        return out.toByteArray();
    }

    static byte[] sleb(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            int b = (int) (v & 0x7F);
            v >>= 7;
            if ((v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0)) {
                out.write(b);
                return out.toByteArray();
            }
            out.write(b | 0x80);
        }
    }

    /** The header then the sections. */
    static byte[] module(byte[]... sections) {
        return bytes(0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, bytes((Object[]) sections));
    }

    /** A section: its id, its size, its contents. */
    static byte[] section(int id, Object... contents) {
        byte[] body = bytes(contents);
        return bytes(id, uleb(body.length), body);
    }

    /** A vector: its count, then its elements. */
    static byte[] vec(Object... elements) {
        return bytes(uleb(elements.length), bytes(elements));
    }

    /** A function type. */
    static byte[] funcType(int[] params, int[] results) {
        Object[] p = new Object[params.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = params[i];
        }
        Object[] r = new Object[results.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = results[i];
        }
        return bytes(0x60, vec(p), vec(r));
    }

    /** A function body with no locals: its size, an empty local declaration, the code (which must end with END). */
    static byte[] body(Object... code) {
        byte[] b = bytes(0x00, bytes(code));
        return bytes(uleb(b.length), b);
    }

    /**
     * A module with one function of type {@code () -> results} exported as "f" whose body is
     * {@code code} (ending with END), and a memory of one page.
     */
    static byte[] oneFunction(int[] results, Object... code) {
        return module(
                section(1, vec(funcType(new int[0], results))),
                section(3, vec(0x00)),
                section(5, vec(bytes(0x00, 0x01))),
                section(7, vec(bytes("f", 0x00, 0x00))),
                section(10, vec(body(code))));
    }

    /** The offset at which the code of {@link #oneFunction}'s body starts (after its one-byte local count). */
    static int oneFunctionCodeOffset(int[] results) {
        byte[] m = oneFunction(results, END);
        // The body is the module's last bytes: its only byte of code is END, after the local count.
        return m.length - 1;
    }
}
