package dev.cella.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A guest tries to reach host addresses, ports and names it was not granted, on every call path
 * (connect to other ports, other loopback addresses, the any address, private addresses; name
 * resolution; binding host addresses). Two host servers listen on loopback: only the granted one
 * may ever see a connection, and the other must see none.
 */
class EscapeTest {
    @Test
    void onlyTheGrantedAddressAndPortAreReached() throws Exception {
        try (ServerSocket granted = listen(); ServerSocket other = listen()) {
            AtomicInteger grantedSeen = new AtomicInteger();
            AtomicInteger otherSeen = new AtomicInteger();
            StringBuilder got = new StringBuilder();
            Thread g = count(granted, grantedSeen, got);
            Thread o = count(other, otherSeen, new StringBuilder());
            NetAttachment net = NetAttachment.builder("escaper")
                    .grants(NetGrants.NONE.with(new NetGrants.HostPort("127.0.0.1", granted.getLocalPort()))).build();
            Guests.Run r = Guests.start("net-probe", net, "escape", String.valueOf(granted.getLocalPort()),
                    String.valueOf(other.getLocalPort())).get(60, TimeUnit.SECONDS);
            assertEquals("""
                    connect granted: ok
                    connect loopback port not granted: ECONNREFUSED
                    connect other loopback address: ECONNREFUSED
                    connect any address: EACCES
                    connect private address: EACCES
                    resolve host name: EAI_NONAME
                    bind host address: EADDRNOTAVAIL
                    """, r.stdout(), r.stderr() + r.result());
            g.join(10_000);
            assertEquals(1, grantedSeen.get());
            assertEquals("ping\n", got.toString());
            other.close();
            o.join(10_000);
            assertEquals(0, otherSeen.get(), "a host port that was not granted saw a connection");
            assertEquals(1, net.stats().connects());
        }
    }

    private static ServerSocket listen() throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        s.setSoTimeout(20_000);
        return s;
    }

    /** Accepts on {@code s} until it closes or times out, counting connections and keeping the first's bytes. */
    private static Thread count(ServerSocket s, AtomicInteger seen, StringBuilder first) {
        return Thread.ofPlatform().start(() -> {
            try {
                while (true) {
                    try (Socket c = s.accept()) {
                        if (seen.incrementAndGet() == 1) {
                            c.setSoTimeout(10_000);
                            first.append(new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                            return;
                        }
                    }
                }
            } catch (SocketTimeoutException e) {
                // Nothing came.
            } catch (IOException e) {
                assertTrue(s.isClosed(), e.toString());
            }
        });
    }
}
