/**
 * The virtual network: cells on named in-JVM networks reach each other by name and port, and the
 * host's network only through grants. Plugs into cells as a {@link dev.cella.sandbox.CellExtension}
 * providing the {@code cella_net} host module; sockets are the sandbox's stream descriptors.
 */
module dev.cella.net {
    requires transitive dev.cella.sandbox;

    exports dev.cella.net;
}
