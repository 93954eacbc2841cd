package dev.cella.services;

import static dev.cella.services.ServiceErrno.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Quotas per namespace (contents, rate) and per cell (use, rate), each refused with its errno. */
class QuotaTest {
    private static int put(Guest g, String ns, String k, String v) {
        return g.call(ServiceKind.KV, "put", g.str(ns), g.str(k), g.str(v), 0);
    }

    @Test
    void namespaceKeysAndBytes() {
        try (Services s = Services.builder().limit(ServiceKind.KV, "small", Limits.parse("keys=2,bytes=10")).build();
                Guest g = new Guest(s, "kv:small:rw")) {
            assertEquals(SUCCESS, put(g, "small", "a", "1"));
            assertEquals(SUCCESS, put(g, "small", "b", "2"));
            assertEquals(DQUOT, put(g, "small", "c", "3"), "a third key");
            assertEquals(SUCCESS, put(g, "small", "a", "12345"), "replacing needs no new key: 6 + 2 bytes");
            assertEquals(DQUOT, put(g, "small", "a", "1234567890"), "11 + 2 bytes");
            assertEquals(SUCCESS, g.call(ServiceKind.KV, "delete", g.str("small"), g.str("b")));
            assertEquals(SUCCESS, put(g, "small", "c", "3"), "deleting gave a key back");
            assertEquals(2, s.quota(ServiceKind.KV, "small").keys());
            assertEquals(8, s.quota(ServiceKind.KV, "small").bytes());
            assertEquals(2, s.quota(ServiceKind.KV, "small").refused());
        }
    }

    @Test
    void namespaceMessages() {
        try (Services s = Services.builder().limit(ServiceKind.QUEUE, "q", Limits.parse("messages=2")).build();
                Guest g = new Guest(s, "queue:q:rw")) {
            assertEquals(SUCCESS, g.call(ServiceKind.QUEUE, "send", g.str("q"), g.str("1")));
            assertEquals(SUCCESS, g.call(ServiceKind.QUEUE, "send", g.str("q"), g.str("2")));
            assertEquals(DQUOT, g.call(ServiceKind.QUEUE, "send", g.str("q"), g.str("3")));
            g.call(ServiceKind.QUEUE, "receive", g.str("q"), g.str(""), Guest.out(), Guest.OUT_U64, 0);
            assertEquals(DQUOT, g.call(ServiceKind.QUEUE, "send", g.str("q"), g.str("3")), "a leased message still counts");
            g.call(ServiceKind.QUEUE, "ack", g.str("q"), g.str(""), g.outU64());
            assertEquals(SUCCESS, g.call(ServiceKind.QUEUE, "send", g.str("q"), g.str("3")));
        }
    }

    @Test
    void namespaceDbKeysCheckedAtCommit() {
        try (Services s = Services.builder().limit(ServiceKind.DB, "d", Limits.parse("keys=1")).build();
                Guest g = new Guest(s, "db:d:rw")) {
            var tx = s.db("d").begin();
            tx.put("t", "a".getBytes(), "1".getBytes());
            tx.put("t", "b".getBytes(), "2".getBytes());
            assertEquals(DQUOT, assertThrows(ServiceException.class, tx::commit).errno());
            assertEquals(0, s.quota(ServiceKind.DB, "d").keys(), "nothing applied");
        }
    }

    @Test
    void cellUseAcrossNamespaces() {
        try (Services s = Services.inMemory();
                Guest g = new Guest(s, Limits.parse("keys=3,bytes=1K,messages=1"), "kv:a:rw", "kv:b:rw", "queue:q:rw")) {
            assertEquals(SUCCESS, put(g, "a", "1", "x"));
            assertEquals(SUCCESS, put(g, "b", "1", "x"));
            assertEquals(SUCCESS, put(g, "b", "2", "x"));
            assertEquals(DQUOT, put(g, "a", "2", "x"), "a fourth key created by this cell");
            assertEquals(SUCCESS, put(g, "a", "1", "y"), "replacing creates no key");
            assertEquals(SUCCESS, g.call(ServiceKind.QUEUE, "send", g.str("q"), g.str("m")));
            assertEquals(DQUOT, g.call(ServiceKind.QUEUE, "send", g.str("q"), g.str("m")));
            assertEquals(3, g.services.usage().keys());
            assertEquals(1, g.services.usage().messages());
            assertEquals(DQUOT, put(g, "a", "1", "z".repeat(1100)), "bytes written by this cell");
        }
        try (Services s = Services.inMemory(); Guest other = new Guest(s, Limits.NONE, "kv:a:rw")) {
            assertEquals(SUCCESS, put(other, "a", "9", "x"), "another cell's quota is its own");
        }
    }

    @Test
    void operationRates() {
        try (Services s = Services.builder().limit(ServiceKind.KV, "slow", Limits.parse("ops=3")).build();
                Guest g = new Guest(s, "kv:slow:rw", "kv:fast:rw");
                Guest capped = new Guest(s, Limits.parse("ops=2"), "kv:fast:rw")) {
            int again = 0;
            for (int i = 0; i < 6; i++) {
                g.reset();
                again += g.call(ServiceKind.KV, "get", g.str("slow"), g.str("k"), Guest.out()) == AGAIN ? 1 : 0;
            }
            assertEquals(3, again, "3 of 6 quick calls refused by the namespace's rate (a bucket of 3 per second)");
            g.reset();
            assertEquals(NOENT, g.call(ServiceKind.KV, "get", g.str("fast"), g.str("k"), Guest.out()), "other namespaces go on");
            again = 0;
            for (int i = 0; i < 5; i++) {
                capped.reset();
                again += capped.call(ServiceKind.KV, "get", capped.str("fast"), capped.str("k"), Guest.out()) == AGAIN ? 1 : 0;
            }
            assertEquals(3, again, "a cell's own rate");
            assertEquals(5, capped.services.usage().ops());
        }
    }

    @Test
    void limitsParse() {
        assertEquals(new Limits(5, 2048, 7, 9), Limits.parse("keys=5,bytes=2K,messages=7,ops=9"));
        assertEquals("keys=5,bytes=2048", Limits.parse("bytes=2k,keys=5").toString());
        for (String bad : new String[] {"keys", "keys=-1", "ops=0", "size=1", "keys=1K", "bytes=1T", ""}) {
            assertThrows(IllegalArgumentException.class, () -> Limits.parse(bad), bad);
        }
    }
}
