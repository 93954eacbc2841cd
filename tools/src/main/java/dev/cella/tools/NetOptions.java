package dev.cella.tools;

import dev.cella.net.NetAttachment;
import dev.cella.net.NetGrants;
import dev.cella.net.NetQuotas;
import dev.cella.net.NetStats;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.SandboxException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The network options of {@code cella run} (a picocli mixin, apart from the other options so the
 * network's part of the command line stays in one place): the host network grants, the cell's
 * name, and the network quotas (docs/network.md). The guest always gets the {@code cella_net}
 * calls, reaching its own listeners over loopback; everything else needs a grant.
 */
final class NetOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "[ADDR:]PORT", converter = ListenConverter.class,
            description = "Listen on host address ADDR (default 127.0.0.1) port PORT and hand each connection to the "
                    + "guest's listener on PORT (repeatable).")
    List<NetGrants.Forward> listens = new ArrayList<>();

    @Option(names = "--publish", paramLabel = "HOSTPORT:GUESTPORT", converter = PublishConverter.class,
            description = "Listen on host port HOSTPORT (127.0.0.1) and forward to the guest's listener on GUESTPORT "
                    + "(repeatable).")
    List<NetGrants.Forward> publishes = new ArrayList<>();

    @Option(names = "--connect-allow", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "Let the guest connect to host address HOST:PORT, exactly (repeatable; default: none).")
    List<NetGrants.HostPort> connectAllow = new ArrayList<>();

    @Option(names = "--net-name", paramLabel = "NAME", description = "The cell's name on its networks (default: guest).")
    String netName = "guest";

    @Option(names = "--max-sockets", paramLabel = "N", description = "Most sockets open at once (default: 64).")
    Integer maxSockets;

    @Option(names = "--max-connects", paramLabel = "N", description = "Most connections opened per second (default: unlimited).")
    Integer maxConnects;

    @Option(names = "--max-net-out", paramLabel = "SIZE", converter = OptionConverters.Size.class,
            description = "Cap on bytes sent over sockets (default: unlimited).")
    Long maxOut;

    @Option(names = "--max-net-in", paramLabel = "SIZE", converter = OptionConverters.Size.class,
            description = "Cap on bytes received over sockets (default: unlimited).")
    Long maxIn;

    /**
     * Attaches the cell to the network with these grants and quotas (on no network: a cell run
     * alone has none to join) and returns the attachment, whose statistics {@link #printStats} shows.
     *
     * @throws ParameterException for a name or quota the network rejects, a host it cannot resolve
     */
    NetAttachment applyTo(CellConfig.Builder b) {
        NetGrants grants = NetGrants.NONE;
        for (NetGrants.Forward f : listens) {
            grants = grants.with(f);
        }
        for (NetGrants.Forward f : publishes) {
            grants = grants.with(f);
        }
        for (NetGrants.HostPort h : connectAllow) {
            grants = grants.with(h);
        }
        try {
            NetAttachment a = NetAttachment.builder(netName).grants(grants).quotas(quotas(NetQuotas.DEFAULT)).build();
            b.extension(a);
            return a;
        } catch (SandboxException | IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private NetQuotas quotas(NetQuotas q) {
        if (maxSockets != null) {
            q = q.withMaxSockets(maxSockets);
        }
        if (maxConnects != null) {
            q = q.withMaxConnectsPerSecond(maxConnects);
        }
        if (maxOut != null) {
            q = q.withMaxBytesOut(maxOut);
        }
        if (maxIn != null) {
            q = q.withMaxBytesIn(maxIn);
        }
        return q;
    }

    /** True if any network option was given (then --stats reports the network even if unused). */
    boolean given() {
        return !listens.isEmpty() || !publishes.isEmpty() || !connectAllow.isEmpty();
    }

    /**
     * Prints the network statistics after the accounting {@code --stats} printed: as text lines,
     * or for {@code --stats=json} as a second JSON object, {@code {"network": {...}}}, on its own line.
     */
    static void printStats(PrintStream err, NetStats s, boolean json) {
        if (json) {
            JsonWriter w = new JsonWriter().beginObject().name("network").beginObject();
            w.name("socketsOpened").value(s.socketsOpened()).name("peakSockets").value(s.peakSockets());
            w.name("connects").value(s.connects()).name("accepts").value(s.accepts());
            w.name("refused").value(s.refused()).name("denied").value(s.denied());
            w.name("quotaRefusals").value(s.quotaRefusals());
            w.name("bytesOut").value(s.bytesOut()).name("bytesIn").value(s.bytesIn());
            err.println(w.endObject().endObject());
        } else {
            err.println("network: " + s.socketsOpened() + " sockets opened (" + s.peakSockets() + " at once), "
                    + s.connects() + " connects, " + s.accepts() + " accepts, " + s.refused() + " refused, "
                    + s.denied() + " denied, " + s.quotaRefusals() + " quota refusals; " + s.bytesOut() + " bytes out, "
                    + s.bytesIn() + " bytes in");
        }
    }

    /** A picocli converter over one of the grants' parsers, its IllegalArgumentException a conversion error. */
    abstract static class GrantConverter<T> implements ITypeConverter<T> {
        private final java.util.function.Function<String, T> parse;

        GrantConverter(java.util.function.Function<String, T> parse) {
            this.parse = parse;
        }

        @Override
        public T convert(String value) {
            try {
                return parse.apply(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class ListenConverter extends GrantConverter<NetGrants.Forward> {
        ListenConverter() {
            super(NetGrants.Forward::listen);
        }
    }

    static final class PublishConverter extends GrantConverter<NetGrants.Forward> {
        PublishConverter() {
            super(NetGrants.Forward::publish);
        }
    }

    static final class HostPortConverter extends GrantConverter<NetGrants.HostPort> {
        HostPortConverter() {
            super(NetGrants.HostPort::parse);
        }
    }
}
