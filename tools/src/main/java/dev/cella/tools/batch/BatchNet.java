package dev.cella.tools.batch;

import dev.cella.net.CellPipe;
import dev.cella.net.NetAttachment;
import dev.cella.net.NetGrants;
import dev.cella.net.NetQuotas;
import dev.cella.net.NetStats;
import dev.cella.net.Network;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.SandboxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The network part of a batch (docs/network.md, "Batches"): the keys a guest line may give, and
 * for one run the batch's named networks and stdout-to-stdin pipes. Kept apart from {@link
 * BatchFile} so the network's keys live in one place.
 *
 * <pre>
 * name=kv     binary=kv-server.wasm args="7000 3" net=lan
 * name=client binary=kv-client.wasm args="kv 7000 k v" net=lan copies=3
 * name=gen    binary=gen.wasm args="1000"
 * name=count  binary=wc.wasm stdin-from=gen
 * </pre>
 */
final class BatchNet {
    static final Set<String> KEYS = Set.of("net", "listen", "publish", "connect-allow", "stdin-from", "max-sockets",
            "max-connects", "max-net-out", "max-net-in");
    /** The keys that may be given more than once on a line. */
    static final Set<String> REPEATABLE = Set.of("net", "listen", "publish", "connect-allow");

    /**
     * A guest's network keys.
     *
     * @param networks the networks it joins ({@code net=a,b})
     * @param grants its host grants ({@code listen=}, {@code publish=}, {@code connect-allow=}, repeatable)
     * @param quotas its network quotas
     * @param stdinFrom the guest whose standard output is its standard input, or null
     */
    record Spec(List<String> networks, NetGrants grants, NetQuotas quotas, String stdinFrom) {
        static final Spec NONE = new Spec(List.of(), NetGrants.NONE, NetQuotas.DEFAULT, null);

        /** True if the guest is on the network at all (a network, a grant or a quota given). */
        boolean attached() {
            return !networks.isEmpty() || !grants.equals(NetGrants.NONE) || !quotas.equals(NetQuotas.DEFAULT);
        }
    }

    /**
     * Parses a guest line's network keys.
     *
     * @param error makes this line's error
     * @param size parses the key's value as a size
     * @param count parses the key's value as a count
     */
    static Spec parse(Map<String, List<String>> kv, Function<String, BatchFileException> error, ToLongFunction<String> size,
            ToLongFunction<String> count) {
        List<String> networks = new ArrayList<>();
        for (String v : kv.getOrDefault("net", List.of())) {
            for (String n : v.split(",")) {
                if (n.isEmpty()) {
                    throw error.apply("net=" + v + " names an empty network");
                }
                networks.add(n);
            }
        }
        NetGrants grants = NetGrants.NONE;
        try {
            for (String v : kv.getOrDefault("listen", List.of())) {
                grants = grants.with(NetGrants.Forward.listen(v));
            }
            for (String v : kv.getOrDefault("publish", List.of())) {
                grants = grants.with(NetGrants.Forward.publish(v));
            }
            for (String v : kv.getOrDefault("connect-allow", List.of())) {
                grants = grants.with(NetGrants.HostPort.parse(v));
            }
        } catch (IllegalArgumentException e) {
            throw error.apply(e.getMessage());
        }
        NetQuotas q = NetQuotas.DEFAULT;
        if (kv.containsKey("max-sockets")) {
            q = q.withMaxSockets((int) Math.min(Integer.MAX_VALUE, count.applyAsLong("max-sockets")));
        }
        if (kv.containsKey("max-connects")) {
            q = q.withMaxConnectsPerSecond((int) Math.min(Integer.MAX_VALUE, count.applyAsLong("max-connects")));
        }
        if (kv.containsKey("max-net-out")) {
            q = q.withMaxBytesOut(size.applyAsLong("max-net-out"));
        }
        if (kv.containsKey("max-net-in")) {
            q = q.withMaxBytesIn(size.applyAsLong("max-net-in"));
        }
        String from = kv.containsKey("stdin-from") ? kv.get("stdin-from").get(0) : null;
        if (from != null && kv.containsKey("stdin")) {
            throw error.apply("stdin= and stdin-from= both give the standard input");
        }
        return new Spec(List.copyOf(networks), grants, q, from);
    }

    private final Map<String, Network> networks = new HashMap<>();
    private final Map<String, CellPipe> pipes = new HashMap<>();
    private final Map<String, NetAttachment> attachments = new LinkedHashMap<>();

    /**
     * The networks and pipes of {@code guests}.
     *
     * @throws BatchFileException if a {@code stdin-from} names no guest, itself, a guest that
     *     writes its output to a file, or a guest another already reads
     */
    BatchNet(BatchFile file) {
        Map<String, BatchFile.Guest> byName = new HashMap<>();
        file.guests().forEach(g -> byName.put(g.name(), g));
        for (BatchFile.Guest g : file.guests()) {
            String from = g.net().stdinFrom();
            if (from == null) {
                continue;
            }
            BatchFile.Guest producer = byName.get(from);
            String where = file.file() + ":" + g.line() + ": guest " + g.name() + ": stdin-from=" + from;
            if (producer == null || producer == g) {
                throw new BatchFileException(where + " names " + (producer == null ? "no guest" : "the guest itself"), false);
            }
            if (producer.stdout() != null) {
                throw new BatchFileException(where + ": that guest writes its output to " + producer.stdout(), false);
            }
            if (pipes.containsKey(from)) {
                throw new BatchFileException(where + ": another guest reads that guest's output already", false);
            }
            pipes.put(from, new CellPipe(from + " | " + g.name()));
        }
    }

    /**
     * Puts guest {@code g} on its networks, with its grants and quotas, and on the pipes it reads
     * or writes.
     *
     * @throws SandboxException if its name is not a network name or a host grant cannot be bound
     */
    void apply(BatchFile.Guest g, CellConfig.Builder c) {
        Spec spec = g.net();
        if (spec.attached()) {
            NetAttachment.Builder a = NetAttachment.builder(g.name()).grants(spec.grants()).quotas(spec.quotas());
            for (String n : spec.networks()) {
                a.network(networks.computeIfAbsent(n, Network::new));
            }
            NetAttachment att = a.build();
            attachments.put(g.name(), att);
            c.extension(att);
        }
        if (spec.stdinFrom() != null) {
            c.stdin(pipes.get(spec.stdinFrom()).stdin());
        }
        CellPipe out = pipes.get(g.name());
        if (out != null) {
            c.stdout(out.output()).extension(out.writerEnd());
        }
    }

    /** One line per guest on the network: what it did there. */
    List<String> report() {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, NetAttachment> e : attachments.entrySet()) {
            NetStats s = e.getValue().stats();
            lines.add("network " + e.getKey() + ": " + s.connects() + " connects, " + s.accepts() + " accepts, "
                    + s.refused() + " refused, " + s.denied() + " denied, " + s.bytesOut() + " bytes out, " + s.bytesIn()
                    + " bytes in");
        }
        return lines;
    }
}
