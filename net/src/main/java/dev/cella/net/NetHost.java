package dev.cella.net;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.sandbox.CellContext;
import dev.cella.sandbox.stream.StreamDescriptor;
import dev.cella.sandbox.stream.StreamException;
import dev.cella.sandbox.stream.WasiErrno;
import dev.cella.vm.HostFunction;
import dev.cella.vm.Instance;
import dev.cella.vm.LinkException;
import dev.cella.vm.Memory;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One cell's network host: the {@value #MODULE} calls bound to the cell, its listeners by port,
 * its counters and quotas. Calls run on the cell's thread; the listeners map is read by host
 * forwarders on other threads.
 *
 * <p>The calls (docs/host-abi.md, "cella_net"), each returning a WASI errno: {@code
 * sock_open(family, type, fd_ptr)}, {@code sock_bind(fd, addr_ptr)}, {@code sock_listen(fd,
 * backlog)}, {@code sock_connect(fd, addr_ptr)}, {@code sock_addr_local(fd, addr_ptr)}, {@code
 * sock_addr_peer(fd, addr_ptr)} and {@code resolve(name_ptr, name_len, addr_ptr)}. An address is
 * 8 bytes: family u16 @0 (1, inet), port u16 @2, IPv4 address @4 in network byte order.
 */
final class NetHost {
    static final String MODULE = "cella_net";
    static final int AF_INET = 1;
    static final int SOCK_STREAM = 6;
    static final int ADDR_SIZE = 8;
    private static final int FIRST_EPHEMERAL = 49152;

    private final NetAttachment attachment;
    private final CellContext context;
    private final NetQuotas quotas;
    /** This cell's listeners by port (loopback connects and host forwards find them here). */
    final Map<Integer, VirtualSocket> listeners = new ConcurrentHashMap<>();
    /** The ports this cell has bound, listening or not. */
    private final Map<Integer, VirtualSocket> bound = new ConcurrentHashMap<>();
    final HostBridge bridge;
    private int nextEphemeral = FIRST_EPHEMERAL;
    private long windowStart = Long.MIN_VALUE;
    private int connectsInWindow;
    private int openSockets;

    // Counters: written on the cell's thread only, read by stats() on any.
    private volatile long socketsOpened;
    private volatile long connects;
    private volatile long accepts;
    private volatile long refused;
    private volatile long denied;
    private volatile long quotaRefusals;
    private volatile long bytesOut;
    private volatile long bytesIn;
    private volatile long peakSockets;

    NetHost(NetAttachment attachment, CellContext context) {
        this.attachment = attachment;
        this.context = context;
        this.quotas = attachment.quotas();
        for (Network n : attachment.networks()) {
            n.join(attachment.name());
        }
        this.bridge = new HostBridge(this);
        context.onClose(this::cellClosed);
        bridge.openForwards(attachment.grants().forwards());
    }

    NetStats stats() {
        return new NetStats(socketsOpened, connects, accepts, refused, denied, quotaRefusals, bytesOut, bytesIn,
                peakSockets);
    }

    NetAttachment attachment() {
        return attachment;
    }

    private void cellClosed() {
        bridge.close();
        for (Map.Entry<Integer, VirtualSocket> e : listeners.entrySet()) {
            unregister(e.getKey(), e.getValue());
        }
    }

    // ---- resolution of the cella_net imports ----

    private interface Call {
        int invoke(Instance inst, Memory m, long[] a);
    }

    private record Entry(int params, Call call) {}

    private final Map<String, Entry> calls = Map.of(
            "sock_open", new Entry(3, this::sockOpen),
            "sock_bind", new Entry(2, this::sockBind),
            "sock_listen", new Entry(2, this::sockListen),
            "sock_connect", new Entry(2, this::sockConnect),
            "sock_addr_local", new Entry(2, (inst, m, a) -> sockAddr(m, a, true)),
            "sock_addr_peer", new Entry(2, (inst, m, a) -> sockAddr(m, a, false)),
            "resolve", new Entry(3, this::resolve));

