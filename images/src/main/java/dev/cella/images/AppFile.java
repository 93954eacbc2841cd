package dev.cella.images;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An app: a group of cells started from images by {@code cella up APP.yaml} (docs/images.md, "App
 * files"). Each entry of {@code cells} names an image and says how many replicas to run, what to
 * override of the image's defaults, what to grant, and when to restart. The app file is written by
 * whoever runs the app, so its mounts and grants are grants, as the command line's are for
 * {@code cella run}; the images' own requests must be among them.
 *
 * <p>The top-level {@code networks} and {@code services} declare the app's virtual networks and
 * service namespaces ({@code KIND:NAME}); a group may join only declared networks and be granted
 * only declared namespaces, so that a typo is an error naming its line, not a new, empty network.
 *
 * @param name the app's name (default: the file's name without .yaml)
 * @param cells the cell groups, in file order
 */
public record AppFile(String name, List<CellGroup> cells) {

    /** When a replica that failed (non-zero exit, trap, quota) is started again. */
    public enum RestartPolicy { NEVER, ON_FAILURE }

    /**
     * The restart rule of a group: with {@link RestartPolicy#ON_FAILURE}, a failed replica is
     * started again after {@code backoff}, doubled after each further failure up to {@code
     * maxBackoff}, at most {@code maxRestarts} times.
     */
    public record Restart(RestartPolicy policy, int maxRestarts, Duration backoff, Duration maxBackoff) {
        public static final Restart NEVER = new Restart(RestartPolicy.NEVER, 0, Duration.ZERO, Duration.ZERO);

        /** The pause before restart number {@code n} (1-based). */
        public Duration delayBefore(int n) {
            long ms = backoff.toMillis();
            for (int i = 1; i < n && ms < maxBackoff.toMillis(); i++) {
                ms *= 2;
            }
            return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
        }
    }

    /**
     * One group of replicas of an image.
     *
     * @param name the group's name; replica i is called {@code name-i}
     * @param image the image file, resolved against the app file's directory
     * @param replicas how many cells
     * @param args the guest's arguments, or null for the image's
     * @param env variables that replace or add to the image's
     * @param quotas quotas that override the image's
     * @param mounts the mounts granted ({@code HOST:GUEST[:ro|:rw]}, hosts resolved)
     * @param clock true if the host clock is granted
     * @param random true if host entropy is granted
     * @param networks the virtual networks the replicas join, where each is reached by its replica name
     * @param services the service namespaces granted, {@code KIND:NAME[:ro|:rw]} as {@code --service}
     * @param ports the host ports published to guest ports ({@code HOSTPORT:GUESTPORT} as {@code --publish})
     * @param restart the restart rule
     * @param where {@code FILE:LINE:COLUMN} of the group, for messages
     */
    public record CellGroup(String name, Path image, int replicas, List<String> args, Map<String, String> env,
            ImageSpec.Quotas quotas, List<MountGrant> mounts, boolean clock, boolean random, List<String> networks,
            List<String> services, List<Port> ports, Restart restart, String where) {}

    /** A published port: host port {@code host} on 127.0.0.1 forwarded to each replica's listener on {@code guest}. */
    public record Port(int host, int guest) {}

    /** A mount granted to a group's cells ({@link MountText} with the host path resolved). */
    public record MountGrant(Path host, String guest, boolean readOnly) {}

    private static final Set<String> TOP = Set.of("name", "cells", "networks", "services");
    private static final Set<String> GROUP = Set.of("image", "replicas", "args", "env", "quotas", "mounts", "grants",
            "restart", "networks", "services", "ports");

    /**
     * Parses the app file {@code file} holding {@code text}.
     *
     * @throws ImageException (SPEC) naming the line, column and field of the first error
     */
    public static AppFile parse(Path file, String text) {
        YamlNode root = YamlNode.parse(file.toString(), text, ImageException.Kind.SPEC);
        Map<String, YamlNode> top = root.map(TOP);
        String base = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        String name = top.containsKey("name") ? top.get("name").string() : base;
        Set<String> networks = declared(top.get("networks"), false);
        Set<String> services = declared(top.get("services"), true);
        if (!top.containsKey("cells")) {
            throw root.error("an app needs 'cells': the groups of cells to start");
        }
        Path dir = file.toAbsolutePath().getParent();
        List<CellGroup> groups = new ArrayList<>();
        for (Map.Entry<String, YamlNode> e : top.get("cells").map().entrySet()) {
            if (!e.getKey().matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
                throw e.getValue().error("a group's name is 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
            }
            groups.add(group(e.getKey(), e.getValue(), dir, networks, services));
        }
        if (groups.isEmpty()) {
            throw top.get("cells").error("an app needs at least one group of cells");
        }
        return new AppFile(name, List.copyOf(groups));
    }

    /** The names the top-level list 'networks' or 'services' declares; see the class comment. */
    private static Set<String> declared(YamlNode node, boolean services) {
        if (node == null) {
            return Set.of();
        }
        Set<String> names = new java.util.LinkedHashSet<>();
        for (YamlNode n : node.list()) {
            String name = n.string();
            String problem = services ? serviceProblem(name, false) : networkProblem(name);
            if (problem != null) {
                throw n.error(problem);
            }
            if (!names.add(name)) {
                throw n.error("'" + name + "' is declared twice");
            }
        }
        return names;
    }

    private static String networkProblem(String name) {
        return name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}") ? null
                : "a network's name is 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit";
    }

