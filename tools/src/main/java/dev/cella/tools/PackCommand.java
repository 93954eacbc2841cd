package dev.cella.tools;

import dev.cella.images.ImageException;
import dev.cella.images.ImagePacker;
import dev.cella.images.ImageSpec;
import dev.cella.images.YamlNode;
import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.verify.Verifier;
import dev.cella.wasm.WasmImporter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cella pack}: builds an image (an OCI image layout in one tar) of a module, a directory
 * tree that becomes the guest's root files, and a manifest of defaults (docs/images.md). The
 * module is loaded and verified first, so an image never holds a module that cannot run; .casm
 * text is stored assembled, as a Cella binary.
 */
@Command(name = "pack", sortOptions = false,
        description = {"Packs a guest program, its files and its defaults into an image.",
            "The image is an OCI image layout in a tar file: standard tools (skopeo) can inspect, copy and push "
                + "it. The same inputs always give the same bytes. Run it with `cella run IMAGE`; see docs/images.md."})
final class PackCommand implements Callable<Integer>, Cella.FileCommand {
    private final Cella.Console console;

    @Mixin
    Cella.HelpOption helpOption;

    @Parameters(index = "0", paramLabel = "MODULE", description = "The program: .wasm, .cel or .casm.")
    String module;

    @Option(names = {"-o", "--output"}, paramLabel = "IMAGE", required = true, description = "The image file to write (a tar).")
    Path output;

    @Option(names = "--files", paramLabel = "DIR",
            description = "A directory whose tree the guest sees at / (read-only image files, writable per cell).")
    Path files;

    @Option(names = "--manifest", paramLabel = "FILE",
            description = "The defaults in YAML: args, env, quotas, mounts, grants, networks, services (docs/images.md).")
    Path manifest;

    @Option(names = "--tag", paramLabel = "NAME", description = "The image's name in the layout's index (default: latest).")
    String tag = "latest";

    PackCommand(Cella.Console console) {
        this.console = console;
    }

    @Override
    public String file() {
        return module;
    }

    @Override
    public Integer call() throws IOException {
        ModuleFiles.Loaded loaded = ModuleFiles.load(module);
        Verifier.verify(loaded.module());
        RunCommand.requireEntryPoint(loaded.module());
        boolean wasm = WasmImporter.isWasm(loaded.bytes());
        byte[] moduleBytes = wasm || loaded.binary() ? loaded.bytes() : ModuleWriter.write(loaded.module());
        ImageSpec spec = manifest == null ? ImageSpec.EMPTY : readManifest(manifest);
        if (files != null && !Files.isDirectory(files)) {
            throw FileAccessException.input(files.toString(), "--files: " + (Files.exists(files) ? "not a directory" : "no such directory"), null);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImagePacker.pack(new ImagePacker.Input(moduleBytes, wasm, files, spec, tag), out);
        byte[] image = out.toByteArray();
        ModuleFiles.write(output.toString(), image);
        console.out().println("packed " + output + " (" + image.length + " bytes)");
        return ExitCode.OK.code;
    }

    /** The manifest of defaults in {@code file}. @throws ImageException (SPEC) naming line, column and field */
    static ImageSpec readManifest(Path file) {
        String text = new String(ModuleFiles.read(file.toString()), StandardCharsets.UTF_8);
        return ImageSpec.parse(YamlNode.parse(file.toString(), text, ImageException.Kind.SPEC));
    }
}