    /** The host function for import {@code module.name}, or null if it is not a {@value #MODULE} call. */
    HostFunction resolve(String module, String name, FuncType type) {
        if (!MODULE.equals(module)) {
            return null;
        }
        Entry e = calls.get(name);
        if (e == null) {
            throw new LinkException("import " + MODULE + "." + name + ": the virtual network has no such call");
        }
        FuncType expected = new FuncType(Collections.nCopies(e.params(), ValType.I32), List.of(ValType.I32));
        if (!expected.equals(type)) {
            throw new LinkException("import " + MODULE + "." + name + " has type " + type + ", but cella_net defines it as "
                    + expected);
        }
        Call c = e.call();
        return (inst, args) -> {
            try {
                return c.invoke(inst, inst.memory(), args);
            } catch (StreamException err) {
                return err.errno().code();
            }
        };
    }

    private static long u32(long v) {
        return v & 0xFFFFFFFFL;
    }

    private static void check(Memory m, long address, long length) {
        if (m == null || !m.inBounds(address, length)) {
            throw new StreamException(WasiErrno.FAULT);
        }
    }

    private VirtualSocket socket(long fd) {
        if (fd > Integer.MAX_VALUE) {
            throw new StreamException(WasiErrno.BADF);
        }
        StreamDescriptor s = context.stream((int) fd);
        if (!(s instanceof VirtualSocket v) || v.owner != this) {
            throw new StreamException(WasiErrno.NOTSOCK);
        }
        return v;
    }

    private static Address readAddr(Memory m, long p) {
        check(m, p, ADDR_SIZE);
        if (m.readU16(p) != AF_INET) {
            throw new StreamException(WasiErrno.AFNOSUPPORT);
        }
        int port = m.readU16(p + 2);
        int ip = m.readU8(p + 4) << 24 | m.readU8(p + 5) << 16 | m.readU8(p + 6) << 8 | m.readU8(p + 7);
        return new Address(ip, port);
    }

    private static void writeAddr(Memory m, long p, Address a) {
        check(m, p, ADDR_SIZE);
        m.writeU16(p, AF_INET);
        m.writeU16(p + 2, a.port());
        m.writeU8(p + 4, a.ip() >>> 24);
        m.writeU8(p + 5, a.ip() >>> 16 & 0xFF);
        m.writeU8(p + 6, a.ip() >>> 8 & 0xFF);
        m.writeU8(p + 7, a.ip() & 0xFF);
    }

    // ---- the calls ----

    private int sockOpen(Instance inst, Memory m, long[] a) {
        long family = u32(a[0]);
        long type = u32(a[1]);
        long fdPtr = u32(a[2]);
        check(m, fdPtr, 4);
        if (family != AF_INET) {
            return WasiErrno.AFNOSUPPORT.code();
        }
        if (type != SOCK_STREAM) {
            return WasiErrno.PROTOTYPE.code();
        }
        VirtualSocket s = new VirtualSocket(this);
        beforeSocket();
        int fd = context.open(s);
        opened();
        m.writeI32(fdPtr, fd);
        return 0;
    }

    /** Checks the open-sockets quota (EMFILE). */
    private void beforeSocket() {
        if (openSockets >= quotas.maxSockets()) {
            quotaRefusals++;
            throw new StreamException(WasiErrno.MFILE, "open-sockets quota of " + quotas.maxSockets());
        }
    }

    private void opened() {
        openSockets++;
        socketsOpened++;
        peakSockets = Math.max(peakSockets, openSockets);
    }

    /** An address this cell may bind: any, loopback, or its own address on one of its networks. */
    private boolean ownAddress(int ip) {
        if (ip == Address.ANY || (ip >>> 24) == 127) {
            return true;
        }
        for (Network n : attachment.networks()) {
            if (n.addressOf(attachment.name()) == ip) {
                return true;
            }
        }
        return false;
    }

    private int sockBind(Instance inst, Memory m, long[] a) {
        VirtualSocket s = socket(u32(a[0]));
        Address at = readAddr(m, u32(a[1]));
        if (s.state != VirtualSocket.State.OPEN) {
            return WasiErrno.INVAL.code();
        }
        if (!ownAddress(at.ip())) {
            denied++;
            return WasiErrno.ADDRNOTAVAIL.code();
        }
        int port = at.port() == 0 ? ephemeralPort() : at.port();
        if (bound.putIfAbsent(port, s) != null) {
            return WasiErrno.ADDRINUSE.code();
        }
        s.local = new Address(at.ip(), port);
        s.state = VirtualSocket.State.BOUND;
        return 0;
    }

