package dev.cella.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import dev.cella.sandbox.checkpoint.Checkpoint;
import dev.cella.sandbox.checkpoint.CheckpointException;
import dev.cella.sandbox.sched.CellHandle;
import dev.cella.sandbox.sched.CellSpec;
import dev.cella.sandbox.sched.Scheduler;
import dev.cella.vm.SuspendRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The network quotas (open sockets, connections per second, bytes out and in), and what happens
 * to a cell's connections when it is killed, scheduled or checkpointed.
 */
class QuotaAndLifecycleTest {
    @Test
    void openSocketsAndConnectionRateAreLimited() throws Exception {
        NetAttachment net = NetAttachment.builder("q").quotas(NetQuotas.DEFAULT.withMaxSockets(5)
                .withMaxConnectsPerSecond(3)).build();
        Guests.Run r = Guests.start("net-probe", net, "quota").get(60, TimeUnit.SECONDS);
        // 5 sockets, then EMFILE; the connects are limited to 3 in the second they run in.
        assertEquals("sockets opened: 5 then EMFILE\nconnects: 3 then EAGAIN\n", r.stdout(), r.stderr() + r.result());
        assertEquals(2, net.stats().quotaRefusals());
        assertEquals(5, net.stats().peakSockets());
    }

    @Test
    void bytesOutAreLimited() throws Exception {
        NetAttachment net = NetAttachment.builder("b").quotas(NetQuotas.DEFAULT.withMaxBytesOut(1000)).build();
        Guests.Run r = Guests.start("net-probe", net, "bytes").get(60, TimeUnit.SECONDS);
        assertEquals("sent: 1000 then EDQUOT\n", r.stdout(), r.stderr() + r.result());
        assertEquals(1000, net.stats().bytesOut());
        assertEquals(1000, net.stats().bytesIn());
    }

    @Test
    void bytesInAreLimited() throws Exception {
        NetAttachment net = NetAttachment.builder("b").quotas(NetQuotas.DEFAULT.withMaxBytesIn(700)).build();
        Guests.Run r = Guests.start("net-probe", net, "bytes").get(60, TimeUnit.SECONDS);
        assertEquals("received: 700 then EDQUOT\n", r.stdout(), r.stderr() + r.result());
        assertEquals(700, net.stats().bytesIn());
        assertEquals(1200, net.stats().bytesOut());
    }

    @Test
    void aKilledCellClosesItsConnectionsAndHostListeners() throws Exception {
        NetAttachment net = NetAttachment.builder("k")
                .grants(NetGrants.NONE.with(new NetGrants.Forward("127.0.0.1", 0, 7300))).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Cell cell = Cell.create(Guests.module("net-probe"), CellConfig.builder().args(List.of("net-probe", "hold"))
                .stdout(out).extension(net).build());
        int port = net.hostPort(7300);
        java.util.concurrent.atomic.AtomicReference<RunResult> result = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> result.set(cell.run()));
        // A host client connects through the forward while the guest blocks on its own connection.
        try (Socket s = new Socket("127.0.0.1", port)) {
            while (!out.toString(StandardCharsets.UTF_8).contains("holding")) {
                Thread.sleep(5);
            }
            cell.kill();
            t.join(10_000);
            assertTrue(!t.isAlive(), "a guest blocked on a socket must stop when killed");
            assertEquals(Outcome.ERROR, result.get().outcome());
            assertTrue(result.get().error() instanceof dev.cella.sandbox.CellKilled, String.valueOf(result.get()));
            s.setSoTimeout(10_000);
            assertEquals(-1, readOrEnd(s), "the host connection is closed with the cell");
        }
        // The listening socket and the connection are closed (not probed by connecting to the
        // port again: on a shared machine another process may have bound it since).
        assertEquals(0, net.openHostSockets(), "the host sockets are closed with the cell");
        cell.close();
    }

    private static int readOrEnd(Socket s) {
        try {
            return s.getInputStream().read();
        } catch (IOException e) {
            return -1; // reset: closed as well
        }
    }

    @Test
    void aGuestBlockedOnASocketGivesItsSlotAway() throws Exception {
        // One thread for two cells: the server blocks in accept/poll, and the client can only run
        // (and connect) if the server's slot is lent while it waits.
        Network lan = new Network("slot");
        try (Scheduler s = Scheduler.builder().threads(1).build()) {
            NetAttachment server = NetAttachment.builder("kv").network(lan).build();
            NetAttachment client = NetAttachment.builder("c").network(lan).build();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CellHandle hs = s.spawn(Cell.create(Guests.module("kv-server"), CellConfig.builder()
                    .args(List.of("kv-server", "7000", "1")).stdout(out).extension(server).build()), CellSpec.named("kv"));
            ByteArrayOutputStream cout = new ByteArrayOutputStream();
            CellHandle hc = s.spawn(Cell.create(Guests.module("kv-client"), CellConfig.builder()
                    .args(List.of("kv-client", "kv", "7000", "a", "b")).stdout(cout).extension(client).build()),
                    CellSpec.named("c"));
            RunResult rc = hc.await(Duration.ofSeconds(60));
            RunResult rs = hs.await(Duration.ofSeconds(60));
            assertEquals(0, rc.exitStatus(), String.valueOf(rc));
            assertEquals(0, rs.exitStatus(), String.valueOf(rs));
            assertEquals("a=b\n", cout.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aCheckpointOfACellWithOpenConnectionsIsRefused() {
        NetAttachment net = NetAttachment.builder("cp").build();
        try (Cell cell = Cell.create(Guests.module("net-probe"), CellConfig.builder()
                .args(List.of("net-probe", "spin")).extension(net).build())) {
            assertTrue(cell.run(SuspendRequest.atFuelUsed(20_000_000)).isEmpty(), "the cell suspends while it spins");
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.capture(cell));
            assertEquals(CheckpointException.Kind.OPEN_CONNECTIONS, e.kind());
            assertTrue(e.getMessage().contains("3 open socket or pipe descriptors"), e.getMessage());
        }
    }
}