    /** Why {@code text} is not a namespace ({@code KIND:NAME}, or with {@code access} {@code KIND:NAME[:ro|:rw]}), or null. */
    private static String serviceProblem(String text, boolean access) {
        String namespace = access ? text.replaceFirst(":(ro|rw)$", "") : text;
        try {
            dev.cella.services.Grant g = dev.cella.services.Grant.parse(namespace);
            return g.kind().word().concat(":").concat(g.name()).equals(namespace) ? null
                    : "'" + text + "' is not KIND:NAME" + (access ? "[:ro|:rw]" : "");
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static CellGroup group(String name, YamlNode node, Path dir, Set<String> networks, Set<String> services) {
        Map<String, YamlNode> m = node.map(GROUP);
        if (!m.containsKey("image")) {
            throw node.error("a group needs an image");
        }
        Path image = dir.resolve(m.get("image").string()).normalize();
        int replicas = m.containsKey("replicas") ? (int) m.get("replicas").integer(0, 10_000) : 1;
        List<MountGrant> mounts = new ArrayList<>();
        if (m.containsKey("mounts")) {
            for (YamlNode item : m.get("mounts").list()) {
                mounts.add(mount(item, dir));
            }
        }
        ImageSpec.Grants grants = ImageSpec.Grants.parse(m.get("grants"));
        List<String> joined = new ArrayList<>();
        if (m.containsKey("networks")) {
            for (YamlNode n : m.get("networks").list()) {
                if (!networks.contains(n.string())) {
                    throw n.error("'" + n.string() + "' is not declared in the app's top-level 'networks'");
                }
                joined.add(n.string());
            }
        }
        List<String> granted = new ArrayList<>();
        if (m.containsKey("services")) {
            for (YamlNode n : m.get("services").list()) {
                String problem = serviceProblem(n.string(), true);
                if (problem != null) {
                    throw n.error(problem);
                }
                if (!services.contains(n.string().replaceFirst(":(ro|rw)$", ""))) {
                    throw n.error("'" + n.string() + "' is not declared in the app's top-level 'services'");
                }
                granted.add(n.string());
            }
        }
        List<Port> ports = new ArrayList<>();
        if (m.containsKey("ports")) {
            for (YamlNode p : m.get("ports").list()) {
                if (!p.string().matches("\\d{1,5}:\\d{1,5}")) {
                    throw p.error("a published port is HOST:GUEST, for example 8080:80");
                }
                int host = Integer.parseInt(p.string().substring(0, p.string().indexOf(':')));
                int guest = Integer.parseInt(p.string().substring(p.string().indexOf(':') + 1));
                if (host > 65535 || guest == 0 || guest > 65535) {
                    throw p.error("a host port is 0 (any free one) to 65535 and a guest port 1 to 65535");
                }
                if (host != 0 && replicas > 1) {
                    throw p.error("host port " + host + " can be published by one replica only, and the group has "
                            + replicas + "; use 0:" + guest + " for a free port per replica");
                }
                ports.add(new Port(host, guest));
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        if (m.containsKey("env")) {
            env.putAll(m.get("env").stringMap());
        }
        return new CellGroup(name, image, replicas, m.containsKey("args") ? m.get("args").strings() : null, env,
                m.containsKey("quotas") ? ImageSpec.Quotas.parse(m.get("quotas")) : ImageSpec.Quotas.NONE, List.copyOf(mounts),
                grants.clock(), grants.random(), List.copyOf(joined), List.copyOf(granted), List.copyOf(ports),
                m.containsKey("restart") ? restart(m.get("restart")) : Restart.NEVER,
                node.where());
    }

    private static MountGrant mount(YamlNode item, Path dir) {
        try {
            MountText m = MountText.parse(item.string());
            return new MountGrant(dir.resolve(m.host()).normalize(), m.guest(), m.readOnly());
        } catch (IllegalArgumentException e) { // an invalid path too
            throw item.error(e.getMessage());
        }
    }

    private static Restart restart(YamlNode node) {
        Map<String, YamlNode> m = node.map(Set.of("policy", "max-restarts", "backoff", "max-backoff"));
        if (!m.containsKey("policy")) {
            throw node.error("a restart rule needs a policy: never or on-failure");
        }
        RestartPolicy policy = switch (m.get("policy").string()) {
            case "never" -> RestartPolicy.NEVER;
            case "on-failure" -> RestartPolicy.ON_FAILURE;
            default -> throw m.get("policy").error("expected never or on-failure, found '" + m.get("policy").string() + "'");
        };
        int max = m.containsKey("max-restarts") ? (int) m.get("max-restarts").integer(0, 1_000_000) : 3;
        Duration backoff = m.containsKey("backoff") ? duration(m.get("backoff")) : Duration.ofMillis(100);
        Duration maxBackoff = m.containsKey("max-backoff") ? duration(m.get("max-backoff")) : Duration.ofSeconds(10);
        return new Restart(policy, policy == RestartPolicy.NEVER ? 0 : max, backoff, maxBackoff);
    }

    private static Duration duration(YamlNode n) {
        try {
            return Quantities.parseDuration(n.string());
        } catch (IllegalArgumentException e) {
            throw n.error(e.getMessage());
        }
    }
}
