/**
 * Cell images and apps: a guest module with its files and its defaults packed as an OCI image
 * layout ({@code cella pack}), read back with every digest checked and run ({@code cella run
 * IMAGE}), and apps of many cells from images ({@code cella up}). Built on the sandbox's API; the
 * sandbox knows nothing of it.
 */
module dev.cella.images {
    requires transitive dev.cella.sandbox;
    requires dev.cella.wasm;
    requires dev.cella.net;
    requires dev.cella.services;
    requires org.snakeyaml.engine;

    exports dev.cella.images;
}
