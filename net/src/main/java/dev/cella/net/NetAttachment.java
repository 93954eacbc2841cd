package dev.cella.net;

import dev.cella.sandbox.CellContext;
import dev.cella.sandbox.CellExtension;
import dev.cella.sandbox.SandboxException;
import dev.cella.vm.ImportResolver;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A cell's place on the network, given to {@link dev.cella.sandbox.CellConfig.Builder#extension}:
 * its name (how other cells find it), the virtual networks it is attached to (it sees only
 * those), its grants of the host's network and its quotas. Each cell created from the
 * configuration gets the {@code cella_net} calls bound to it.
 *
 * <pre>{@code
 * Network net = new Network("backend");
 * CellConfig server = CellConfig.builder()
 *         .extension(NetAttachment.builder("kv").network(net).build()).build();
 * CellConfig client = CellConfig.builder()
 *         .extension(NetAttachment.builder("client").network(net).build()).build();
 * }</pre>
 *
 * <p>Host names in connect grants are resolved once, when the attachment is built: the guest
 * reaches exactly the addresses they had then.
 */
public final class NetAttachment implements CellExtension {
    private final String name;
    private final List<Network> networks;
    private final NetGrants grants;
    private final NetQuotas quotas;
    /** Granted host address and port pairs, resolved. */
    private final Set<Address> allowed = new LinkedHashSet<>();
    /** Granted host names to their first IPv4 address. */
    private final Map<String, Integer> grantedNames = new HashMap<>();
    private final List<NetHost> hosts = new CopyOnWriteArrayList<>();

    private NetAttachment(Builder b) {
        this.name = b.name;
        this.networks = List.copyOf(b.networks);
        this.grants = b.grants;
        this.quotas = b.quotas;
        // Join now, not when a cell attaches: a group of cells built together (an app) must find
        // each other by name from the first instruction, whichever of their threads starts first.
        for (Network n : networks) {
            n.join(name);
        }
        for (NetGrants.HostPort h : grants.connectAllow()) {
            InetAddress[] all;
            try {
                all = InetAddress.getAllByName(h.host());
            } catch (UnknownHostException e) {
                throw new SandboxException("--connect-allow " + h.host() + ":" + h.port() + ": unknown host");
            }
            for (InetAddress a : all) {
                int ip = Address.ipOf(a);
                if (ip != -1) {
                    allowed.add(new Address(ip, h.port()));
                    grantedNames.putIfAbsent(h.host(), ip);
                }
            }
        }
    }

    public static Builder builder(String cellName) {
        return new Builder(cellName);
    }

    @Override
    public ImportResolver attach(CellContext context) {
        NetHost h = new NetHost(this, context);
        hosts.add(h);
        return h::resolve;
    }

    public String name() {
        return name;
    }

    public List<Network> networks() {
        return networks;
    }

    public NetGrants grants() {
        return grants;
    }

    public NetQuotas quotas() {
        return quotas;
    }

    /** What the cells of this attachment did on the network, summed. */
    public NetStats stats() {
        NetStats s = NetStats.ZERO;
        for (NetHost h : hosts) {
            s = s.plus(h.stats());
        }
        return s;
    }

    /**
     * The host port that the forward to {@code guestPort} listens on, in the most recent cell
     * (useful when the forward asked for port 0), or -1 if there is none.
     */
    public int hostPort(int guestPort) {
        for (int i = hosts.size() - 1; i >= 0; i--) {
            int p = hosts.get(i).bridge.hostPort(guestPort);
            if (p != -1) {
                return p;
            }
        }
        return -1;
    }

    /** Host listening sockets and host connections the cells of this attachment hold open now. */
    public int openHostSockets() {
        int n = 0;
        for (NetHost h : hosts) {
            n += h.bridge.openHostSockets();
        }
        return n;
    }

    boolean granted(Address a) {
        return allowed.contains(a);
    }

    /** The address of a host named in a connect grant, or -1. */
    int grantedHost(String host) {
        Integer ip = grantedNames.get(host);
        return ip == null ? -1 : ip;
    }

    /** Collects an attachment. */
    public static final class Builder {
        private final String name;
        private final List<Network> networks = new ArrayList<>();
        private NetGrants grants = NetGrants.NONE;
        private NetQuotas quotas = NetQuotas.DEFAULT;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
            if (name.isEmpty() || name.length() > 63 || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new SandboxException("cell name '" + name + "' is not a network name (letters, digits, '.', '_', '-';"
                        + " at most 63)");
            }
        }

        /** Attaches the cell to {@code network} (repeatable; the cell sees only its networks). */
        public Builder network(Network network) {
            if (!networks.contains(network)) {
                networks.add(Objects.requireNonNull(network, "network"));
            }
            return this;
        }

        public Builder grants(NetGrants grants) {
            this.grants = Objects.requireNonNull(grants, "grants");
            return this;
        }

        public Builder quotas(NetQuotas quotas) {
            this.quotas = Objects.requireNonNull(quotas, "quotas");
            return this;
        }

        /**
         * @throws SandboxException if a host named in a connect grant cannot be resolved
         */
        public NetAttachment build() {
            return new NetAttachment(this);
        }
    }
}
