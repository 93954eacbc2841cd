package dev.cella.services;

import static dev.cella.services.ServiceErrno.*;
import static dev.cella.services.ServiceKind.QUEUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** cella_queue, call by call, each result and each error. */
class QueueCallsTest {
    /**
     * The services' clock, moved only by the tests: a lease runs out when a test says so, never
     * because the machine was slow between two calls (with the wall clock and a 50 ms lease,
     * receiveManyAndAckMany failed under load when its leases ran out before "all leased").
     */
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private Services services;
    private Guest g;

    @BeforeEach
    void open() {
        services = Services.builder().redeliveryAfter(Duration.ofMillis(50)).clock(clock::get).build();
        g = new Guest(services, "queue:jobs:rw", "queue:feed:ro");
    }

    @AfterEach
    void close() {
        g.close();
        services.close();
    }

    private int send(String msg) {
        return g.call(QUEUE, "send", g.str("jobs"), g.str(msg));
    }

    private int receive(String sub, long timeout) {
        return g.call(QUEUE, "receive", g.str("jobs"), g.str(sub), Guest.out(), Guest.OUT_U64, timeout);
    }

    @Test
    void sendReceiveAckInOrder() {
        assertEquals(SUCCESS, send("a"));
        assertEquals(SUCCESS, send("b"));
        assertEquals(SUCCESS, receive("", 0));
        assertEquals("a", g.buf());
        long a = g.outU64();
        assertEquals(SUCCESS, receive("", 0));
        assertEquals("b", g.buf());
        assertEquals(AGAIN, receive("", 0), "both are leased");
        assertEquals(SUCCESS, g.call(QUEUE, "ack", g.str("jobs"), g.str(""), a));
        assertEquals(NOENT, g.call(QUEUE, "ack", g.str("jobs"), g.str(""), a), "acknowledged once");
        assertEquals(1, services.queue("jobs").depth(""));
    }

    /** receive_many takes what is ready and fits, as packed records; ack_many acknowledges them. */
    @Test
    void receiveManyAndAckMany() {
        for (String m : new String[] {"one", "two", "three", "four"}) {
            send(m);
        }
        // Room for two records (12 + 3, 12 + 3) but not the third (12 + 5): the third stays queued.
        long[] small = {Guest.BUF, 30 + 5, Guest.OUT_LEN};
        assertEquals(SUCCESS, g.call(QUEUE, "receive_many", g.str("jobs"), g.str(""), small, 10, 0));
        assertEquals(2, g.outLen());
        var mem = g.instance().memory();
        long first = mem.readI64(Guest.BUF);
        assertEquals(3, mem.readI32(Guest.BUF + 8));
        assertEquals("one", new String(mem.slice(Guest.BUF + 12, 3)));
        assertEquals(3, mem.readI32(Guest.BUF + 15 + 8));
        assertEquals("two", new String(mem.slice(Guest.BUF + 15 + 12, 3)));
        // At most max messages, even with room for more.
        assertEquals(SUCCESS, g.call(QUEUE, "receive_many", g.str("jobs"), g.str(""), Guest.out(), 1, 0));
        assertEquals(1, g.outLen());
        assertEquals("three", new String(mem.slice(Guest.BUF + 12, 5)));
        long[] tooSmall = {Guest.BUF, 12 + 3, Guest.OUT_LEN};
        assertEquals(NOBUFS, g.call(QUEUE, "receive_many", g.str("jobs"), g.str(""), tooSmall, 10, 0));
        assertEquals(12 + 4, g.outLen(), "the record the next message needs");
        assertEquals(INVAL, g.call(QUEUE, "receive_many", g.str("jobs"), g.str(""), Guest.out(), 0, 0));
        assertEquals(SUCCESS, g.call(QUEUE, "receive_many", g.str("jobs"), g.str(""), Guest.out(), 10, 0));
        assertEquals(1, g.outLen());
        assertEquals(AGAIN, g.call(QUEUE, "receive_many", g.str("jobs"), g.str(""), Guest.out(), 10, 0), "all leased");
        mem.writeI64(900, first);
        mem.writeI64(908, first + 1);
        assertEquals(SUCCESS, g.call(QUEUE, "ack_many", g.str("jobs"), g.str(""), 900, 2));
        assertEquals(2, services.queue("jobs").depth(""));
        assertEquals(NOENT, g.call(QUEUE, "ack_many", g.str("jobs"), g.str(""), 900, 2), "acknowledged already");
        assertEquals(FAULT, g.call(QUEUE, "ack_many", g.str("jobs"), g.str(""), Guest.FAR, 2));
    }