    private int ephemeralPort() {
        for (int i = 0; i < 65536 - FIRST_EPHEMERAL; i++) {
            int p = nextEphemeral;
            nextEphemeral = p == 65535 ? FIRST_EPHEMERAL : p + 1;
            if (!bound.containsKey(p)) {
                return p;
            }
        }
        throw new StreamException(WasiErrno.ADDRINUSE, "no ephemeral port free");
    }

    private int sockListen(Instance inst, Memory m, long[] a) {
        VirtualSocket s = socket(u32(a[0]));
        long backlog = a[1];
        if (s.state == VirtualSocket.State.OPEN) {
            int port = ephemeralPort();
            bound.put(port, s);
            s.local = new Address(Address.ANY, port);
            s.state = VirtualSocket.State.BOUND;
        }
        if (s.state != VirtualSocket.State.BOUND) {
            return WasiErrno.INVAL.code();
        }
        int port = s.local.port();
        for (Network n : attachment.networks()) {
            if (!n.listen(new Address(n.addressOf(attachment.name()), port), s)) {
                for (Network undo : attachment.networks()) {
                    if (undo == n) {
                        break;
                    }
                    undo.unlisten(new Address(undo.addressOf(attachment.name()), port), s);
                }
                return WasiErrno.ADDRINUSE.code(); // another cell of the same name listens there
            }
        }
        s.listen((int) Math.max(1, Math.min(backlog, 4096)));
        listeners.put(port, s);
        return 0;
    }

    private void unregister(int port, VirtualSocket s) {
        listeners.remove(port, s);
        for (Network n : attachment.networks()) {
            n.unlisten(new Address(n.addressOf(attachment.name()), port), s);
        }
    }

    /** Called by a socket of this cell when it closes. */
    void closed(VirtualSocket s, VirtualSocket.State was) {
        openSockets--;
        if (s.local != null) {
            bound.remove(s.local.port(), s);
            if (was == VirtualSocket.State.LISTENING) {
                unregister(s.local.port(), s);
            }
        }
    }

    private int sockConnect(Instance inst, Memory m, long[] a) {
        VirtualSocket s = socket(u32(a[0]));
        Address to = readAddr(m, u32(a[1]));
        switch (s.state) {
            case CONNECTED -> {
                return WasiErrno.ISCONN.code();
            }
            case LISTENING, CLOSED -> {
                return WasiErrno.INVAL.code();
            }
            case OPEN, BOUND -> { }
        }
        if (to.port() == 0) {
            return WasiErrno.CONNREFUSED.code();
        }
        beforeConnect();
        if (attachment.granted(to)) {
            bridge.connect(inst, s, to, localFor(s, Address.LOOPBACK));
            connects++;
            return 0;
        }
        VirtualSocket listener;
        int localIp;
        if (to.isLoopback()) {
            listener = listeners.get(to.port());
            localIp = Address.LOOPBACK;
        } else {
            Network net = networkOwning(to.ip());
            if (net == null) {
                denied++;
                return WasiErrno.ACCES.code(); // the host's network, not granted: never a host connection
            }
            listener = net.listener(to);
            localIp = net.addressOf(attachment.name());
        }
        Address local = localFor(s, localIp);
        if (listener == null || !link(s, listener, local, to)) {
            refused++;
            return WasiErrno.CONNREFUSED.code();
        }
        connects++;
        return 0;
    }

    /** The network among this cell's that owns {@code ip}, or null. */
    private Network networkOwning(int ip) {
        for (Network n : attachment.networks()) {
            if (n.owns(ip)) {
                return n;
            }
        }
        return null;
    }

    /** The socket's local address for a connection: its bound port, or a new ephemeral one. */
    private Address localFor(VirtualSocket s, int ip) {
        if (s.state == VirtualSocket.State.BOUND) {
            return new Address(ip, s.local.port());
        }
        int port = ephemeralPort();
        bound.put(port, s);
        return new Address(ip, port);
    }

