package dev.cella.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a member or a submitter joins the cluster: its own address, the seeds, and TLS. Turned into
 * Pekko's configuration by {@link #config}; nothing else of Pekko's configuration is exposed.
 *
 * @param host the address this JVM binds and is known by (an IP or a host name the others resolve)
 * @param port its TCP port; 0 picks a free one (submitters, tests)
 * @param seeds members to join through, as host:port; a member that lists itself first starts
 *     the cluster (docs/cluster.md, "Running on several hosts")
 * @param tls TLS settings, or null for plain TCP
 * @param heartbeatPause how long a silent member is tolerated before it is unreachable (Pekko's
 *     {@code acceptable-heartbeat-pause}), or null for Pekko's default (3 s)
 */
public record Settings(String host, int port, List<String> seeds, Tls tls, Duration heartbeatPause) {
    /** The actor system's name; every member and submitter must use the same one. */
    public static final String SYSTEM = "cella";
    /**
     * Largest message: a cell's module, stdin or output, or a submission. A bigger one is refused
     * by the sender with an error in its log (docs/cluster.md, "What it does not do").
     */
    public static final String MAX_FRAME = "16 MiB";
    private static final String SLF4J_VERBOSITY = "slf4j.internal.verbosity";

    /**
     * Mutual TLS over Artery's {@code tls-tcp} transport: each side presents the key in {@code
     * keystore} and accepts only peers whose certificate {@code truststore} trusts.
     *
     * @param keystore a PKCS#12 or JKS key store with this member's key and certificate
     * @param truststore a key store with the certificates (or CA) of the members to accept
     * @param password the stores' and the key's password
     */
    public record Tls(Path keystore, Path truststore, String password) {
        public Tls {
            for (Path p : List.of(keystore, truststore)) {
                if (!Files.isReadable(p)) {
                    throw new ClusterException(ClusterException.Kind.CONFIG, "cannot read key store " + p);
                }
            }
        }
    }

    public Settings {
        if (port < 0 || port > 65535) {
            throw new ClusterException(ClusterException.Kind.CONFIG, "port must be 0 to 65535, not " + port);
        }
        for (String s : seeds) {
            hostPort(s);
        }
        seeds = List.copyOf(seeds);
    }

    /** {@code host:port} split and checked. */
    public static String[] hostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new ClusterException(ClusterException.Kind.CONFIG, "expected HOST:PORT, not '" + s + "'");
        }
        try {
            int p = Integer.parseInt(s.substring(colon + 1));
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new ClusterException(ClusterException.Kind.CONFIG, "port in '" + s + "' must be 1 to 65535");
        }
        return new String[] {s.substring(0, colon), s.substring(colon + 1)};
    }

    /** The Pekko address of the member at {@code hostPort}. */
    public static String address(String hostPort) {
        String[] hp = hostPort(hostPort);
        return "pekko://" + SYSTEM + "@" + hp[0] + ":" + hp[1];
    }

    /**
     * Pekko's configuration for this JVM.
     *
     * @param member true for a cluster member, false for a submitter (plain remoting: it talks to
     *     one member and never joins)
     * @param roles the member's roles (empty for a submitter)
     */
    Config config(boolean member, List<String> roles) {
        // Pekko's typed actors log through SLF4J, for which Cella ships no backend (Pekko's own
        // logging, at WARNING below, prints what matters): SLF4J's notice about that is silenced.
        if (System.getProperty(SLF4J_VERBOSITY) == null) {
            System.setProperty(SLF4J_VERBOSITY, "ERROR");
        }
        StringBuilder c = new StringBuilder();
        c.append("pekko.loglevel = WARNING\n");
        c.append("pekko.stdout-loglevel = WARNING\n");
        c.append("pekko.log-dead-letters = off\n");
        c.append("pekko.log-dead-letters-during-shutdown = off\n");
        c.append("pekko.actor.provider = ").append(member ? "cluster" : "remote").append('\n');
        // Only our own encoding crosses the wire: Java serialization would let a peer build
        // arbitrary objects here.
        c.append("pekko.actor.allow-java-serialization = off\n");
        c.append("pekko.actor.warn-about-java-serializer-usage = off\n");
        c.append("pekko.actor.serializers.cella = \"").append(WireSerializer.class.getName()).append("\"\n");
        c.append("pekko.actor.serialization-bindings { \"").append(Wire.class.getName()).append("\" = cella }\n");
        c.append("pekko.remote.artery.transport = ").append(tls == null ? "tcp" : "tls-tcp").append('\n');
        c.append("pekko.remote.artery.canonical.hostname = ").append(quote(host)).append('\n');
        c.append("pekko.remote.artery.canonical.port = ").append(port).append('\n');
        c.append("pekko.remote.artery.advanced.maximum-frame-size = ").append(MAX_FRAME).append('\n');
        // Buffers of the maximum frame size are pooled; few are needed at once.
        c.append("pekko.remote.artery.advanced.buffer-pool-size = 16\n");
        if (tls != null) {
            String e = "pekko.remote.artery.ssl.config-ssl-engine.";
            c.append(e).append("key-store = ").append(quote(tls.keystore().toAbsolutePath().toString())).append('\n');
            c.append(e).append("trust-store = ").append(quote(tls.truststore().toAbsolutePath().toString())).append('\n');
            for (String k : List.of("key-store-password", "key-password", "trust-store-password")) {
                c.append(e).append(k).append(" = ").append(quote(tls.password())).append('\n');
            }
            c.append(e).append("require-mutual-authentication = on\n");
        }
        if (member) {
            List<String> seedAddresses = new ArrayList<>();
            for (String s : seeds) {
                seedAddresses.add(quote(address(s)));
            }
            c.append("pekko.cluster.seed-nodes = [").append(String.join(", ", seedAddresses)).append("]\n");
            List<String> quoted = roles.stream().map(Settings::quote).toList();
            c.append("pekko.cluster.roles = [").append(String.join(", ", quoted)).append("]\n");
            // A member unreachable for stable-after is downed by the split brain resolver (the
            // side with the majority stays), so its cells can be placed again.
            c.append("pekko.cluster.downing-provider-class = "
                    + "\"org.apache.pekko.cluster.sbr.SplitBrainResolverProvider\"\n");
            c.append("pekko.cluster.split-brain-resolver.active-strategy = keep-majority\n");
            c.append("pekko.cluster.split-brain-resolver.stable-after = 5s\n");
            c.append("pekko.cluster.jmx.enabled = off\n");
            c.append("pekko.cluster.log-info = off\n");
            if (heartbeatPause != null) {
                c.append("pekko.cluster.failure-detector.acceptable-heartbeat-pause = ")
                        .append(heartbeatPause.toMillis()).append("ms\n");
            }
        }
        c.append("pekko.coordinated-shutdown.exit-jvm = off\n");
        c.append("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = on\n");
        return ConfigFactory.parseString(c.toString())
                .withFallback(ConfigFactory.load(Settings.class.getClassLoader()));
    }

    private static String quote(String s) {
        return ConfigValueFactory.fromAnyRef(s).render(); // a quoted, escaped HOCON string
    }
}
