package dev.cella.images;

/**
 * The media types of a Cella image (docs/images.md). The manifest, index and config are the
 * OCI image spec's own, so registries and tools such as skopeo treat the image as any other;
 * the module layer follows the Wasm OCI artifact convention (CNCF TAG Runtime: {@code
 * application/wasm}, architecture {@code wasm}, os {@code wasip1}); a Cella binary module has a
 * type of its own.
 */
public final class MediaTypes {
    private MediaTypes() {}

    public static final String INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String CONFIG = "application/vnd.oci.image.config.v1+json";
    /** A WebAssembly module layer (the Wasm OCI artifact convention). */
    public static final String WASM = "application/wasm";
    /** A Cella binary module layer (.cel; .casm text is assembled to it when packed). */
    public static final String CELLA_MODULE = "application/vnd.dev.cella.module.v1+cel";
    /** The files layer: the guest's root tree as a gzip-compressed tar. */
    public static final String FILES = "application/vnd.oci.image.layer.v1.tar+gzip";
    /** The contents of the {@code oci-layout} file. */
    static final String LAYOUT_VERSION = "1.0.0";
    /** The annotation that names a manifest in the index. */
    static final String REF_NAME = "org.opencontainers.image.ref.name";
}
