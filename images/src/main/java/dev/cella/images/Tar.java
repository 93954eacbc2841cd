package dev.cella.images;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The POSIX tar format (ustar, with pax extended headers for long names), written
 * deterministically and read strictly. Written entries have owner 0:0, no owner names, mtime 0 and
 * modes 0755 (directories) or 0644 (files, links), so an archive depends only on its entries'
 * names, kinds and contents, in the order given. The reader accepts directories, regular files
 * and symbolic links, and refuses every other kind of entry.
 */
final class Tar {
    private Tar() {}

    private static final int BLOCK = 512;

    /** What an entry is. */
    enum Type { DIR, FILE, SYMLINK }

    /** An entry: a file's {@code data}, a link's {@code target}; directory names end without '/'. */
    record Entry(String name, Type type, byte[] data, String target) {
        static Entry dir(String name) {
            return new Entry(name, Type.DIR, new byte[0], null);
        }

        static Entry file(String name, byte[] data) {
            return new Entry(name, Type.FILE, data, null);
        }
    }

    /** Writes {@code entries} in order, then the two zero blocks that end an archive. */
    static void write(OutputStream out, List<Entry> entries) throws IOException {
        for (Entry e : entries) {
            String name = e.type() == Type.DIR ? e.name() + "/" : e.name();
            String target = e.target() == null ? "" : e.target();
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            byte[] targetBytes = target.getBytes(StandardCharsets.UTF_8);
            if (nameBytes.length > 100 || targetBytes.length > 100 || !ascii(name) || !ascii(target)) {
                StringBuilder pax = new StringBuilder();
                pax.append(paxRecord("path", name));
                if (!target.isEmpty()) {
                    pax.append(paxRecord("linkpath", target));
                }
                byte[] paxBytes = pax.toString().getBytes(StandardCharsets.UTF_8);
                out.write(header("PaxHeader", 'x', paxBytes.length, ""));
                out.write(paxBytes);
                pad(out, paxBytes.length);
                name = truncate(name);
                target = truncate(target);
            }
            byte[] data = e.type() == Type.FILE ? e.data() : new byte[0];
            char flag = switch (e.type()) {
                case DIR -> '5';
                case FILE -> '0';
                case SYMLINK -> '2';
            };
            out.write(header(name, flag, data.length, target));
            out.write(data);
            pad(out, data.length);
        }
        out.write(new byte[2 * BLOCK]);
    }

    private static boolean ascii(String s) {
        return s.chars().allMatch(c -> c > 0 && c < 0x80);
    }

    /** A pax record "LEN key=value\n", where LEN counts the whole record, itself included. */
    private static String paxRecord(String key, String value) {
        int body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
        int len = body + 1;
        while (Integer.toString(len).length() + body != len) {
            len++;
        }
        return len + " " + key + "=" + value + "\n";
    }

