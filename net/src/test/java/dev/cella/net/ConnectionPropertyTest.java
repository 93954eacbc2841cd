package dev.cella.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.cella.sandbox.stream.StreamDescriptor;
import dev.cella.sandbox.stream.StreamException;
import dev.cella.sandbox.stream.WasiErrno;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Random interleavings of sends, receives, peeks and closes on both ends of a connection (the
 * sockets two cells hold): every byte a send accepted arrives once and in order, the end of the
 * stream comes after the last, and nothing arrives that was not sent.
 */
class ConnectionPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("cella.property.examples", 200);

    private static VirtualSocket[] pair(int capacity) {
        return VirtualSocket.pair(null, null, capacity, new Address(Address.LOOPBACK, 1), new Address(Address.LOOPBACK, 2));
    }

    /** Ops: a value v >= 0 sends v % 97 bytes from a to b (as much as fits), v < 0 receives -v % 97 at b. */
    @Test
    void interleavedSendsAndReceivesDeliverEveryByteOnceInOrder() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 300),
                lists().of(integers().between(-500, 500)).ofSizeBetween(0, 200)).checkAssert((capacity, ops) -> {
            VirtualSocket[] p = pair(capacity);
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte next = 0;
            for (int v : ops) {
                if (v >= 0) {
                    byte[] chunk = new byte[v % 97];
                    for (int i = 0; i < chunk.length; i++) {
                        chunk[i] = next++;
                    }
                    int n = p[0].write(chunk, 0, chunk.length);
                    if (n == StreamDescriptor.WOULD_BLOCK) {
                        next -= (byte) chunk.length; // a full buffer: nothing was taken
                        assertEquals(0, p[0].ready() & StreamDescriptor.WRITABLE);
                    } else {
                        sent.write(chunk, 0, n);
                        next -= (byte) (chunk.length - n);
                    }
                } else {
                    receive(p[1], -v % 97, received, v % 2 == 0);
                }
            }
            p[0].close(); // orderly: b reads what is left, then the end of the stream
            while (receive(p[1], 64, received, false) != 0) {
                // drain
            }
            assertArrayEquals(sent.toByteArray(), received.toByteArray());
            assertThrows(StreamException.class, () -> p[0].write(new byte[1], 0, 1));
        });
    }

    /** Receives up to {@code len} (peeking first if asked, which must see the same bytes); returns the count or 0 at the end. */
    private static int receive(VirtualSocket s, int len, ByteArrayOutputStream into, boolean peekFirst) {
        byte[] buf = new byte[len];
        byte[] peeked = null;
        int pn = 0;
        if (peekFirst) {
            peeked = new byte[len];
            pn = s.read(peeked, 0, len, true);
        }
        int n = s.read(buf, 0, len, false);
        if (n == StreamDescriptor.WOULD_BLOCK) {
            assertEquals(StreamDescriptor.WOULD_BLOCK, peekFirst ? pn : StreamDescriptor.WOULD_BLOCK);
            return -1;
        }
        if (peekFirst && n > 0) {
            assertEquals(pn, n);
            assertArrayEquals(java.util.Arrays.copyOf(peeked, pn), java.util.Arrays.copyOf(buf, n));
        }
        into.write(buf, 0, Math.max(0, n));
        return n;
    }

    /** The same on two threads, as two cells run: random chunk sizes on both sides, then an orderly close. */
    @Test
    void concurrentWriterAndReaderAgreeOnEveryByte() {
        qt().withExamples(Math.max(1, EXAMPLES / 10)).forAll(integers().between(1, 4096),
                lists().of(integers().between(0, 3000)).ofSizeBetween(1, 40),
                lists().of(integers().between(1, 3000)).ofSizeBetween(1, 10)).checkAssert((capacity, writes, reads) -> {
            VirtualSocket[] p = pair(capacity);
            Thread reader = Thread.currentThread();
            CompletableFuture<byte[]> expected = CompletableFuture.supplyAsync(() -> {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                int seq = 0;
                for (int len : writes) {
                    byte[] chunk = new byte[len];
                    for (int i = 0; i < len; i++) {
                        chunk[i] = (byte) (seq++ * 31 + 7);
                    }
                    all.write(chunk, 0, len);
                    for (int off = 0; off < len; ) {
                        int n = p[0].write(chunk, off, len - off);
                        if (n == StreamDescriptor.WOULD_BLOCK) {
                            LockSupport.parkNanos(50_000);
                        } else {
                            off += n;
                            LockSupport.unpark(reader);
                        }
                    }
                }
                p[0].close();
                LockSupport.unpark(reader);
                return all.toByteArray();
            });
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            int k = 0;
            while (true) {
                int len = reads.get(k++ % reads.size());
                byte[] buf = new byte[len];
                int n = p[1].read(buf, 0, len, false);
                if (n == 0) {
                    break;
                }
                if (n == StreamDescriptor.WOULD_BLOCK) {
                    LockSupport.parkNanos(50_000);
                    continue;
                }
                got.write(buf, 0, n);
            }
            assertArrayEquals(expected.orTimeout(30, TimeUnit.SECONDS).join(), got.toByteArray());
        });
    }

    /** Closing with unread bytes resets: the peer's reads fail with ECONNRESET and its writes with EPIPE. */
    @Test
    void closeWithUnreadBytesResets() {
        VirtualSocket[] p = pair(16);
        p[0].write(new byte[3], 0, 3);
        p[1].close();
        StreamException e = assertThrows(StreamException.class, () -> p[0].read(new byte[1], 0, 1, false));
        assertEquals(WasiErrno.CONNRESET, e.errno());
        assertEquals(WasiErrno.PIPE, assertThrows(StreamException.class, () -> p[0].write(new byte[1], 0, 1)).errno());
    }
}
