package dev.cella.services;

import static dev.cella.services.ServiceErrno.NOTCAPABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.CellConfig;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A cell names only what it was granted: every call of every service, given a namespace of the
 * right kind that another cell holds (and one of another kind under the same name, and one that
 * does not exist), fails with ENOTCAPABLE and changes nothing.
 */
class IsolationTest {
    /** Arguments after the namespace for each call, valid for a granted namespace. */
    private static Object[] rest(Guest g, ServiceKind kind, String call) {
        return switch (kind) {
            case KV -> switch (call) {
                case "get" -> new Object[] {g.str("k"), Guest.out()};
                case "put" -> new Object[] {g.str("k"), g.str("v"), 0};
                case "delete" -> new Object[] {g.str("k")};
                case "cas" -> new Object[] {g.str("k"), g.str("secret"), g.str("v")};
                case "incr" -> new Object[] {g.str("n"), 1, Guest.OUT_U64};
                case "scan" -> new Object[] {g.str(""), g.str(""), Guest.out()};
                default -> throw new AssertionError(call);
            };
            case QUEUE -> switch (call) {
                case "send" -> new Object[] {g.str("m")};
                case "publish" -> new Object[] {g.str("m"), Guest.OUT_LEN};
                case "subscribe" -> new Object[] {g.str("sub")};
                case "receive" -> new Object[] {g.str(""), Guest.out(), Guest.OUT_U64, 0};
                case "ack" -> new Object[] {g.str(""), 1};
                case "receive_many" -> new Object[] {g.str(""), Guest.out(), 10, 0};
                case "ack_many" -> new Object[] {g.str(""), Guest.OUT_U64, 1};
                default -> throw new AssertionError(call);
            };
            case DB -> switch (call) {
                case "begin" -> new Object[] {Guest.OUT_LEN};
                default -> null; // the other calls take a transaction handle, tested below
            };
        };
    }

    @Test
    void everyCallOfEveryServiceRefusesAnUngrantedNamespace() {
        try (Services s = Services.inMemory();
                Guest owner = new Guest(s, "kv:secret:rw", "queue:secret:rw", "db:secret:rw");
                Guest intruder = new Guest(s, "kv:mine:rw", "queue:mine:rw", "db:mine:rw")) {
            s.kv("secret").put("k".getBytes(), "secret".getBytes());
            s.queue("secret").send("m".getBytes(), null);
            Set<String> tested = new HashSet<>();
            for (CellConfig.HostImport h : intruder.imports()) {
                ServiceKind kind = kindOf(h.module());
                if (kind == null) {
                    continue;
                }
                for (String name : new String[] {"secret", "nosuch", "mine-not"}) {
                    intruder.reset();
                    Object[] rest = rest(intruder, kind, h.name());
                    if (rest == null) {
                        continue;
                    }
                    Object[] args = new Object[rest.length + 1];
                    args[0] = intruder.str(name);
                    System.arraycopy(rest, 0, args, 1, rest.length);
                    assertEquals(NOTCAPABLE, intruder.call(kind, h.name(), args), kind.module() + "." + h.name() + " on " + name);
                    tested.add(kind.module() + "." + h.name());
                }
            }
            assertEquals(14, tested.size(), "every call naming a namespace: " + tested);
            assertEquals("secret", new String(s.kv("secret").get("k".getBytes())));
            assertNull(s.kv("secret").get("n".getBytes()));
            assertEquals(1, s.queue("secret").depth(""));
            assertTrue(s.queue("secret").subscribe("sub"), "the intruder created no subscription");
        }
    }

    @Test
    void transactionHandlesAreTheCellsOwn() {
        try (Services s = Services.inMemory();
                Guest owner = new Guest(s, "db:secret:rw");
                Guest intruder = new Guest(s, "db:mine:rw")) {
            assertEquals(ServiceErrno.SUCCESS, owner.call(ServiceKind.DB, "begin", owner.str("secret"), Guest.OUT_LEN));
            long tx = owner.outLen();
            assertEquals(ServiceErrno.SUCCESS, owner.call(ServiceKind.DB, "put", tx, owner.str("t"), owner.str("k"), owner.str("v")));
            for (String call : new String[] {"get", "put", "delete", "next", "commit", "abort"}) {
                intruder.reset();
                Object[] args = switch (call) {
                    case "get", "next" -> new Object[] {tx, intruder.str("t"), intruder.str("k"), Guest.out()};
                    case "put" -> new Object[] {tx, intruder.str("t"), intruder.str("k"), intruder.str("x")};
                    case "delete" -> new Object[] {tx, intruder.str("t"), intruder.str("k")};
                    default -> new Object[] {tx};
                };
                assertEquals(ServiceErrno.BADF, intruder.call(ServiceKind.DB, call, args), "db." + call);
            }
            assertEquals(ServiceErrno.SUCCESS, owner.call(ServiceKind.DB, "commit", tx));
            assertEquals("v", new String(s.db("secret").begin().get("t", "k".getBytes())));
        }
    }

    @Test
    void cellsGrantedTheSameNamespaceShareIt() {
        try (Services s = Services.inMemory();
                Guest a = new Guest(s, "kv:shared:rw");
                Guest b = new Guest(s, "kv:shared:ro")) {
            assertEquals(ServiceErrno.SUCCESS, a.call(ServiceKind.KV, "put", a.str("shared"), a.str("k"), a.str("hi"), 0));
            assertEquals(ServiceErrno.SUCCESS, b.call(ServiceKind.KV, "get", b.str("shared"), b.str("k"), Guest.out()));
            assertEquals("hi", b.buf());
        }
    }

    private static ServiceKind kindOf(String module) {
        for (ServiceKind k : ServiceKind.values()) {
            if (k.module().equals(module)) {
                return k;
            }
        }
        return null;
    }
}