    /** The ASCII head of {@code s}, at most 100 bytes, for the ustar field a pax record overrides. */
    private static String truncate(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (sb.length() == 99) {
                break;
            }
            sb.append(c > 0 && c < 0x80 ? c : '_');
        }
        return sb.toString();
    }

    private static byte[] header(String name, char flag, long size, String target) {
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name.getBytes(StandardCharsets.US_ASCII));
        octal(h, 100, 8, flag == '5' ? 0755 : 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 0);
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = (byte) flag;
        put(h, 157, 100, target.getBytes(StandardCharsets.US_ASCII));
        put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
        octal(h, 329, 8, 0);
        octal(h, 337, 8, 0);
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        octal(h, 148, 7, sum);
        return h;
    }

    private static void put(byte[] h, int at, int len, byte[] value) {
        System.arraycopy(value, 0, h, at, Math.min(len, value.length));
    }

    /** {@code value} as zero-padded octal digits and a NUL, filling {@code len} bytes. */
    private static void octal(byte[] h, int at, int len, long value) {
        String s = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, len - 1 - s.length())) + s;
        put(h, at, len - 1, padded.getBytes(StandardCharsets.US_ASCII));
        h[at + len - 1] = 0;
    }

    private static void pad(OutputStream out, long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0) {
            out.write(new byte[BLOCK - rest]);
        }
    }

    /**
     * Reads every entry of the archive in {@code in}, at most {@code maxBytes} of contents in all.
     *
     * @param what names the archive in messages
     * @throws ImageException (MALFORMED) if it is not a tar archive, has an entry of another kind,
     *     or holds more than {@code maxBytes}
     * @throws IOException if reading fails
     */
    static List<Entry> read(InputStream in, String what, long maxBytes) throws IOException {
        List<Entry> out = new ArrayList<>();
        String paxPath = null;
        String paxLink = null;
        long total = 0;
        while (true) {
            byte[] h = in.readNBytes(BLOCK);
            if (h.length == 0 || isZero(h)) {
                return out; // a missing end-of-archive marker is tolerated, as GNU tar does
            }
            if (h.length < BLOCK) {
                throw malformed(what, "ends inside an entry's header");
            }
            if (!checksumMatches(h)) {
                throw malformed(what, "an entry's header has a wrong checksum (offset of the entry unknown: not a tar file?)");
            }
            String name = field(h, 0, 100);
            String prefix = field(h, 345, 155);
            if (!prefix.isEmpty() && field(h, 257, 5).equals("ustar")) {
                name = prefix + "/" + name;
            }
            long size = parseOctal(h, 124, 12, what);
            char flag = (char) h[156];
            if (size < 0 || size > maxBytes - total) {
                throw malformed(what, "holds more than " + maxBytes + " bytes");
            }
            total += size;
            byte[] data = in.readNBytes((int) size);
            if (data.length < size) {
                throw malformed(what, "ends inside entry " + name);
            }
            in.readNBytes((int) ((BLOCK - size % BLOCK) % BLOCK));
            if (flag == 'x') {
                for (String rec : new String(data, StandardCharsets.UTF_8).split("\n")) {
                    int sp = rec.indexOf(' ');
                    int eq = rec.indexOf('=');
                    if (sp > 0 && eq > sp) {
                        String key = rec.substring(sp + 1, eq);
                        if (key.equals("path")) {
                            paxPath = rec.substring(eq + 1);
                        } else if (key.equals("linkpath")) {
                            paxLink = rec.substring(eq + 1);
                        }
                    }
                }
                continue;
            }
            if (paxPath != null) {
                name = paxPath;
            }
            String target = paxLink != null ? paxLink : field(h, 157, 100);
            paxPath = null;
            paxLink = null;
            switch (flag) {
                case '0', '\0' -> out.add(Entry.file(name, data));
                case '5' -> out.add(Entry.dir(name.endsWith("/") ? name.substring(0, name.length() - 1) : name));
                case '2' -> out.add(new Entry(name, Type.SYMLINK, new byte[0], target));
                default -> throw malformed(what, "entry " + name + " is of type '" + flag
                        + "'; only directories, regular files and symbolic links are allowed");
            }
        }
    }

    private static boolean isZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean checksumMatches(byte[] h) {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xFF;
        }
        String s = field(h, 148, 8).trim();
        try {
            return !s.isEmpty() && Long.parseLong(s, 8) == sum;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String field(byte[] h, int at, int len) {
        int end = at;
        while (end < at + len && h[end] != 0) {
            end++;
        }
        return new String(h, at, end - at, StandardCharsets.UTF_8);
    }

    private static long parseOctal(byte[] h, int at, int len, String what) {
        String s = field(h, at, len).trim();
        try {
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw malformed(what, "an entry's size '" + s + "' is not octal");
        }
    }

    private static ImageException malformed(String what, String message) {
        return new ImageException(ImageException.Kind.MALFORMED, what + ": " + message);
    }

    /** The bytes of an archive of {@code entries}. */
    static byte[] bytes(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out, entries);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