    /** Connects {@code client} to {@code listener}: queues the server's end; false if refused. */
    private boolean link(VirtualSocket client, VirtualSocket listener, Address local, Address remote) {
        ByteRing up = new ByteRing(quotas.bufferBytes());
        ByteRing down = new ByteRing(quotas.bufferBytes());
        VirtualSocket server = new VirtualSocket(listener.owner);
        server.connect(up, down, remote, local);
        if (!listener.offer(server)) {
            bound.remove(local.port(), client);
            return false;
        }
        client.connect(down, up, local, remote);
        return true;
    }

    /** Checks the connections-per-second quota (EAGAIN). */
    private void beforeConnect() {
        long second = System.nanoTime() / 1_000_000_000L;
        if (second != windowStart) {
            windowStart = second;
            connectsInWindow = 0;
        }
        if (connectsInWindow >= quotas.maxConnectsPerSecond()) {
            quotaRefusals++;
            throw new StreamException(WasiErrno.AGAIN, "connections-per-second quota of "
                    + quotas.maxConnectsPerSecond());
        }
        connectsInWindow++;
    }

    private int sockAddr(Memory m, long[] a, boolean local) {
        VirtualSocket s = socket(u32(a[0]));
        Address addr = local ? s.local : s.peer;
        if (addr == null || (!local && s.state != VirtualSocket.State.CONNECTED)) {
            if (local) {
                addr = new Address(Address.ANY, 0);
            } else {
                return WasiErrno.NOTCONN.code();
            }
        }
        writeAddr(m, u32(a[1]), addr);
        return 0;
    }

    /**
     * resolve(name_ptr, name_len, addr_ptr): a member of one of the cell's networks, {@code
     * localhost}, or a host named in a connect grant; ENOENT for any other name (the host's
     * resolver is never asked for a name the cell was not granted).
     */
    private int resolve(Instance inst, Memory m, long[] a) {
        long p = u32(a[0]);
        long len = u32(a[1]);
        long out = u32(a[2]);
        if (len > 255) {
            return WasiErrno.NAMETOOLONG.code();
        }
        check(m, p, len);
        byte[] b = new byte[(int) len];
        m.read(p, b, 0, b.length);
        String name = new String(b, StandardCharsets.UTF_8);
        int ip = -1;
        if (name.equals("localhost")) {
            ip = Address.LOOPBACK;
        }
        for (Network n : attachment.networks()) {
            if (ip == -1) {
                ip = n.addressOf(name);
            }
        }
        if (ip == -1) {
            ip = attachment.grantedHost(name);
        }
        if (ip == -1) {
            denied++;
            return WasiErrno.NOENT.code();
        }
        writeAddr(m, out, new Address(ip, 0));
        return 0;
    }

    // ---- accounting, called by this cell's sockets on its thread ----

    void accepted(VirtualSocket s) {
        if (openSockets >= quotas.maxSockets()) {
            quotaRefusals++;
            s.abort();
            throw new StreamException(WasiErrno.MFILE, "open-sockets quota of " + quotas.maxSockets());
        }
        opened();
        accepts++;
    }

    /** How many of {@code len} bytes may be sent (EDQUOT if none). */
    int beforeSend(int len) {
        long left = quotas.maxBytesOut() - bytesOut;
        if (left <= 0 && len > 0) {
            quotaRefusals++;
            throw new StreamException(WasiErrno.DQUOT, "bytes-out quota of " + quotas.maxBytesOut());
        }
        return (int) Math.min(len, left);
    }

    void sent(int n) {
        bytesOut += n;
    }

    /** How many of {@code len} bytes may be received (EDQUOT if none). */
    int beforeReceive(int len) {
        long left = quotas.maxBytesIn() - bytesIn;
        if (left <= 0 && len > 0) {
            quotaRefusals++;
            throw new StreamException(WasiErrno.DQUOT, "bytes-in quota of " + quotas.maxBytesIn());
        }
        return (int) Math.min(len, left);
    }

    void received(int n) {
        bytesIn += n;
    }
}
