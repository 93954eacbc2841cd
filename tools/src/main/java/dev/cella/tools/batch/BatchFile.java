package dev.cella.tools.batch;

import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.sched.CellSpec;
import dev.cella.sandbox.sched.MemoryPool;
import dev.cella.sandbox.sched.Scheduler;
import dev.cella.sandbox.sched.SchedulingPolicy;
import dev.cella.services.Grant;
import dev.cella.services.Limits;
import dev.cella.tools.MountSpec;
import dev.cella.tools.ServiceSpecs;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A batch of guests for {@code cella batch}: one guest per line as {@code key=value} pairs, and
 * optional {@code scheduler} lines for the scheduler's settings. Relative paths are resolved
 * against the batch file's directory. The format is specified in {@code docs/scheduling.md}:
 *
 * <pre>
 * # three guests, the second twice as important
 * scheduler threads=2 slice=1M policy=fair pool=64M
 * name=small binary=fib.casm args="20"
 * name=big   binary=fib.casm args="27" weight=2 fuel=5G memory=1M
 * name=spin  binary=spin.cel timeout=10s copies=3
 * </pre>
 *
 * @param file the batch file
 * @param settings the scheduler's settings
 * @param guests the guests in file order ({@code copies} already expanded)
 */
public record BatchFile(Path file, Settings settings, List<Guest> guests, ServicesSettings services) {

    /** A batch without a {@code services} line. */
    public BatchFile(Path file, Settings settings, List<Guest> guests) {
        this(file, settings, guests, ServicesSettings.NONE);
    }

    /**
     * The {@code services} line (docs/services.md): where the store is and the namespaces' quotas.
     *
     * @param dataDir the data directory, resolved, or null for in memory
     * @param limits namespace quotas ({@code limit=KIND:NAME:LIMITS}, repeatable)
     */
    public record ServicesSettings(Path dataDir, List<ServiceSpecs.NamespaceLimit> limits) {
        static final ServicesSettings NONE = new ServicesSettings(null, List.of());
    }

    /**
     * A guest's grants ({@code service=KIND:NAME[:ro|:rw]}, repeatable) and its own quota
     * ({@code service-quota=LIMITS}).
     */
    public record GuestServices(List<Grant> grants, Limits quota) {
        static final GuestServices NONE = new GuestServices(List.of(), Limits.NONE);
    }

    /**
     * The scheduler's settings; null fields mean "the default".
     *
     * @param threads cells running at once, or 0 for one per processor
     * @param sliceFuel fuel per slice, or 0 for {@link Scheduler#DEFAULT_SLICE_FUEL}
     * @param policy the policy
     * @param poolBytes the memory pool's capacity ({@link MemoryPool#UNLIMITED} if not given)
     */
    public record Settings(int threads, long sliceFuel, SchedulingPolicy policy, long poolBytes) {}

    /**
     * One guest.
     *
     * @param line the batch file line that describes it
     * @param name its name (unique in the batch)
     * @param binary the guest module (.casm, .cel or .wasm, loaded as {@code cella run} loads it), resolved
     * @param args its arguments after argv[0] (which is the binary as written)
     * @param argv0 the binary as written in the batch file
     * @param weight its weight (fair share)
     * @param share its CPU share (static), 0 if not given
     * @param fuel its fuel quota, or -1 for the default
     * @param memory its memory cap or partition in bytes, or -1 for the default
     * @param timeout its wall-clock limit, or null for none
     * @param engine its engine
     * @param stdin a file for its standard input, or null for none
     * @param stdout a file its standard output goes to, or null to discard it
     * @param stderr a file its standard error goes to, or null to discard it
     * @param mounts host directories it sees, host paths resolved ({@link MountSpec}: read-only
     *     unless {@code :rw}, as for {@code cella run --mount})
     * @param services the shared-service namespaces it is granted, and its quota
     * @param net its networks, host grants, network quotas and pipe ({@link BatchNet})
     */
    public record Guest(int line, String name, Path binary, List<String> args, String argv0, int weight, double share,
            long fuel, long memory, Duration timeout, EngineKind engine, Path stdin, Path stdout, Path stderr,
            List<MountSpec> mounts, GuestServices services, BatchNet.Spec net) {}