    @Test
    void unacknowledgedMessageIsRedelivered() {
        send("once");
        assertEquals(SUCCESS, receive("", 0));
        long id = g.outU64();
        clock.addAndGet(49);
        assertEquals(AGAIN, receive("", 0), "leased for 50 ms");
        clock.addAndGet(1);
        assertEquals(SUCCESS, receive("", 0), "handed out again after the 50 ms lease");
        assertEquals("once", g.buf());
        assertEquals(id, g.outU64());
        assertEquals(SUCCESS, g.call(QUEUE, "ack", g.str("jobs"), g.str(""), id));
        assertEquals(TIMEDOUT, receive("", 120));
    }

    @Test
    void receiveWaitsForASender() throws Exception {
        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            services.queue("jobs").send("late".getBytes(), null);
        });
        assertEquals(SUCCESS, receive("", 5_000));
        assertEquals("late", g.buf());
        sender.join();
    }

    @Test
    void publishCopiesToEverySubscription() {
        assertEquals(SUCCESS, g.call(QUEUE, "publish", g.str("jobs"), g.str("nobody"), Guest.OUT_LEN));
        assertEquals(0, g.outLen());
        assertEquals(SUCCESS, g.call(QUEUE, "subscribe", g.str("jobs"), g.str("s1")));
        assertEquals(SUCCESS, g.call(QUEUE, "subscribe", g.str("jobs"), g.str("s2")));
        assertEquals(SUCCESS, g.call(QUEUE, "subscribe", g.str("jobs"), g.str("s2")), "idempotent");
        assertEquals(SUCCESS, g.call(QUEUE, "publish", g.str("jobs"), g.str("news"), Guest.OUT_LEN));
        assertEquals(2, g.outLen());
        for (String sub : new String[] {"s1", "s2"}) {
            assertEquals(SUCCESS, receive(sub, 0));
            assertEquals("news", g.buf());
            assertEquals(SUCCESS, g.call(QUEUE, "ack", g.str("jobs"), g.str(sub), g.outU64()));
        }
        assertEquals(AGAIN, receive("", 0), "publish does not reach the work queue");
        assertEquals(NOENT, receive("s3", 0));
        assertEquals(NOENT, g.call(QUEUE, "ack", g.str("jobs"), g.str("s3"), 1));
    }

    @Test
    void tooSmallBufferKeepsTheMessage() {
        send("0123456789");
        assertEquals(NOBUFS, g.call(QUEUE, "receive", g.str("jobs"), g.str(""), Guest.BUF, 3, Guest.OUT_LEN,
                Guest.OUT_U64, 0));
        assertEquals(10, g.outLen());
        assertEquals(SUCCESS, receive("", 0));
        assertEquals("0123456789", g.buf());
    }

    @Test
    void everyArgumentError() {
        assertEquals(INVAL, receive("", -1));
        assertEquals(INVAL, receive("bad name!", 0));
        assertEquals(INVAL, g.call(QUEUE, "subscribe", g.str("jobs"), g.str("")));
        assertEquals(MSGSIZE, g.call(QUEUE, "send", g.str("jobs"), 0, Limits.MAX_VALUE + 1L));
        assertEquals(FAULT, g.call(QUEUE, "send", g.str("jobs"), Guest.FAR, 4));
        assertEquals(FAULT, g.call(QUEUE, "publish", g.str("jobs"), g.str("m"), Guest.FAR));
        assertEquals(FAULT, g.call(QUEUE, "receive", g.str("jobs"), g.str(""), Guest.out(), Guest.FAR, 0));
        assertEquals(FAULT, g.call(QUEUE, "receive", g.str("jobs"), g.str(""), Guest.BUF, 8, Guest.FAR, Guest.OUT_U64, 0));
        assertEquals(0, services.queue("jobs").depth(""), "nothing was sent by a failed call");
    }

    @Test
    void readOnlyGrantConsumesButNeverSends() {
        services.queue("feed").send("from host".getBytes(), null);
        assertEquals(SUCCESS, g.call(QUEUE, "receive", g.str("feed"), g.str(""), Guest.out(), Guest.OUT_U64, 0));
        assertEquals(SUCCESS, g.call(QUEUE, "ack", g.str("feed"), g.str(""), g.outU64()));
        assertEquals(SUCCESS, g.call(QUEUE, "subscribe", g.str("feed"), g.str("mine")));
        assertEquals(ROFS, g.call(QUEUE, "send", g.str("feed"), g.str("x")));
        assertEquals(ROFS, g.call(QUEUE, "publish", g.str("feed"), g.str("x"), Guest.OUT_LEN));
        assertEquals(0, services.queue("feed").depth(""));
    }

    @Test
    void closingWakesAWaitingReceiverWithEio() throws Exception {
        Thread closer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            services.close();
        });
        long t0 = System.nanoTime();
        assertEquals(IO, receive("", 60_000));
        assertTrue(System.nanoTime() - t0 < 30_000_000_000L);
        closer.join();
    }
}
