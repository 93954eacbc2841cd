package dev.cella.jit;

import dev.cella.isa.module.Module;
import dev.cella.vm.CodeFingerprint;
import dev.cella.vm.interp.Interpreter;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;
import org.objectweb.asm.ClassWriter;

/**
 * The on-disk cache of the JIT's generated classes, so that a later process defines the classes a
 * module's functions were compiled to instead of generating them again (docs/cli.md, "Class
 * cache"; docs/performance.md, "Class cache"). One per cache directory, shared by every engine
 * of the process; each engine keeps its module's classes in a {@link ModuleClasses}.
 *
 * <p>A module's classes are the file {@code DIR/classes/MODULE-VERSION[-OPTIONS].classes}: MODULE
 * names the module's content by a SHA-256, VERSION is a fingerprint of the JIT's code and of the
 * code it reads ({@link #jitVersion()}), OPTIONS the compilation choices that change the bytes
 * (regions forced, tests only; the shapes for C1, {@link JitEngine.Options#clientShapes}, so a
 * JVM with C2 does not load classes shaped for C1 alone, nor the reverse). MODULE is the key its loader gave the module ({@link #identify}: a WebAssembly
 * module's is the SHA-256 of the .wasm and the translator's fingerprint, which the translation
 * cache computes anyway), else the SHA-256 of the module's Cella binary. The file holds a CRC-32C
 * of its name and content, then its own name again and the entries: per generated class, which
 * function, variant (metered or not) and block leader it is for, what the compiler said of it
 * (region starts, method sizes, whether it exits) and the class bytes. Everything the bytes
 * depend on is in that key: the module, the JIT, the variant, the function and leader. (A
 * CRC-32C, not a SHA-256: it catches damage as well, and bin/cella's JVM, C1 only, has no
 * intrinsic for SHA-256, which took 200-300 ms over a 4 MB file there against 1-3 ms; the
 * module's key is what must resist collisions, and it is a SHA-256.)
 *
 * <p>Cached bytes are untrusted input. A file whose checksum does not match (damaged, cut
 * short, copied from another module's name) is a miss: its classes are generated again and the
 * file is rewritten. An entry that passes the checksum is still defined as any generated class
 * is, with the JVM's verifier on, and an entry the JVM or the JIT cannot use (a class that does
 * not verify, lacks the methods it must have, or a region plan that does not fit the function)
 * is a miss for that class alone ({@link CodeCache}). The checksum is not a secret, and a class
 * that verifies may still call anything in the JDK, so two defences stand against someone who can
 * write the directory (a shared {@code --cache-dir}, a directory in a mount a guest writes, a
 * local user when permissions are loose): a directory not private to this user is not used at
 * all ({@link #distrust()}; the directories are created 0700, the files 0600), and before a stored
 * class is defined {@link ClassCheck} must find that it names only what the JIT's classes name,
 * else it is a miss. A class that passes can still compute something else, as a replaced program
 * could, but cannot reach the host beyond what generated code reaches. A cache that cannot be read or written only costs time.
 *
 * <p>New classes are written by {@link #flush} (the command line does so when a command ends):
 * each module's file is read again, merged with what the process generated, written to a
 * temporary file and renamed into place, so concurrent processes see a whole file or none and a
 * lost race only loses classes that the next run generates again. Then the directory is bounded
 * to {@link #limit()} bytes by deleting the least recently used files (a hit refreshes a file's
 * modification time).
 *
 * <p>Thread-safe.
 */
public final class ClassCache {
    /** Bytes the class files of the directory may take, unless the system property {@code cella.classCache.limit} says. */
    public static final long DEFAULT_LIMIT = 256L << 20;

    private static final byte[] MAGIC = "CELLAJIT".getBytes(StandardCharsets.US_ASCII);
    /** The layout of a file's content after the checksum; a new layout is also a new {@link #jitVersion()}. */
    private static final int FORMAT = 1;
    /** The length of the checksum at the head of a file. */
    private static final int SUM = 4;
    private static final String SUFFIX = ".classes";
    /** Bounds on what a file may declare (untrusted), far above what any module needs. */
    private static final int MAX_ENTRIES = 1 << 20;

    private final Path dir;
    private final long limit;
    /** The keys loaders gave modules ({@link #identify}), by module identity; cleared entries are pruned. */
    private static final List<Identity> IDENTITIES = new ArrayList<>();

    private record Identity(WeakReference<Module> module, String key) {}

    /** Modules holding classes not yet written; {@link ModuleClasses} adds itself when it gets one. */
    private final List<ModuleClasses> pending = new ArrayList<>();

