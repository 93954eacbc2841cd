package dev.cella.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What of the host's network a cell may use; nothing unless granted. A cell's virtual networks
 * need no grant: they never touch the host's network.
 *
 * @param forwards host listening sockets whose connections are handed to the cell's listener on
 *     a guest port ({@code --listen [ADDR:]PORT} is a forward from ADDR:PORT to guest port PORT;
 *     {@code --publish HOSTPORT:GUESTPORT} one from 127.0.0.1:HOSTPORT to GUESTPORT)
 * @param connectAllow the host addresses the guest may connect to, exactly these host and port pairs
 */
public record NetGrants(List<Forward> forwards, List<HostPort> connectAllow) {
    public static final NetGrants NONE = new NetGrants(List.of(), List.of());

    public NetGrants {
        forwards = List.copyOf(forwards);
        connectAllow = List.copyOf(connectAllow);
    }

    /**
     * A host listening socket at {@code bindHost:hostPort} (port 0: the system picks one, see
     * {@link NetAttachment#hostPort}) forwarding to the guest's listener on {@code guestPort}.
     */
    public record Forward(String bindHost, int hostPort, int guestPort) {
        public Forward {
            Objects.requireNonNull(bindHost, "bindHost");
            checkPort(hostPort, "host port");
            checkPort(guestPort, "guest port");
        }

        /** {@code --listen [ADDR:]PORT}: ADDR defaults to 127.0.0.1. */
        public static Forward listen(String spec) {
            int colon = spec.lastIndexOf(':');
            String host = colon < 0 ? "127.0.0.1" : spec.substring(0, colon);
            int port = parsePort(spec.substring(colon + 1), spec);
            return new Forward(host.isEmpty() ? "127.0.0.1" : host, port, port);
        }

        /** {@code --publish HOSTPORT:GUESTPORT}, on 127.0.0.1. */
        public static Forward publish(String spec) {
            int colon = spec.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + spec + "' is not HOSTPORT:GUESTPORT");
            }
            return new Forward("127.0.0.1", parsePort(spec.substring(0, colon), spec),
                    parsePort(spec.substring(colon + 1), spec));
        }
    }

    /** A host address the guest may connect to: {@code --connect-allow HOST:PORT}. */
    public record HostPort(String host, int port) {
        public HostPort {
            Objects.requireNonNull(host, "host");
            checkPort(port, "port");
            if (port == 0) {
                throw new IllegalArgumentException("port 0 cannot be connected to");
            }
        }

        public static HostPort parse(String spec) {
            int colon = spec.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("'" + spec + "' is not HOST:PORT");
            }
            return new HostPort(spec.substring(0, colon), parsePort(spec.substring(colon + 1), spec));
        }
    }

    /** Grants with {@code f} added. */
    public NetGrants with(Forward f) {
        List<Forward> l = new ArrayList<>(forwards);
        l.add(f);
        return new NetGrants(l, connectAllow);
    }

    /** Grants with {@code h} added. */
    public NetGrants with(HostPort h) {
        List<HostPort> l = new ArrayList<>(connectAllow);
        l.add(h);
        return new NetGrants(forwards, l);
    }

    static int parsePort(String text, String spec) {
        try {
            int p = Integer.parseInt(text);
            checkPort(p, "port");
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' in '" + spec + "' is not a port number");
        }
    }

    private static void checkPort(int p, String what) {
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException(what + " " + p + " is not in 0..65535");
        }
    }
}
