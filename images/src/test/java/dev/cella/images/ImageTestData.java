package dev.cella.images;

import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.text.Assembler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Inputs the image tests pack: a small module, a tree of files and a spec. */
final class ImageTestData {
    private ImageTestData() {}

    /** A Cella binary module that exits with status 3. */
    static byte[] module() {
        String text = """
                import proc_exit "wasi_snapshot_preview1" "proc_exit" (i32) -> ()
                memory 1
                export func main "_start"
                func main() {
                    reg status: i32
                    i32.const status, 3
                    call proc_exit, (status), ()
                    ret
                }
                """;
        return ModuleWriter.write(Assembler.assemble(text, "exit3.casm"));
    }

    /** Writes a small tree under {@code dir}: two files, a nested directory, a link. */
    static Path tree(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("share/data"));
        Files.writeString(dir.resolve("share/data/words.txt"), "alpha\nbeta\n");
        Files.write(dir.resolve("readme"), "read me\n".getBytes(StandardCharsets.UTF_8));
        Files.createSymbolicLink(dir.resolve("words"), Path.of("share/data/words.txt"));
        return dir;
    }

    static ImageSpec spec() {
        return new ImageSpec(List.of("--verbose", "/share/data/words.txt"), Map.of("LANG", "C"),
                new ImageSpec.Quotas(1_000_000L, 1L << 20, java.time.Duration.ofSeconds(2), 500, null, 16, null, null),
                List.of(new ImageSpec.MountRequest("/out", true)), true, false,
                new ImageSpec.NetRequests(List.of(8080), List.of("localhost:5432")), List.of(), List.of());
    }

    static byte[] pack(Path files) throws IOException {
        return ImagePacker.pack(new ImagePacker.Input(module(), false, files, spec(), "test"));
    }
}
