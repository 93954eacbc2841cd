package dev.cella.tools;

import dev.cella.services.CellServices;
import dev.cella.services.Grant;
import dev.cella.services.Limits;
import dev.cella.services.Quota;
import dev.cella.services.ServiceKind;
import dev.cella.services.Services;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The shared services as {@code cella run}, {@code cella resume} and batch files write them
 * (docs/services.md): one parser and one way to open the store for all, so they cannot disagree.
 */
public final class ServiceSpecs {
    private ServiceSpecs() {}

    /** The syntax of a grant, for messages. */
    public static final String GRANT_SYNTAX = "KIND:NAME[:ro|:rw] (KIND kv, queue or db)";

    /**
     * A namespace's quota: {@code KIND:NAME:LIMITS}, e.g. {@code kv:cache:keys=1000,bytes=1M}.
     *
     * @param kind the service
     * @param name the namespace
     * @param limits its quotas
     */
    public record NamespaceLimit(ServiceKind kind, String name, Limits limits) {
        /** @throws IllegalArgumentException naming what is wrong */
        public static NamespaceLimit parse(String text) {
            String[] parts = text.split(":", 3);
            if (parts.length != 3) {
                throw new IllegalArgumentException("'" + text + "' is not KIND:NAME:LIMITS (e.g. kv:cache:keys=100,ops=1000)");
            }
            Grant g = Grant.parse(parts[0] + ":" + parts[1]);
            return new NamespaceLimit(g.kind(), g.name(), Limits.parse(parts[2]));
        }
    }

    /**
     * Opens the services: under {@code dataDir}, or in memory when it is null.
     *
     * @throws FileAccessException (exit 66) if the directory cannot be created or the store in
     *     it cannot be opened (another process has it open, or it is not a store)
     */
    public static Services open(Path dataDir, List<NamespaceLimit> limits) {
        Services.Builder b = Services.builder().dataDir(dataDir);
        for (NamespaceLimit l : limits) {
            b.limit(l.kind(), l.name(), l.limits());
        }
        try {
            return b.build();
        } catch (UncheckedIOException e) {
            throw FileAccessException.input(String.valueOf(dataDir), "cannot open the services' store: " + e.getMessage(), e);
        }
    }

    /** What each namespace in {@code grants} holds (each once), for the end of a batch. */
    public static String summary(Services services, List<Grant> grants) {
        StringBuilder sb = new StringBuilder("services:");
        grants.stream().map(g -> g.kind().word() + ":" + g.name()).distinct().sorted().forEach(ns -> {
            Grant g = Grant.parse(ns);
            Quota q = services.quota(g.kind(), g.name());
            sb.append("\n  ").append(ns).append(" holds ").append(q.keys()).append(" keys, ").append(q.bytes())
                    .append(" bytes, ").append(q.messages()).append(" messages (").append(q.ops()).append(" operations, ")
                    .append(q.refused()).append(" refused)");
        });
        return sb.toString();
    }

    /** What a cell used of its services and what its namespaces hold, for {@code --stats}. */
    public static String report(Services services, CellServices cell, boolean json) {
        Quota u = cell.usage();
        StringBuilder sb = new StringBuilder();
        if (json) {
            sb.append("{\"services\":{\"ops\":").append(u.ops()).append(",\"refused\":").append(u.refused())
                    .append(",\"keys_created\":").append(u.keys()).append(",\"bytes_written\":").append(u.bytes())
                    .append(",\"messages_sent\":").append(u.messages()).append(",\"messages_received\":")
                    .append(cell.received()).append(",\"namespaces\":[");
            String sep = "";
            for (Grant g : cell.grants()) {
                Quota q = services.quota(g.kind(), g.name());
                sb.append(sep).append("{\"grant\":\"").append(g).append("\",\"keys\":").append(q.keys())
                        .append(",\"bytes\":").append(q.bytes()).append(",\"messages\":").append(q.messages())
                        .append(",\"ops\":").append(q.ops()).append(",\"refused\":").append(q.refused()).append('}');
                sep = ",";
            }
            return sb.append("]}}").toString();
        }
        sb.append("services: ").append(u.ops()).append(" operations (").append(u.refused()).append(" refused by quotas), ")
                .append(u.keys()).append(" keys created, ").append(u.bytes()).append(" bytes written, ")
                .append(u.messages()).append(" messages sent, ").append(cell.received()).append(" received");
        for (Grant g : cell.grants()) {
            Quota q = services.quota(g.kind(), g.name());
            sb.append("\n  ").append(g).append(": holds ").append(q.keys()).append(" keys, ").append(q.bytes())
                    .append(" bytes, ").append(q.messages()).append(" messages; quota ").append(q.limits());
        }
        return sb.toString();
    }
}
