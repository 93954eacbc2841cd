package dev.cella.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.SandboxException;
import org.junit.jupiter.api.Test;

/** The grant specs of the command line and batch files, and the names a cell may have. */
class NetGrantsTest {
    @Test
    void listenAndPublishSpecs() {
        assertEquals(new NetGrants.Forward("127.0.0.1", 8080, 8080), NetGrants.Forward.listen("8080"));
        assertEquals(new NetGrants.Forward("0.0.0.0", 80, 80), NetGrants.Forward.listen("0.0.0.0:80"));
        assertEquals(new NetGrants.Forward("127.0.0.1", 9000, 80), NetGrants.Forward.publish("9000:80"));
        assertEquals(new NetGrants.HostPort("example.com", 443), NetGrants.HostPort.parse("example.com:443"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NetGrants.Forward.listen("x:y")).getMessage()
                .contains("'y' in 'x:y' is not a port number"));
        assertThrows(IllegalArgumentException.class, () -> NetGrants.Forward.publish("9000"));
        assertThrows(IllegalArgumentException.class, () -> NetGrants.Forward.listen("70000"));
        assertThrows(IllegalArgumentException.class, () -> NetGrants.HostPort.parse(":80"));
        assertThrows(IllegalArgumentException.class, () -> NetGrants.HostPort.parse("host:0"));
    }

    @Test
    void cellNamesAreNetworkNames() {
        assertEquals("kv-1.a_b", NetAttachment.builder("kv-1.a_b").build().name());
        assertThrows(SandboxException.class, () -> NetAttachment.builder("fib#1"));
        assertThrows(SandboxException.class, () -> NetAttachment.builder(""));
        assertThrows(SandboxException.class, () -> NetAttachment.builder("-x"));
    }

    @Test
    void aConnectGrantToAnUnknownHostIsRefusedWhenConfigured() {
        SandboxException e = assertThrows(SandboxException.class, () -> NetAttachment.builder("c")
                .grants(NetGrants.NONE.with(new NetGrants.HostPort("no-such-host.invalid", 80))).build());
        assertTrue(e.getMessage().contains("unknown host"), e.getMessage());
    }

    @Test
    void aHostPortInUseIsAClearErrorWhenTheCellIsCreated() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            NetAttachment a = NetAttachment.builder("w").grants(NetGrants.NONE.with(
                    new NetGrants.Forward("127.0.0.1", taken.getLocalPort(), 80))).build();
            SandboxException e = assertThrows(SandboxException.class, () -> dev.cella.sandbox.Cell.create(
                    Guests.module("http-server"), dev.cella.sandbox.CellConfig.builder().extension(a).build()));
            assertTrue(e.getMessage().contains("cannot listen on host address 127.0.0.1:" + taken.getLocalPort()),
                    e.getMessage());
        }
    }
}
