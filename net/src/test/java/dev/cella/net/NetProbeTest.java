package dev.cella.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Each socket call and its errors, seen from inside a cell (examples/net/net-probe.c, "local"):
 * one cell alone, no network, no grants, connecting to itself over loopback.
 */
class NetProbeTest {
    static final String EXPECTED = """
            socket inet6: EAFNOSUPPORT
            socket dgram: EPROTOTYPE
            connect no listener: ECONNREFUSED
            connect host not granted: EACCES
            connect unknown network: EACCES
            bind foreign address: EADDRNOTAVAIL
            bind any: ok
            bind port in use: EADDRINUSE
            recv unconnected: ENOTCONN
            shutdown unconnected: ENOTCONN
            getaddrinfo localhost: 0
            getaddrinfo example.com: EAI_NONAME
            loopback pair: ok
            server's peer is loopback: 1
            listener port: 6000
            connect connected: EISCONN
            filetype: socket_stream
            send: 5
            peek: 5
            recv: 5 hello
            recv nonblocking empty: EAGAIN
            accept nonblocking empty: EAGAIN
            poll empty with timeout: 0
            poll with data: 1 revents POLLIN 1
            filled 131072 then EAGAIN
            poll full for write: 0
            read after shutdown: 3 then 0
            write after shutdown: EPIPE
            send to closed peer: EPIPE
            recv after reset: ECONNRESET
            connect queued: ok
            recv after listener closed: ECONNRESET
            connect after listener closed: ECONNREFUSED
            accept on a file: ENOTSOCK
            send on a file: ENOTSOCK
            """;

    @Test
    void everyCallAndErrno() throws Exception {
        NetAttachment net = NetAttachment.builder("probe").build();
        Guests.Run r = Guests.start("net-probe", net, "local").get(60, TimeUnit.SECONDS);
        assertEquals(EXPECTED, r.stdout(), r.stderr() + r.result());
        assertEquals(0, r.status());
        assertEquals(4, net.stats().denied()); // two connects to the host, a foreign bind, a name not granted
    }
}
