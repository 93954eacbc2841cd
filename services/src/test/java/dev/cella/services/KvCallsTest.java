package dev.cella.services;

import static dev.cella.services.ServiceErrno.*;
import static dev.cella.services.ServiceKind.KV;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** cella_kv, call by call, each result and each error. */
class KvCallsTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private Services services;
    private Guest g;

    @BeforeEach
    void open() {
        services = Services.builder().clock(now::get).build();
        g = new Guest(services, "kv:cache:rw", "kv:frozen:ro");
    }

    @AfterEach
    void close() {
        g.close();
        services.close();
    }

    private int put(String key, String value, long ttl) {
        return g.call(KV, "put", g.str("cache"), g.str(key), g.str(value), ttl);
    }

    private int get(String key) {
        return g.call(KV, "get", g.str("cache"), g.str(key), Guest.out());
    }

    @Test
    void putGetDelete() {
        assertEquals(NOENT, get("a"));
        assertEquals(SUCCESS, put("a", "one", 0));
        assertEquals(SUCCESS, get("a"));
        assertEquals("one", g.buf());
        assertEquals(SUCCESS, put("a", "", 0));
        assertEquals(SUCCESS, get("a"));
        assertEquals(0, g.outLen());
        assertEquals(SUCCESS, g.call(KV, "delete", g.str("cache"), g.str("a")));
        assertEquals(NOENT, g.call(KV, "delete", g.str("cache"), g.str("a")));
        assertEquals(NOENT, get("a"));
    }

    @Test
    void timeToLiveExpires() {
        assertEquals(SUCCESS, put("t", "soon", 100));
        now.addAndGet(99);
        assertEquals(SUCCESS, get("t"));
        now.addAndGet(1);
        assertEquals(NOENT, get("t"));
        assertEquals(0, services.kv("cache").size(), "an expired key read is removed");
    }

    @Test
    void getIntoSmallBufferGivesTheLength() {
        put("k", "0123456789", 0);
        assertEquals(NOBUFS, g.call(KV, "get", g.str("cache"), g.str("k"), Guest.BUF, 4, Guest.OUT_LEN));
        assertEquals(10, g.outLen());
    }

    @Test
    void compareAndSet() {
        long[] absent = {0, 0xFFFFFFFFL};
        assertEquals(SUCCESS, g.call(KV, "cas", g.str("cache"), g.str("c"), absent, g.str("v1")));
        assertEquals(CANCELED, g.call(KV, "cas", g.str("cache"), g.str("c"), absent, g.str("v2")));
        assertEquals(CANCELED, g.call(KV, "cas", g.str("cache"), g.str("c"), g.str("v0"), g.str("v2")));
        assertEquals(SUCCESS, g.call(KV, "cas", g.str("cache"), g.str("c"), g.str("v1"), g.str("v2")));
        get("c");
        assertEquals("v2", g.buf());
        assertEquals(SUCCESS, g.call(KV, "cas", g.str("cache"), g.str("c"), g.str("v2"), 0, 0xFFFFFFFFL));
        assertEquals(NOENT, get("c"));
    }

    @Test
    void increment() {
        assertEquals(SUCCESS, g.call(KV, "incr", g.str("cache"), g.str("n"), 5, Guest.OUT_U64));
        assertEquals(5, g.outU64());
        assertEquals(SUCCESS, g.call(KV, "incr", g.str("cache"), g.str("n"), -7, Guest.OUT_U64));
        assertEquals(-2, g.outU64());
        assertEquals(OVERFLOW, g.call(KV, "incr", g.str("cache"), g.str("n"), Long.MIN_VALUE, Guest.OUT_U64));
        put("s", "text", 0);
        assertEquals(INVAL, g.call(KV, "incr", g.str("cache"), g.str("s"), 1, Guest.OUT_U64));
        assertEquals(FAULT, g.call(KV, "incr", g.str("cache"), g.str("n"), 1, Guest.FAR));
        g.call(KV, "incr", g.str("cache"), g.str("n"), 0, Guest.OUT_U64);
        assertEquals(-2, g.outU64(), "a failed increment changes nothing");
    }

    @Test
    void scanWithCursor() {
        for (String k : List.of("user:2", "user:1", "other", "user:10", "user;")) {
            put(k, "x", 0);
        }
        put("user:3", "gone", 1);
        now.addAndGet(5);
        List<String> seen = new ArrayList<>();
        String after = "";
        while (g.call(KV, "scan", g.str("cache"), g.str("user:"), g.str(after), Guest.out()) == SUCCESS) {
            after = g.buf();
            seen.add(after);
            g.reset();
        }
        assertEquals(List.of("user:1", "user:10", "user:2"), seen);
        assertEquals(NOENT, g.call(KV, "scan", g.str("cache"), g.str("zzz"), g.str(""), Guest.out()));
    }

    @Test
    void everyArgumentError() {
        assertEquals(INVAL, put("", "v", 0));
        assertEquals(INVAL, put("k", "v", -1));
        assertEquals(NAMETOOLONG, put("k".repeat(Limits.MAX_KEY + 1), "v", 0));
        assertEquals(FAULT, g.call(KV, "put", g.str("cache"), Guest.FAR, 3, g.str("v"), 0));
        assertEquals(FAULT, g.call(KV, "put", g.str("cache"), g.str("k"), Guest.FAR, 3, 0));
        assertEquals(FAULT, g.call(KV, "get", Guest.FAR, 5, g.str("k"), Guest.out()));
        assertEquals(FBIG, g.call(KV, "put", g.str("cache"), g.str("k"), 0, Limits.MAX_VALUE + 1L, 0));
        put("k", "v", 0);
        assertEquals(FAULT, g.call(KV, "get", g.str("cache"), g.str("k"), Guest.FAR, 8, Guest.OUT_LEN));
        assertEquals(FAULT, g.call(KV, "get", g.str("cache"), g.str("k"), Guest.BUF, 8, Guest.FAR));
        assertEquals(INVAL, g.call(KV, "get", g.str("cache"), g.str(""), Guest.out()));
        assertEquals(INVAL, g.call(KV, "delete", g.str("cache"), g.str("")));
        assertEquals(FAULT, g.call(KV, "scan", g.str("cache"), g.str(""), g.str(""), Guest.BUF, 8, Guest.FAR));
    }

    @Test
    void readOnlyGrantReadsButNeverWrites() {
        services.kv("frozen").put("k".getBytes(), "seeded".getBytes());
        assertEquals(SUCCESS, g.call(KV, "get", g.str("frozen"), g.str("k"), Guest.out()));
        assertEquals("seeded", g.buf());
        assertEquals(SUCCESS, g.call(KV, "scan", g.str("frozen"), g.str(""), g.str(""), Guest.out()));
        assertEquals(ROFS, g.call(KV, "put", g.str("frozen"), g.str("k"), g.str("v"), 0));
        assertEquals(ROFS, g.call(KV, "delete", g.str("frozen"), g.str("k")));
        assertEquals(ROFS, g.call(KV, "cas", g.str("frozen"), g.str("k"), g.str("seeded"), g.str("v")));
        assertEquals(ROFS, g.call(KV, "incr", g.str("frozen"), g.str("n"), 1, Guest.OUT_U64));
        assertEquals("seeded", new String(services.kv("frozen").get("k".getBytes())));
    }

    @Test
    void closedServicesGiveEio() {
        put("k", "v", 0);
        services.close();
        assertEquals(IO, put("k", "w", 0));
    }
}
