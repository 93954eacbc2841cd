package dev.cella.jit;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The structural check of a class read from the class cache before it is defined ({@link
 * ClassCache}): a strict reader of the class file that accepts it only if it could be one the
 * JIT generated. The JVM's verifier keeps a class inside type safety, but a verified class may
 * still call {@code Runtime.exec}, {@code System.exit} or reflection; whoever can write the cache
 * directory could plant one, and the class would run as host code. So every class, member and
 * type a stored class names must be in {@link #MEMBERS}, the list of what the emitters reference.
 *
 * <p>Everything a class's code can reach goes through its constant pool (the JVM links
 * instructions only through it), so the check reads the pool and accepts only: classes and types
 * of {@link #MEMBERS} or the class itself (arrays of them, primitives); field and method
 * references to members {@link #MEMBERS} allows; method handles only to the JIT's bootstrap
 * methods ({@link CallEmitter#LINK_CALL}, {@code LINK_HOP}, the dispatcher's {@code LINK_REGION} and
 * {@code LINK_PROFILE}, the tick of {@link HotRegions}) and
 * invokedynamic only through them
 * (the JIT emits no other, and no dynamic constant, module or package entry). Then the class must
 * be named as expected, extend {@code Object}, implement nothing, declare no field, declare
 * methods named as the compiler names them, and carry no attribute but {@code Code}, {@code
 * StackMapTable} and {@code BootstrapMethods}. A class the check refuses is a miss: it is generated
 * again and replaces the stored one.
 *
 * <p>ClassCacheTest#everyClassTheJitGeneratesForTheConformanceSuitePassesTheCheck keeps the list
 * complete (a class it refused would only cost time, never a wrong result).
 */
final class ClassCheck {
    /** Any member of the class may be referenced: the JIT's own runtime, whose members exist to be called by generated code. */
    private static final Set<String> ANY = Set.of("*");
    /** The class may appear only as a type (in a descriptor or a stack map), none of its members referenced. */
    private static final Set<String> TYPE = Set.of();

    /**
     * What generated code may name, by class: the members it may reference ({@link #ANY}, or
     * names). JDK classes list only the members the emitters call (System's {@code arraycopy},
     * never {@code exit}; no {@code Integer.getInteger}, which reads host properties).
     */
    static final Map<String, Set<String>> MEMBERS = Map.ofEntries(
            Map.entry("dev/cella/jit/JitContext", ANY),
            Map.entry("dev/cella/jit/JitRuntime", ANY),
            Map.entry("dev/cella/jit/MemoryAccess", ANY),
            Map.entry("dev/cella/jit/JitSuspend", ANY),
            Map.entry("dev/cella/vm/Numerics", ANY),
            Map.entry("dev/cella/vm/TrapSignal", ANY),
            Map.entry("dev/cella/vm/V128Lanes", ANY),
            Map.entry("dev/cella/vm/GuestException", ANY),
            Map.entry("dev/cella/jit/JitLinker", Set.of("linkCall", "linkHop", "linkRegion", "linkProfile")),
            Map.entry("java/lang/Object", Set.of("<init>")),
            Map.entry("java/lang/Math", Set.of("ceil", "floor", "rint", "sqrt", "min", "max")),
            Map.entry("java/lang/Integer", Set.of("bitCount", "numberOfLeadingZeros", "numberOfTrailingZeros",
                    "rotateLeft", "rotateRight", "compareUnsigned", "toUnsignedLong")),
            Map.entry("java/lang/Long", Set.of("bitCount", "numberOfLeadingZeros", "numberOfTrailingZeros",
                    "rotateLeft", "rotateRight", "compareUnsigned")),
            Map.entry("java/lang/Float", Set.of("floatToRawIntBits", "intBitsToFloat")),
            Map.entry("java/lang/Double", Set.of("doubleToRawLongBits", "longBitsToDouble")),
            Map.entry("java/lang/System", Set.of("arraycopy")),
            Map.entry("java/util/Arrays", Set.of("copyOf")),
            Map.entry("java/util/Objects", Set.of("checkIndex")),
            Map.entry("java/lang/invoke/MethodHandle", Set.of("invokeExact")),
            Map.entry("dev/cella/vm/Trap", TYPE),
            Map.entry("java/lang/IndexOutOfBoundsException", TYPE),
            Map.entry("java/lang/Throwable", TYPE),
            Map.entry("java/lang/String", TYPE),
            Map.entry("java/lang/invoke/MethodHandles$Lookup", TYPE),
            Map.entry("java/lang/invoke/MethodType", TYPE),
            Map.entry("java/lang/invoke/CallSite", TYPE));

    /** The names the compiler gives methods: {@code fN}, {@code box}, {@code run}, regions {@code rN}, entries {@code e}. */
    private static final Pattern METHOD = Pattern.compile("f[0-9]+|box|run|r[0-9]+|e");
    private static final Set<String> BOOTSTRAPS = Set.of("linkCall", "linkHop", "linkRegion", "linkProfile");

    private ClassCheck() {}

    /** Why the class {@code bytes} is not one the JIT could have generated as {@code name}; null if it could. */
    static String refusal(byte[] bytes, String name) {
        try {
            return new Reader(bytes, name).read();
        } catch (IOException | RuntimeException e) {
            return "malformed class file: " + e;
        }
    }

    /** One pass over a class file; every index is checked against the pool before it is followed. */
    private static final class Reader {
        private final DataInputStream in;
        private final String name;
        private int[] tags;
        private Object[] values; // Utf8: String; Class, String, MethodType: int; refs: int[]

        Reader(byte[] bytes, String name) {
            this.in = new DataInputStream(new ByteArrayInputStream(bytes));
            this.name = name;
        }

        String read() throws IOException {
            if (in.readInt() != 0xCAFEBABE) {
                return "not a class file";
            }
            in.readUnsignedShort();
            if (in.readUnsignedShort() != 65) {
                return "not a Java 21 class file";
            }
            String r = pool();
            if (r != null) {
                return r;
            }
            in.readUnsignedShort(); // access flags: the JVM checks them
            if (!name.equals(className(in.readUnsignedShort()))) {
                return "not named " + name;
            }
            if (!"java/lang/Object".equals(className(in.readUnsignedShort()))) {
                return "does not extend Object";
            }
            if (in.readUnsignedShort() != 0) {
                return "implements interfaces";
            }
            if (in.readUnsignedShort() != 0) {
                return "declares fields";
            }
            int methods = in.readUnsignedShort();
            for (int i = 0; i < methods; i++) {
                in.readUnsignedShort();
                String m = utf8(in.readUnsignedShort());
                String d = utf8(in.readUnsignedShort());
                if (!METHOD.matcher(m).matches()) {
                    return "method " + m;
                }
                if (!checkDescriptor(d)) {
                    return "method " + m + " has a foreign type: " + d;
                }
                r = attributes(in, Set.of("Code"));
                if (r != null) {
                    return r;
                }
            }
            r = attributes(in, Set.of("BootstrapMethods"));
            if (r != null) {
                return r;
            }
            return in.read() == -1 ? null : "bytes after the class";
        }

        /** Reads and checks the constant pool; null if every entry is allowed. */
        private String pool() throws IOException {
            int count = in.readUnsignedShort();
            tags = new int[count];
            values = new Object[count];
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                tags[i] = tag;
                switch (tag) {
                    case 1 -> values[i] = in.readUTF();
                    case 3, 4 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++; // takes two slots
                    }
                    case 7, 8, 16 -> values[i] = in.readUnsignedShort();
                    case 9, 10, 11, 12 -> values[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                    case 15 -> values[i] = new int[] {in.readUnsignedByte(), in.readUnsignedShort()};
                    case 18 -> values[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                    default -> {
                        return "constant pool entry of kind " + tag; // 17 dynamic, 19 module, 20 package
                    }
                }
            }
            for (int i = 1; i < count; i++) {
                String r = entry(i);
                if (r != null) {
                    return r;
                }
            }
            return null;
        }

        private String entry(int i) {
            switch (tags[i]) {
                case 7 -> {
                    String c = utf8((Integer) values[i]);
                    return c.startsWith("[") ? checkDescriptor(c) ? null : "type " + c
                            : c.equals(name) || MEMBERS.containsKey(c) ? null : "class " + c;
                }
                case 8, 16 -> {
                    String s = utf8((Integer) values[i]);
                    return tags[i] == 8 || checkDescriptor(s) ? null : "method type " + s;
                }
                case 9, 10, 11 -> {
                    int[] ref = (int[]) values[i];
                    String owner = className(ref[0]);
                    String member = utf8(nameAndType(ref[1])[0]);
                    Set<String> allowed = MEMBERS.get(owner);
                    boolean ok = owner.equals(name) || allowed == ANY || allowed != null && allowed.contains(member);
                    return ok ? null : "member " + owner + "." + member;
                }
                case 12 -> {
                    int[] nat = (int[]) values[i];
                    utf8(nat[0]);
                    String d = utf8(nat[1]);
                    return checkDescriptor(d) ? null : "descriptor " + d;
                }
                case 15 -> {
                    int[] h = (int[]) values[i];
                    return h[0] == 6 && bootstrap(h[1]) ? null : "method handle " + i;
                }
                case 18 -> {
                    int[] nat = nameAndType(((int[]) values[i])[1]);
                    return utf8(nat[0]).matches("call|hop|tick|r[0-9]+") ? null : "invokedynamic " + utf8(nat[0]);
                }
                default -> {
                    return null; // Utf8 and numbers name nothing; Long and Double's second slot is 0
                }
            }
        }

        /** Whether pool entry {@code ref} is a method reference to one of JitLinker's bootstrap methods. */
        private boolean bootstrap(int ref) {
            int[] r = (int[]) get(ref, 10);
            return "dev/cella/jit/JitLinker".equals(className(r[0]))
                    && BOOTSTRAPS.contains(utf8(nameAndType(r[1])[0]));
        }

        /**
         * Reads attributes, accepting only those of {@code allowed}; in {@code Code}, only
         * {@code StackMapTable}; in {@code BootstrapMethods}, bootstrap methods whose handles are
         * the JIT's (checked with the pool) and whose arguments are integers.
         */
        private String attributes(DataInputStream in, Set<String> allowed) throws IOException {
            int n = in.readUnsignedShort();
            for (int i = 0; i < n; i++) {
                String a = utf8(in.readUnsignedShort());
                int length = in.readInt();
                if (!allowed.contains(a) || length < 0) {
                    return "attribute " + a;
                }
                // An attribute is read from its own bytes and must fill them exactly.
                DataInputStream body = new DataInputStream(new ByteArrayInputStream(in.readNBytes(length)));
                if (a.equals("Code")) {
                    body.readUnsignedShort();
                    body.readUnsignedShort();
                    body.skipNBytes(body.readInt() & 0xFFFFFFFFL);
                    body.skipNBytes(8L * body.readUnsignedShort());
                    String r = attributes(body, Set.of("StackMapTable"));
                    if (r != null) {
                        return r;
                    }
                } else if (a.equals("BootstrapMethods")) {
                    int bsms = body.readUnsignedShort();
                    for (int b = 0; b < bsms; b++) {
                        get(body.readUnsignedShort(), 15);
                        int args = body.readUnsignedShort();
                        for (int k = 0; k < args; k++) {
                            get(body.readUnsignedShort(), 3);
                        }
                    }
                } else {
                    body.skipNBytes(length);
                }
                if (body.read() != -1) {
                    return "attribute " + a + " longer than its content";
                }
            }
            return null;
        }

        /** Whether every class a field or method descriptor names is allowed (or this class). */
        private boolean checkDescriptor(String d) {
            int i = 0;
            while (i < d.length()) {
                char c = d.charAt(i);
                if (c == 'L') {
                    int end = d.indexOf(';', i);
                    if (end < 0) {
                        return false;
                    }
                    String cls = d.substring(i + 1, end);
                    if (!cls.equals(name) && !MEMBERS.containsKey(cls)) {
                        return false;
                    }
                    i = end + 1;
                } else if ("()[ZBCSIJFDV".indexOf(c) >= 0) {
                    i++;
                } else {
                    return false;
                }
            }
            return true;
        }

        private Object get(int index, int tag) {
            if (index <= 0 || index >= tags.length || tags[index] != tag) {
                throw new IllegalArgumentException("constant pool index " + index + " is not of kind " + tag);
            }
            return values[index];
        }

        private String utf8(int index) {
            return (String) get(index, 1);
        }

        private String className(int index) {
            return utf8((Integer) get(index, 7));
        }

        private int[] nameAndType(int index) {
            return (int[]) get(index, 12);
        }
    }
}
