package dev.cella.services;

import static dev.cella.services.ServiceErrno.*;
import static dev.cella.services.ServiceKind.DB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** cella_db, call by call, each result and each error. */
class DbCallsTest {
    private Services services;
    private Guest g;
    private Guest other;

    @BeforeEach
    void open() {
        services = Services.inMemory();
        g = new Guest(services, "db:ledger:rw", "db:ref:ro");
        other = new Guest(services, "db:ledger:rw");
    }

    @AfterEach
    void close() {
        g.close();
        other.close();
        services.close();
    }

    private int begin(Guest x, String ns) {
        int e = x.call(DB, "begin", x.str(ns), Guest.OUT_LEN);
        return e == SUCCESS ? x.outLen() : -e;
    }

    private int put(Guest x, int tx, String key, String value) {
        return x.call(DB, "put", tx, x.str("t"), x.str(key), x.str(value));
    }

    private int get(Guest x, int tx, String key) {
        return x.call(DB, "get", tx, x.str("t"), x.str(key), Guest.out());
    }

    @Test
    void committedWritesAreSeenAbortedOnesAreNot() {
        int tx = begin(g, "ledger");
        assertEquals(SUCCESS, put(g, tx, "a", "1"));
        assertEquals(SUCCESS, get(g, tx, "a"), "a transaction sees its own writes");
        int peek = begin(other, "ledger");
        assertEquals(NOENT, get(other, peek, "a"), "others do not see uncommitted writes");
        assertEquals(SUCCESS, g.call(DB, "commit", tx));
        assertEquals(BADF, g.call(DB, "commit", tx), "the handle is gone");
        int tx2 = begin(g, "ledger");
        put(g, tx2, "b", "2");
        assertEquals(SUCCESS, g.call(DB, "abort", tx2));
        assertEquals(BADF, g.call(DB, "abort", tx2));
        var check = services.db("ledger").begin();
        assertEquals("1", new String(check.get("t", "a".getBytes())));
        assertNull(check.get("t", "b".getBytes()));
    }

    @Test
    void conflictAbortsTheLaterCommit() {
        services.db("ledger").begin().put("t", "bal".getBytes(), "10".getBytes());
        var seed = services.db("ledger").begin();
        seed.put("t", "bal".getBytes(), "10".getBytes());
        seed.commit();
        int a = begin(g, "ledger");
        int b = begin(other, "ledger");
        get(g, a, "bal");
        get(other, b, "bal");
        put(g, a, "bal", "11");
        put(other, b, "bal", "12");
        assertEquals(SUCCESS, g.call(DB, "commit", a));
        assertEquals(CANCELED, other.call(DB, "commit", b));
        assertEquals(BADF, other.call(DB, "commit", b), "a failed commit ends the transaction");
        assertEquals("11", new String(services.db("ledger").begin().get("t", "bal".getBytes())));
    }

    @Test
    void deleteAndOrderedNext() {
        int tx = begin(g, "ledger");
        for (String k : List.of("c", "a", "e", "b")) {
            put(g, tx, k, "v");
        }
        g.call(DB, "commit", tx);
        tx = begin(g, "ledger");
        assertEquals(SUCCESS, g.call(DB, "delete", tx, g.str("t"), g.str("b")));
        assertEquals(NOENT, g.call(DB, "delete", tx, g.str("t"), g.str("b")));
        put(g, tx, "d", "new");
        List<String> keys = new ArrayList<>();
        String after = "";
        while (g.call(DB, "next", tx, g.str("t"), g.str(after), Guest.out()) == SUCCESS) {
            after = g.buf();
            keys.add(after);
            g.reset();
        }
        assertEquals(List.of("a", "c", "d", "e"), keys);
        assertEquals(SUCCESS, g.call(DB, "commit", tx));
    }

    @Test
    void aScanConflictsWithAnInsertInItsRange() {
        int tx = begin(g, "ledger");
        put(g, tx, "a", "v");
        put(g, tx, "z", "v");
        g.call(DB, "commit", tx);
        int reader = begin(g, "ledger");
        assertEquals(SUCCESS, g.call(DB, "next", reader, g.str("t"), g.str("a"), Guest.out()));
        assertEquals("z", g.buf());
        put(g, reader, "count", "2");
        int writer = begin(other, "ledger");
        put(other, writer, "m", "v");
        assertEquals(SUCCESS, other.call(DB, "commit", writer));
        assertEquals(CANCELED, g.call(DB, "commit", reader), "the key after 'a' is now 'm'");
    }

    @Test
    void everyError() {
        assertEquals(BADF, get(g, 0, "k"));
        assertEquals(BADF, get(g, 99, "k"));
        int tx = begin(g, "ledger");
        assertEquals(INVAL, g.call(DB, "put", tx, g.str("bad table"), g.str("k"), g.str("v")));
        assertEquals(INVAL, put(g, tx, "", "v"));
        assertEquals(FBIG, g.call(DB, "put", tx, g.str("t"), g.str("k"), 0, Limits.MAX_VALUE + 1L));
        assertEquals(FAULT, g.call(DB, "put", tx, g.str("t"), g.str("k"), Guest.FAR, 2));
        assertEquals(FAULT, g.call(DB, "get", tx, g.str("t"), g.str("k"), Guest.FAR, 4, Guest.OUT_LEN));
        assertEquals(FAULT, g.call(DB, "begin", g.str("ledger"), Guest.FAR));
        put(g, tx, "k", "0123456789");
        assertEquals(NOBUFS, g.call(DB, "get", tx, g.str("t"), g.str("k"), Guest.BUF, 2, Guest.OUT_LEN));
        assertEquals(10, g.outLen());
        g.call(DB, "abort", tx);
        for (int i = 0; i < CellServices.MAX_TRANSACTIONS; i++) {
            assertEquals(i + 1, begin(g, "ledger"));
        }
        assertEquals(-MFILE, begin(g, "ledger"));
    }

    @Test
    void readOnlyGrantReadsButNeverWrites() {
        var seed = services.db("ref").begin();
        seed.put("t", "k".getBytes(), "v".getBytes());
        seed.commit();
        int tx = begin(g, "ref");
        assertEquals(SUCCESS, get(g, tx, "k"));
        assertEquals(ROFS, put(g, tx, "k", "w"));
        assertEquals(ROFS, g.call(DB, "delete", tx, g.str("t"), g.str("k")));
        assertEquals(SUCCESS, g.call(DB, "commit", tx));
    }
}
