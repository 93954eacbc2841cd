package dev.cella.images;

import dev.cella.sandbox.fs.RootTree;

/**
 * An image read from an OCI image layout, every blob checked against its digest
 * ({@link ImageReader}).
 *
 * @param manifestDigest the digest of the image's manifest: the image's identity
 * @param spec the defaults and requests
 * @param moduleDigest the digest of the module layer
 * @param wasm true if the module is WebAssembly, false if a Cella binary
 * @param module the module's bytes
 * @param files the guest's root files
 */
public record Image(String manifestDigest, ImageSpec spec, String moduleDigest, boolean wasm, byte[] module,
        RootTree files) {}