    /**
     * A cache of generated classes in {@code cacheDir}{@code /classes} (created when first
     * written), its files bounded to {@code limit} bytes.
     */
    public ClassCache(Path cacheDir, long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("negative class cache limit " + limit);
        }
        this.dir = cacheDir.resolve("classes");
        this.limit = limit;
    }

    /** A cache in {@code cacheDir} with the limit of the system property {@code cella.classCache.limit}, else {@link #DEFAULT_LIMIT}. */
    public ClassCache(Path cacheDir) {
        this(cacheDir, Math.max(0, Long.getLong("cella.classCache.limit", DEFAULT_LIMIT)));
    }

    /** The most bytes the directory's class files may take after a {@link #flush}. */
    public long limit() {
        return limit;
    }

    /** The directory holding the class files. */
    public Path dir() {
        return dir;
    }

    /**
     * The classes of {@code module} compiled with {@code options}; reads nothing until first
     * asked. Null if this build's code cannot be fingerprinted (no cache then).
     */
    ModuleClasses open(Module module, JitEngine.Options options) {
        String version = jitVersion();
        return version == null || distrust() != null ? null : new ModuleClasses(this, module,
                version + (options.forceRegions() ? "-r" : "") + (options.clientShapes() ? "-c1" : ""));
    }

    /** Whether {@link #distrust} has been computed (and, if it refused the directory, said so). */
    private boolean judged;
    private String distrust;

    /**
     * Why this process does not use the directory, or null if it does: as ssh treats {@code
     * ~/.ssh}, a cache directory (or its {@code classes} directory) owned by another user or
     * writable by group or others could hold classes someone else planted, so none is read or
     * written. Said once on stderr (the host's, never the guest's stdout). The translation cache
     * is unaffected: it holds no host code and what it reads is verified.
     */
    synchronized String distrust() {
        if (!judged) {
            judged = true;
            distrust = distrust(List.of(dir.getParent(), dir));
            if (distrust != null) {
                System.err.println("cella: class cache not used: " + distrust);
            }
        }
        return distrust;
    }

    /** Why one of {@code paths} (or null if none) is not private to this user; absent ones are fine. */
    static String distrust(List<Path> paths) {
        if (!POSIX) {
            return null; // no owner and mode bits to judge by
        }
        String me = System.getProperty("user.name");
        for (Path p : paths) {
            String why = notPrivate(p, me);
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    /** Why {@code p} could be changed by someone other than user {@code me}, or null (also if it does not exist). */
    private static String notPrivate(Path p, String me) {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(p, PosixFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return p + " cannot be examined (" + e.getMessage() + ")";
        }
        if (!a.owner().getName().equals(me)) {
            return p + " is owned by " + a.owner().getName() + ", not " + me;
        }
        if (a.permissions().contains(PosixFilePermission.GROUP_WRITE)
                || a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
            return p + " is writable by group or others (chmod go-w it)";
        }
        return null;
    }

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    /** The mode of the directories the cache creates: the owner's alone. */
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    /**
     * Records that {@code module} is the one that {@code key} names: a string that names its
     * content as surely as a SHA-256 of it (the loader's own digest, such as the translation
     * cache's key of a .wasm), so that its class file is found without hashing the module.
     */
    public static void identify(Module module, String key) {
        synchronized (IDENTITIES) {
            IDENTITIES.removeIf(i -> i.module().get() == null);
            IDENTITIES.add(new Identity(new WeakReference<>(module), key));
        }
    }

    /** The key {@link #identify} gave {@code module}, or null. */
    static String identity(Module module) {
        synchronized (IDENTITIES) {
            for (Identity i : IDENTITIES) {
                if (i.module().get() == module) {
                    return i.key();
                }
            }
        }
        return null;
    }

    /** Writes the classes every engine of this cache generated since the last flush; never throws. */
    public void flush() {
        List<ModuleClasses> modules;
        synchronized (pending) {
            modules = new ArrayList<>(pending);
            pending.clear();
        }
        boolean wrote = false;
        for (ModuleClasses m : modules) {
            wrote |= m.flush();
        }
        if (wrote) {
            evict();
        }
    }

    void pending(ModuleClasses m) {
        synchronized (pending) {
            if (!pending.contains(m)) {
                pending.add(m);
            }
        }
    }

    private static volatile String version;

    /**
     * A fingerprint of the code that generated classes depend on ({@link CodeFingerprint}): the
     * JIT, the runtime and interpreter it calls, the module format, ASM, and this file layout.
     */
    static String jitVersion() {
        String v = version;
        if (v == null) {
            v = CodeFingerprint.of(JitEngine.class, Interpreter.class, Module.class, ClassWriter.class);
            if (v == null) {
                return null;
            }
            version = v = v + "f" + FORMAT;
        }
        return v;
    }

    /** The file of the module whose key (digest and version) is {@code key}. */
    Path file(String key) {
        return dir.resolve(key + SUFFIX);
    }

    /**
     * The entries of {@code file} if its checksum matches, else an empty map (a miss; so is a
     * file that is absent or unreadable). Refreshes the file's time when it is used.
     */
    static Map<Long, ModuleClasses.Stored> read(Path file) {
        Map<Long, ModuleClasses.Stored> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(file) || distrust(List.of(file)) != null) {
            return out; // a file someone else could have written is a miss, and is replaced by one of ours
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length < SUM || ByteBuffer.wrap(bytes).getInt() != checksum(file, bytes, SUM)) {
                return out;
            }
            ByteBuffer b = ByteBuffer.wrap(bytes, SUM, bytes.length - SUM);
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC) || b.getInt() != FORMAT) {
                return out;
            }
            byte[] name = new byte[b.getShort() & 0xFFFF];
            b.get(name);
            if (!Arrays.equals(name, file.getFileName().toString().getBytes(StandardCharsets.UTF_8))) {
                return out; // another module's file under this one's name
            }
            int count = b.getInt();
            if (count < 0 || count > MAX_ENTRIES) {
                return out;
            }
            for (int i = 0; i < count; i++) {
                long key = b.getLong();
                int[] sizes = ints(b);
                boolean exits = b.get() != 0;
                int[] starts = ints(b);
                int length = b.getInt();
                if (length < 0 || length > b.remaining()) {
                    return new LinkedHashMap<>();
                }
                byte[] cls = new byte[length];
                b.get(cls);
                out.put(key, new ModuleClasses.Stored(cls, sizes, exits, starts.length == 0 ? null : starts));
            }
            try {
                Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
            } catch (IOException e) {
                // Only the eviction order suffers.
            }
            return out;
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // Damaged, tampered with or unreadable: a miss; the next flush replaces it.
            return new LinkedHashMap<>();
        }
    }

    private static int[] ints(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining() / 4) {
            throw new BufferUnderflowException();
        }
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = b.getInt();
        }
        return a;
    }

    /**
     * Writes {@code entries} as {@code file} (a temporary file renamed into place); false if
     * nothing was written (an I/O error, or more than the limit alone).
     */
    boolean write(Path file, Map<Long, ModuleClasses.Stored> entries) {
        byte[] name = file.getFileName().toString().getBytes(StandardCharsets.UTF_8);
        long size = SUM + MAGIC.length + 8L + 2 + name.length;
        for (ModuleClasses.Stored s : entries.values()) {
            size += 8 + 4 + 4L * s.codeSizes().length + 1 + 4 + 4L * (s.starts() == null ? 0 : s.starts().length)
                    + 4 + s.bytes().length;
        }
        if (size > limit || size > Integer.MAX_VALUE - 16) {
            return false;
        }
        ByteBuffer b = ByteBuffer.allocate((int) size);
        b.position(SUM);
        b.put(MAGIC).putInt(FORMAT).putShort((short) name.length).put(name).putInt(entries.size());
        for (var e : entries.entrySet()) {
            ModuleClasses.Stored s = e.getValue();
            b.putLong(e.getKey());
            putInts(b, s.codeSizes());
            b.put((byte) (s.exits() ? 1 : 0));
            putInts(b, s.starts() == null ? new int[0] : s.starts());
            b.putInt(s.bytes().length).put(s.bytes());
        }
        byte[] bytes = b.array();
        ByteBuffer.wrap(bytes).putInt(checksum(file, bytes, SUM));
        Path tmp = null;
        try {
            if (POSIX) {
                Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PRIVATE));
            } else {
                Files.createDirectories(file.getParent());
            }
            tmp = Files.createTempFile(file.getParent(), "classes", ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException | RuntimeException e) {
            // Not fatal (see the class comment); leave no temporary file behind.
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // Nothing more to do.
                }
            }
            return false;
        }
    }

    private static void putInts(ByteBuffer b, int[] a) {
        b.putInt(a.length);
        for (int v : a) {
            b.putInt(v);
        }
    }

    /** The checksum at the head of {@code file} whose content after the checksum starts at {@code offset}. */
    private static int checksum(Path file, byte[] bytes, int offset) {
        CRC32C c = new CRC32C();
        c.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
        c.update(bytes, offset, bytes.length - offset);
        return (int) c.getValue();
    }

    /** Deletes the least recently used class files until the rest fit {@link #limit}. */
    void evict() {
        record Entry(Path file, long size, long time) {}
        List<Entry> files = new ArrayList<>();
        long total = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : s) {
                try {
                    var a = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class);
                    files.add(new Entry(f, a.size(), a.lastModifiedTime().toMillis()));
                    total += a.size();
                } catch (IOException e) {
                    // Gone meanwhile (another process evicted it).
                }
            }
        } catch (IOException | RuntimeException e) {
            return;
        }
        files.sort(Comparator.comparingLong(Entry::time));
        for (Entry e : files) {
            if (total <= limit) {
                break;
            }
            try {
                Files.deleteIfExists(e.file());
            } catch (IOException ex) {
                // Another process may hold or have removed it; its size counts as freed either way.
            }
            total -= e.size();
        }
    }
}
