/**
 * The {@code cella} command line and the wast runner. The only module that reads picocli, which
 * sets the commands' annotated fields by reflection, so the commands' package is open to it. It
 * exports nothing: it is a program, run from the shaded target/cella.jar.
 */
module dev.cella.tools {
    requires dev.cella.cluster;
    requires dev.cella.images;
    requires dev.cella.isa;
    requires dev.cella.net;
    requires dev.cella.sandbox;
    requires dev.cella.services;
    requires dev.cella.vm;
    requires dev.cella.wasm;
    requires info.picocli;

    opens dev.cella.tools to info.picocli;
}
