package dev.cella.net;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A named virtual network inside the JVM. Cells attached to it ({@link NetAttachment}) are its
 * members: each gets an address, {@code 10.N.x.y}, where N is fixed per network, and reaches the
 * others by name ({@code cella_net.resolve}) or address and port. No host socket is involved;
 * a connection is a pair of {@link ByteRing}s. Thread-safe: cells on any threads join, listen,
 * connect and leave concurrently.
 */
public final class Network {
    private static final AtomicInteger NEXT_ID = new AtomicInteger();

    private final String name;
    private final int prefix;
    private final AtomicInteger nextHost = new AtomicInteger(1);
    private final Map<String, Integer> addresses = new ConcurrentHashMap<>();
    private final Map<Integer, String> names = new ConcurrentHashMap<>();
    private final Map<Address, VirtualSocket> listeners = new ConcurrentHashMap<>();

    /**
     * @param name the network's name, for messages and the CLI's {@code --net NAME}
     */
    public Network(String name) {
        this.name = Objects.requireNonNull(name, "name");
        // 10.1.0.0/16, 10.2.0.0/16, ...: distinct per network so a cell on two networks has two addresses.
        this.prefix = 0x0A000000 | ((NEXT_ID.incrementAndGet() % 255) + 1) << 16;
    }

    public String name() {
        return name;
    }

    /**
     * The address of member {@code cell}, assigned on its first join (one address per name: two
     * cells of one name share it, and the second to listen on a port gets EADDRINUSE).
     */
    int join(String cell) {
        return addresses.computeIfAbsent(cell, c -> {
            int host = nextHost.getAndIncrement();
            if (host >= 0xFFFF) {
                throw new IllegalStateException("network " + name + " is full (65,534 members)");
            }
            int ip = prefix | host;
            names.put(ip, c);
            return ip;
        });
    }

    /** The address of member {@code cell}, or -1 if it is not a member. */
    int addressOf(String cell) {
        Integer ip = addresses.get(cell);
        return ip == null ? -1 : ip;
    }

    /** True if {@code ip} is a member's address. */
    boolean owns(int ip) {
        return names.containsKey(ip);
    }

    /** Registers a listener at {@code at}; false if one is there already. */
    boolean listen(Address at, VirtualSocket listener) {
        return listeners.putIfAbsent(at, listener) == null;
    }

    void unlisten(Address at, VirtualSocket listener) {
        listeners.remove(at, listener);
    }

    /** The listener at {@code at}, or null. */
    VirtualSocket listener(Address at) {
        return listeners.get(at);
    }

    @Override
    public String toString() {
        return "network " + name;
    }
}
