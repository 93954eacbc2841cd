package dev.cella.images;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An image's defaults, the "manifest of defaults" {@code cella pack} reads (YAML) and stores in
 * the image's config (JSON under {@value #CONFIG_KEY}): the guest's arguments and environment,
 * its quotas, and what it asks to be granted: mounts, the host clock and entropy, networks and
 * services. Defaults are used as they are; requests are only honoured when the command line
 * grants them too ({@link ImageGrants}). docs/images.md describes each field.
 *
 * @param args argv[1] onwards (argv[0] is the image's name on the command line)
 * @param env the environment, in order
 * @param quotas the default quotas; a null field leaves {@code cella run}'s default
 * @param mounts the mounts the guest expects at guest paths
 * @param clock true if the guest asks for the host's clocks
 * @param random true if the guest asks for host entropy
 * @param net the host network the guest asks for: guest ports reached from the host, host addresses it connects to
 * @param networks the virtual networks the guest asks to join, by name (apps only: {@code cella up})
 * @param services the services the guest asks to use, by name
 */
public record ImageSpec(List<String> args, Map<String, String> env, Quotas quotas, List<MountRequest> mounts,
        boolean clock, boolean random, NetRequests net, List<String> networks, List<String> services) {

    /** The member of the OCI config that holds the defaults. */
    public static final String CONFIG_KEY = "dev.cella.defaults";

    /** A spec with no defaults and no requests. */
    public static final ImageSpec EMPTY = new ImageSpec(List.of(), Map.of(), Quotas.NONE, List.of(), false, false,
            NetRequests.NONE, List.of(), List.of());

    public ImageSpec {
        args = List.copyOf(args);
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        mounts = List.copyOf(mounts);
        networks = List.copyOf(networks);
        services = List.copyOf(services);
    }

    /**
     * A mount the guest expects: the command line must mount a host directory at {@code path}
     * ({@code --mount HOST:PATH}, with {@code :rw} if {@code writable}).
     */
    public record MountRequest(String path, boolean writable) {}

    /**
     * What of the host's network the guest expects (docs/network.md): each port in {@code listen}
     * must be forwarded from the host ({@code --listen PORT} or {@code --publish HOSTPORT:PORT}),
     * each {@code HOST:PORT} in {@code connect} allowed ({@code --connect-allow HOST:PORT}).
     */
    public record NetRequests(List<Integer> listen, List<String> connect) {
        public static final NetRequests NONE = new NetRequests(List.of(), List.of());

        public NetRequests {
            listen = List.copyOf(listen);
            connect = List.copyOf(connect);
        }

        static NetRequests parse(YamlNode node) {
            Map<String, YamlNode> m = node.map(Set.of("listen", "connect"));
            List<Integer> listen = new ArrayList<>();
            if (m.containsKey("listen")) {
                for (YamlNode p : m.get("listen").list()) {
                    listen.add((int) p.integer(1, 65535));
                }
            }
            List<String> connect = new ArrayList<>();
            if (m.containsKey("connect")) {
                for (YamlNode c : m.get("connect").list()) {
                    if (!c.string().matches(".+:\\d{1,5}") || Integer.parseInt(c.string().replaceFirst(".*:", "")) == 0
                            || Integer.parseInt(c.string().replaceFirst(".*:", "")) > 65535) {
                        throw c.error("'" + c.string() + "' is not HOST:PORT with a port from 1 to 65535");
                    }
                    connect.add(c.string());
                }
            }
            return new NetRequests(listen, connect);
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("listen", listen);
            m.put("connect", connect);
            return m;
        }
    }

    /** Quotas; each null means "not set here". Names and units as in {@code cella run}'s options. */
    public record Quotas(Long fuel, Long memory, Duration timeout, Integer maxCallDepth, Long maxOutput,
            Integer maxOpenFiles, Long diskQuota, Integer maxFiles) {
        public static final Quotas NONE = new Quotas(null, null, null, null, null, null, null, null);

        private static final Set<String> FIELDS = Set.of("fuel", "memory", "timeout", "max-call-depth", "max-output",
                "max-open-files", "disk-quota", "max-files");

        /** The quotas of mapping {@code node} (fields as in {@link #FIELDS}). */
        public static Quotas parse(YamlNode node) {
            Map<String, YamlNode> m = node.map(FIELDS);
            return new Quotas(
                    m.containsKey("fuel") ? m.get("fuel").integer(0, Long.MAX_VALUE) : null,
                    size(m.get("memory")),
                    m.containsKey("timeout") ? duration(m.get("timeout")) : null,
                    m.containsKey("max-call-depth") ? (int) m.get("max-call-depth").integer(1, 1 << 22) : null,
                    size(m.get("max-output")),
                    m.containsKey("max-open-files") ? (int) m.get("max-open-files").integer(0, Integer.MAX_VALUE) : null,
                    size(m.get("disk-quota")),
                    m.containsKey("max-files") ? (int) m.get("max-files").integer(0, Integer.MAX_VALUE) : null);
        }

        /**
         * Sets each quota given here on {@code b}, leaving the others as they are.
         *
         * @throws dev.cella.sandbox.SandboxException for a value the sandbox refuses
         */
        public void applyTo(dev.cella.sandbox.CellConfig.Builder b) {
            if (fuel != null) {
                b.fuel(fuel);
            }
            if (memory != null) {
                b.memoryLimit(memory);
            }
            if (timeout != null) {
                b.timeout(timeout);
            }
            if (maxCallDepth != null) {
                b.maxCallDepth(maxCallDepth);
            }
            if (maxOutput != null) {
                b.maxOutput(maxOutput);
            }
            if (maxOpenFiles != null) {
                b.maxOpenFiles(maxOpenFiles);
            }
            if (diskQuota != null) {
                b.diskQuota(diskQuota);
            }
            if (maxFiles != null) {
                b.maxFilesCreated(maxFiles);
            }
        }

        /** These quotas with each field of {@code over} that is set replacing this one's. */
        public Quotas overriddenBy(Quotas over) {
            return new Quotas(pick(over.fuel, fuel), pick(over.memory, memory), pick(over.timeout, timeout),
                    pick(over.maxCallDepth, maxCallDepth), pick(over.maxOutput, maxOutput),
                    pick(over.maxOpenFiles, maxOpenFiles), pick(over.diskQuota, diskQuota), pick(over.maxFiles, maxFiles));
        }

        private static <T> T pick(T first, T second) {
            return first != null ? first : second;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            putIf(m, "fuel", fuel);
            putIf(m, "memory", memory);
            putIf(m, "timeout", timeout == null ? null : timeout.toMillis() + "ms");
            putIf(m, "max-call-depth", maxCallDepth);
            putIf(m, "max-output", maxOutput);
            putIf(m, "max-open-files", maxOpenFiles);
            putIf(m, "disk-quota", diskQuota);
            putIf(m, "max-files", maxFiles);
            return m;
        }

        private static Long size(YamlNode n) {
            if (n == null) {
                return null;
            }
            try {
                return Quantities.parseSize(n.string());
            } catch (IllegalArgumentException e) {
                throw n.error(e.getMessage());
            }
        }

        private static Duration duration(YamlNode n) {
            try {
                return Quantities.parseDuration(n.string());
            } catch (IllegalArgumentException e) {
                throw n.error(e.getMessage());
            }
        }
    }

    /** A {@code grants:} mapping, in a manifest (requests) or an app file (grants). */
    record Grants(boolean clock, boolean random) {
        /** The grants of {@code node}, or none if it is null. */
        static Grants parse(YamlNode node) {
            if (node == null) {
                return new Grants(false, false);
            }
            Map<String, YamlNode> g = node.map(Set.of("clock", "random"));
            return new Grants(g.containsKey("clock") && g.get("clock").bool(), g.containsKey("random") && g.get("random").bool());
        }
    }

    private static final Set<String> FIELDS = Set.of("args", "env", "quotas", "mounts", "grants", "net", "networks",
            "services");

    /**
     * The spec in mapping {@code node}: a manifest file, or the config's {@value #CONFIG_KEY}.
     *
     * @throws ImageException naming the line, column and field of the first error
     */
    public static ImageSpec parse(YamlNode node) {
        Map<String, YamlNode> m = node.map(FIELDS);
        List<MountRequest> mounts = new ArrayList<>();
        if (m.containsKey("mounts")) {
            for (YamlNode item : m.get("mounts").list()) {
                Map<String, YamlNode> mm = item.map(Set.of("path", "writable"));
                if (!mm.containsKey("path")) {
                    throw item.error("a mount needs a path");
                }
                String path = mm.get("path").string();
                if (!path.startsWith("/") || path.equals("/") || List.of(path.split("/")).stream().anyMatch(c -> c.equals(".") || c.equals(".."))) {
                    throw mm.get("path").error("'" + path + "' is not an absolute guest path below / without '.' or '..'");
                }
                mounts.add(new MountRequest(path, mm.containsKey("writable") && mm.get("writable").bool()));
            }
        }
        Grants grants = Grants.parse(m.get("grants"));
        return new ImageSpec(
                m.containsKey("args") ? m.get("args").strings() : List.of(),
                m.containsKey("env") ? env(m.get("env")) : Map.of(),
                m.containsKey("quotas") ? Quotas.parse(m.get("quotas")) : Quotas.NONE,
                mounts, grants.clock(), grants.random(),
                m.containsKey("net") ? NetRequests.parse(m.get("net")) : NetRequests.NONE,
                m.containsKey("networks") ? m.get("networks").strings() : List.of(),
                m.containsKey("services") ? m.get("services").strings() : List.of());
    }

    private static Map<String, String> env(YamlNode node) {
        Map<String, YamlNode> m = node.map();
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> e : m.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().contains("=") || e.getKey().indexOf('\0') >= 0) {
                throw e.getValue().error("an environment variable's name is not empty and has no '=' or NUL");
            }
            out.put(e.getKey(), e.getValue().string());
        }
        return out;
    }

    /** The spec as the JSON object stored in the config, which {@link #parse} reads back to an equal spec. */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("args", args);
        m.put("env", env);
        m.put("quotas", quotas.toJson());
        List<Object> ms = new ArrayList<>();
        for (MountRequest r : mounts) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("path", r.path());
            one.put("writable", r.writable());
            ms.add(one);
        }
        m.put("mounts", ms);
        Map<String, Object> grants = new LinkedHashMap<>();
        grants.put("clock", clock);
        grants.put("random", random);
        m.put("grants", grants);
        m.put("net", net.toJson());
        m.put("networks", networks);
        m.put("services", services);
        return m;
    }

    private static void putIf(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