    private static final Set<String> GUEST_KEYS = union(Set.of("name", "binary", "args", "weight", "share", "fuel",
            "memory", "timeout", "engine", "stdin", "stdout", "stderr", "mount", "copies", "service", "service-quota"),
            BatchNet.KEYS);
    private static final Set<String> SCHEDULER_KEYS = Set.of("threads", "slice", "policy", "pool");
    private static final Set<String> SERVICES_KEYS = Set.of("data-dir", "limit");
    /** Keys that may be given more than once on a line. */
    private static final Set<String> REPEATABLE = union(Set.of("mount", "service", "limit"), BatchNet.REPEATABLE);

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }

    /** Most guests one batch may describe (copies included). */
    public static final int MAX_GUESTS = 100_000;

    /**
     * Reads and parses batch file {@code file}.
     *
     * @throws BatchFileException if it cannot be read (missing input) or a line is invalid
     */
    public static BatchFile read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new BatchFileException("batch file " + file + " is not UTF-8 text", false);
        } catch (IOException e) {
            throw new BatchFileException("cannot read batch file " + file + ": " + e.getMessage(), true);
        }
        return parse(text, file);
    }

    /**
     * Parses batch text; {@code file} names it in messages and anchors relative paths.
     *
     * @throws BatchFileException naming {@code file:line} if a line is invalid, a name repeats,
     *     or there is no guest
     */
    public static BatchFile parse(String text, Path file) {
        Path base = file.toAbsolutePath().getParent();
        String[] lines = text.split("\r?\n", -1);
        Settings settings = new Settings(0, 0, SchedulingPolicy.FAIR_SHARE, MemoryPool.UNLIMITED);
        List<Guest> guests = new ArrayList<>();
        Set<String> names = new HashSet<>();
        boolean sawScheduler = false;
        ServicesSettings services = null;
        for (int i = 0; i < lines.length; i++) {
            Line line = new Line(file, i + 1);
            List<String[]> pairs = line.tokenize(lines[i]);
            if (pairs.isEmpty()) {
                continue;
            }
            if (pairs.get(0)[1] == null && pairs.get(0)[0].equals("scheduler")) {
                if (sawScheduler) {
                    throw line.error("a second scheduler line (put all scheduler settings on one line)");
                }
                sawScheduler = true;
                settings = line.settings(line.pairs(pairs.subList(1, pairs.size()), SCHEDULER_KEYS));
                continue;
            }
            if (pairs.get(0)[1] == null && pairs.get(0)[0].equals("services")) {
                if (services != null) {
                    throw line.error("a second services line (put all service settings on one line)");
                }
                services = line.services(line.pairs(pairs.subList(1, pairs.size()), SERVICES_KEYS), base);
                continue;
            }
            Map<String, List<String>> kv = line.pairs(pairs, GUEST_KEYS);
            int copies = kv.containsKey("copies") ? (int) line.count(kv, "copies", 1, MAX_GUESTS) : 1;
            for (int c = 1; c <= copies; c++) {
                Guest g = line.guest(kv, base, copies == 1 ? "" : "-" + c, guests.size());
                if (!names.add(g.name())) {
                    throw line.error("a guest named '" + g.name() + "' already exists");
                }
                guests.add(g);
                if (guests.size() > MAX_GUESTS) {
                    throw line.error("more than " + MAX_GUESTS + " guests");
                }
            }
        }
        if (guests.isEmpty()) {
            throw new BatchFileException(file + ": the batch describes no guest", false);
        }
        return new BatchFile(file, settings, List.copyOf(guests), services == null ? ServicesSettings.NONE : services);
    }

    /** One line being parsed: its place for messages, and the value parsers. */
    private record Line(Path file, int number) {
        BatchFileException error(String what) {
            return new BatchFileException(file + ":" + number + ": " + what, false);
        }

        /** Splits a line into {key, value} pairs ({key, null} for a bare word); a {@code #} starts a comment. */
        List<String[]> tokenize(String s) {
            List<String[]> out = new ArrayList<>();
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
                if (i >= n || s.charAt(i) == '#') {
                    return out;
                }
                int start = i;
                while (i < n && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) {
                    if (s.charAt(i) == '"') {
                        throw error("a quote in a key at column " + (i + 1));
                    }
                    i++;
                }
                String key = s.substring(start, i);
                if (i >= n || s.charAt(i) != '=') {
                    out.add(new String[] {key, null});
                    continue;
                }
                i++;
                StringBuilder value = new StringBuilder();
                if (i < n && s.charAt(i) == '"') {
                    i = quoted(s, i, value);
                } else {
                    while (i < n && !Character.isWhitespace(s.charAt(i))) {
                        if (s.charAt(i) == '"') {
                            throw error("a quote inside an unquoted value at column " + (i + 1));
                        }
                        value.append(s.charAt(i++));
                    }
                }
                if (key.isEmpty()) {
                    throw error("a value without a key at column " + (start + 1));
                }
                out.add(new String[] {key, value.toString()});
            }
        }

        /** Reads the quoted string starting at {@code s[open]} into {@code value}; returns the index after it. */
        private int quoted(String s, int open, StringBuilder value) {
            int i = open + 1;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '"') {
                    if (i + 1 < s.length() && !Character.isWhitespace(s.charAt(i + 1))) {
                        throw error("expected a space after the closing quote at column " + (i + 1));
                    }
                    return i + 1;
                }
                if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == '"' || s.charAt(i + 1) == '\\')) {
                    c = s.charAt(++i);
                }
                value.append(c);
                i++;
            }
            throw error("unterminated quote starting at column " + (open + 1));
        }

        /** Checks the keys against {@code allowed} (only {@link #REPEATABLE} ones may repeat) and collects the values. */
        Map<String, List<String>> pairs(List<String[]> pairs, Set<String> allowed) {
            Map<String, List<String>> out = new LinkedHashMap<>();
            for (String[] p : pairs) {
                if (p[1] == null) {
                    throw error("expected key=value, found '" + p[0] + "'");
                }
                if (!allowed.contains(p[0])) {
                    throw error("unknown key '" + p[0] + "' (expected one of " + String.join(", ",
                            allowed.stream().sorted().toList()) + ")");
                }
                List<String> values = out.computeIfAbsent(p[0], k -> new ArrayList<>());
                if (!values.isEmpty() && !REPEATABLE.contains(p[0])) {
                    throw error("key '" + p[0] + "' given twice");
                }
                values.add(p[1]);
            }
            return out;
        }

        Settings settings(Map<String, List<String>> kv) {
            int threads = kv.containsKey("threads") ? (int) count(kv, "threads", 1, 4096) : 0;
            long slice = kv.containsKey("slice") ? count(kv, "slice", 1, Long.MAX_VALUE) : 0;
            long pool = kv.containsKey("pool") ? size(kv, "pool") : MemoryPool.UNLIMITED;
            SchedulingPolicy policy = SchedulingPolicy.FAIR_SHARE;
            if (kv.containsKey("policy")) {
                policy = switch (one(kv, "policy")) {
                    case "fair" -> SchedulingPolicy.FAIR_SHARE;
                    case "static" -> SchedulingPolicy.STATIC;
                    default -> throw error("policy must be fair or static, not '" + one(kv, "policy") + "'");
                };
            }
            return new Settings(threads, slice, policy, pool);
        }

        Guest guest(Map<String, List<String>> kv, Path base, String suffix, int index) {
            if (!kv.containsKey("binary")) {
                throw error("a guest needs binary=FILE");
            }
            String argv0 = one(kv, "binary");
            Path binary = resolve(base, "binary", argv0);
            if (binary.getFileName() == null) {
                throw error("binary '" + argv0 + "' names no file");
            }
            if (kv.containsKey("name") && one(kv, "name").isEmpty()) {
                throw error("name must not be empty"); // a cell needs a name (CellSpec)
            }
            String name = (kv.containsKey("name") ? one(kv, "name") : stem(binary) + "#" + (index + 1)) + suffix;
            List<String> args = kv.containsKey("args") ? words(one(kv, "args")) : List.of();
            int weight = kv.containsKey("weight") ? (int) count(kv, "weight", 1, CellSpec.MAX_WEIGHT) : 1;
            double share = kv.containsKey("share") ? fraction(one(kv, "share")) : 0;
            long fuel = kv.containsKey("fuel") ? count(kv, "fuel", 0, Long.MAX_VALUE) : -1;
            long memory = kv.containsKey("memory") ? size(kv, "memory") : -1;
            Duration timeout = kv.containsKey("timeout") ? duration(one(kv, "timeout")) : null;
            EngineKind engine = EngineKind.INTERP;
            if (kv.containsKey("engine")) {
                try {
                    engine = EngineKind.parse(one(kv, "engine"));
                } catch (IllegalArgumentException e) {
                    throw error(e.getMessage());
                }
            }
            List<MountSpec> mounts = new ArrayList<>();
            for (String m : kv.getOrDefault("mount", List.of())) {
                mounts.add(mount(m, base));
            }
            BatchNet.Spec net = BatchNet.parse(kv, this::error, key -> size(kv, key),
                    key -> count(kv, key, 0, Integer.MAX_VALUE));
            return new Guest(number, name, binary, args, argv0, weight, share, fuel, memory, timeout, engine,
                    path(kv, "stdin", base), path(kv, "stdout", base), path(kv, "stderr", base), List.copyOf(mounts),
                    guestServices(kv), net);
        }

        /** The {@code service} and {@code service-quota} keys of a guest (docs/services.md). */
        GuestServices guestServices(Map<String, List<String>> kv) {
            if (!kv.containsKey("service") && !kv.containsKey("service-quota")) {
                return GuestServices.NONE;
            }
            try {
                List<Grant> grants = new ArrayList<>();
                for (String g : kv.getOrDefault("service", List.of())) {
                    grants.add(Grant.parse(g));
                }
                if (grants.isEmpty()) {
                    throw error("service-quota needs a service=KIND:NAME grant");
                }
                return new GuestServices(List.copyOf(grants),
                        kv.containsKey("service-quota") ? Limits.parse(one(kv, "service-quota")) : Limits.NONE);
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }

        /** The {@code services} line: {@code data-dir=DIR} (resolved) and {@code limit=KIND:NAME:LIMITS}. */
        ServicesSettings services(Map<String, List<String>> kv, Path base) {
            List<ServiceSpecs.NamespaceLimit> limits = new ArrayList<>();
            try {
                for (String l : kv.getOrDefault("limit", List.of())) {
                    limits.add(ServiceSpecs.NamespaceLimit.parse(l));
                }
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
            return new ServicesSettings(path(kv, "data-dir", base), List.copyOf(limits));
        }

        private static String stem(Path p) {
            String f = p.getFileName().toString();
            int dot = f.lastIndexOf('.');
            return dot > 0 ? f.substring(0, dot) : f;
        }

        private String one(Map<String, List<String>> kv, String key) {
            return kv.get(key).get(0);
        }

        private Path path(Map<String, List<String>> kv, String key, Path base) {
            return kv.containsKey(key) ? resolve(base, key, one(kv, key)) : null;
        }

        /** {@code value} resolved against {@code base}; a value that is no path (a NUL in it) is this line's error. */
        private Path resolve(Path base, String key, String value) {
            try {
                return base.resolve(value).normalize();
            } catch (InvalidPathException e) {
                throw error(key + " is not a valid path: " + e.getReason());
            }
        }

        /** A mount ({@link MountSpec#parse}), its host path resolved against {@code base}. */
        private MountSpec mount(String m, Path base) {
            try {
                return MountSpec.parse(m).resolvedAgainst(base);
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }

        /** Whitespace-separated words; single quotes group words with spaces ('two words'). */
        private List<String> words(String s) {
            List<String> out = new ArrayList<>();
            StringBuilder w = new StringBuilder();
            boolean inWord = false;
            boolean quoted = false;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\'') {
                    quoted = !quoted;
                    inWord = true;
                } else if (Character.isWhitespace(c) && !quoted) {
                    if (inWord) {
                        out.add(w.toString());
                        w.setLength(0);
                        inWord = false;
                    }
                } else {
                    w.append(c);
                    inWord = true;
                }
            }
            if (quoted) {
                throw error("unterminated single quote in args");
            }
            if (inWord) {
                out.add(w.toString());
            }
            return out;
        }

        /**
         * A count: an integer with optional {@code _} separators, e-notation ({@code 1e9}) or a
         * decimal suffix k, M, G, T (10^3 .. 10^12); it must be a whole number in [min, max].
         */
        long count(Map<String, List<String>> kv, String key, long min, long max) {
            String v = one(kv, key);
            long mult = 1;
            String digits = v.replace("_", "");
            if (!digits.isEmpty()) {
                switch (digits.charAt(digits.length() - 1)) {
                    case 'k' -> mult = 1_000L;
                    case 'M' -> mult = 1_000_000L;
                    case 'G' -> mult = 1_000_000_000L;
                    case 'T' -> mult = 1_000_000_000_000L;
                    default -> { }
                }
            }
            if (mult != 1) {
                digits = digits.substring(0, digits.length() - 1);
            }
            long n = whole(digits, mult, key, v);
            if (n < min || n > max) {
                throw error(key + " must be from " + min + " to " + max + ", not " + v);
            }
            return n;
        }

        /** A size in bytes: a whole number with an optional binary suffix K, M, G (or KiB, MiB, GiB). */
        long size(Map<String, List<String>> kv, String key) {
            String v = one(kv, key);
            String s = v.replace("_", "");
            long mult = 1;
            for (String[] unit : new String[][] {{"KiB", "K"}, {"MiB", "M"}, {"GiB", "G"}}) {
                long m = switch (unit[1]) {
                    case "K" -> 1L << 10;
                    case "M" -> 1L << 20;
                    default -> 1L << 30;
                };
                for (String suffix : unit) {
                    if (s.endsWith(suffix) && mult == 1) {
                        s = s.substring(0, s.length() - suffix.length());
                        mult = m;
                    }
                }
            }
            if (s.endsWith("B") && mult == 1) {
                s = s.substring(0, s.length() - 1);
            }
            return whole(s, mult, key, v);
        }

        private long whole(String digits, long mult, String key, String original) {
            try {
                BigDecimal d = new BigDecimal(digits).multiply(BigDecimal.valueOf(mult));
                if (d.signum() < 0) {
                    throw error(key + " must not be negative, not " + original);
                }
                return d.longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                throw error(key + " must be a whole number, not '" + original + "'");
            }
        }

        /** A share: a number in (0, 1] or a percentage in (0%, 100%]. */
        private double fraction(String v) {
            try {
                double d = v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1)) / 100
                        : Double.parseDouble(v);
                if (d > 0 && d <= 1) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below with the same message as an out-of-range share
            }
            throw error("share must be in (0, 1] or (0%, 100%], not '" + v + "'");
        }

        /** A duration: a whole number followed by ms, s, m or h. */
        private Duration duration(String v) {
            String[][] units = {{"ms", "1"}, {"s", "1000"}, {"m", "60000"}, {"h", "3600000"}};
            for (String[] u : units) {
                if (v.endsWith(u[0]) && v.length() > u[0].length()) {
                    String num = v.substring(0, v.length() - u[0].length());
                    if (num.chars().allMatch(Character::isDigit)) {
                        try {
                            return Duration.ofMillis(Math.multiplyExact(Long.parseLong(num), Long.parseLong(u[1])));
                        } catch (ArithmeticException | NumberFormatException e) {
                            break;
                        }
                    }
                }
            }
            throw error("timeout must be a whole number with ms, s, m or h (500ms, 10s), not '" + v + "'");
        }
    }

}
