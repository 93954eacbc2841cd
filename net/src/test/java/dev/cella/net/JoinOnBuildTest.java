package dev.cella.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/**
 * Cells built together (the replicas of a `cella up` app) start on threads of their own, in no
 * set order; a client that resolved its server's name before the server's cell was created got
 * "unknown name" and the app hung with the server waiting for it. A name is a member of its
 * networks from the moment its attachment is built.
 */
class JoinOnBuildTest {
    @Test
    void aNameResolvesOnItsNetworksBeforeItsCellIsCreated() {
        Network lan = new Network("lan");
        Network other = new Network("other");
        NetAttachment.builder("kv-0").network(lan).build();

        assertNotEquals(-1, lan.addressOf("kv-0"), "kv-0 is a member of lan before any cell attaches");
        assertEquals(-1, other.addressOf("kv-0"), "and of no other network");
    }
}
