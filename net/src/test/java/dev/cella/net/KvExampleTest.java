package dev.cella.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The key-value example: one server cell and several client cells on one virtual network, by name. */
class KvExampleTest {
    @Test
    void clientsReachTheServerByNameAndGetTheirValuesBack() throws Exception {
        Network net = new Network("kv-test");
        NetAttachment server = NetAttachment.builder("kv").network(net).build();
        CompletableFuture<Guests.Run> s = Guests.start("kv-server", server, "7000", "3");
        List<CompletableFuture<Guests.Run>> clients = new ArrayList<>();
        List<NetAttachment> attachments = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            NetAttachment a = NetAttachment.builder("client" + i).network(net).build();
            attachments.add(a);
            clients.add(Guests.start("kv-client", a, "kv", "7000", "key" + i, "value" + i));
        }
        for (int i = 0; i < 3; i++) {
            Guests.Run r = clients.get(i).get(60, TimeUnit.SECONDS);
            assertEquals(0, r.status(), r.stderr() + r.result());
            assertEquals("key" + i + "=value" + i + "\n", r.stdout());
            assertTrue(attachments.get(i).stats().bytesOut() > 0);
        }
        Guests.Run sr = s.get(60, TimeUnit.SECONDS);
        assertEquals(0, sr.status(), sr.stderr() + sr.result());
        assertEquals("kv-server: served 3 clients, 3 keys\n", sr.stdout());
        assertEquals(3, server.stats().accepts());
    }
}
