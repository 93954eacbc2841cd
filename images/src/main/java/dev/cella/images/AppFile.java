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
 * <p>Networks, services and published ports are parsed and checked against what exists: a cell
 * may name only networks and services the file declares, and this build has no virtual network or
 * services yet, so declaring one is an error naming its line (to be lifted when they land).
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
     * @param restart the restart rule
     * @param where {@code FILE:LINE:COLUMN} of the group, for messages
     */
    public record CellGroup(String name, Path image, int replicas, List<String> args, Map<String, String> env,
            ImageSpec.Quotas quotas, List<MountGrant> mounts, boolean clock, boolean random, Restart restart,
            String where) {}

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
        Set<String> networks = declared(top.get("networks"));
        Set<String> services = declared(top.get("services"));
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

    /** The names a top-level 'networks' or 'services' mapping declares; see the class comment. */
    private static Set<String> declared(YamlNode node) {
        if (node == null) {
            return Set.of();
        }
        Map<String, YamlNode> m = node.map();
        if (!m.isEmpty()) {
            throw m.values().iterator().next().error("this build of cella has no virtual networks or services yet; "
                    + "remove the declaration (cells cannot use it)");
        }
        return m.keySet();
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
        for (String key : List.of("networks", "services")) {
            if (m.containsKey(key)) {
                for (YamlNode n : m.get(key).list()) {
                    if (!(key.equals("networks") ? networks : services).contains(n.string())) {
                        throw n.error("'" + n.string() + "' is not declared in the app's top-level '" + key + "'");
                    }
                }
            }
        }
        if (m.containsKey("ports")) {
            for (YamlNode p : m.get("ports").list()) {
                if (!p.string().matches("\\d{1,5}:\\d{1,5}")) {
                    throw p.error("a published port is HOST:GUEST, for example 8080:80");
                }
                throw p.error("published ports need a virtual network, which this build of cella does not have yet");
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        if (m.containsKey("env")) {
            env.putAll(m.get("env").stringMap());
        }
        return new CellGroup(name, image, replicas, m.containsKey("args") ? m.get("args").strings() : null, env,
                m.containsKey("quotas") ? ImageSpec.Quotas.parse(m.get("quotas")) : ImageSpec.Quotas.NONE, List.copyOf(mounts),
                grants.clock(), grants.random(), m.containsKey("restart") ? restart(m.get("restart")) : Restart.NEVER,
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
