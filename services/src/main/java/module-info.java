/**
 * Shared services for cells: a key-value cache, message queues and a database, each namespace
 * granted to cells read-only or read-write, on one embedded store (H2's MVStore). The host
 * modules {@code cella_kv}, {@code cella_queue} and {@code cella_db} plug into a cell as host
 * functions ({@link dev.cella.sandbox.CellConfig.Builder#hostFunction}); see docs/services.md.
 */
module dev.cella.services {
    requires transitive dev.cella.sandbox;
    requires dev.cella.isa;
    requires dev.cella.vm;
    requires com.h2database;

    exports dev.cella.services;
}
