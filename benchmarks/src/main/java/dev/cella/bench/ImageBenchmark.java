package dev.cella.bench;

import dev.cella.images.Image;
import dev.cella.images.ImageCache;
import dev.cella.images.ImagePacker;
import dev.cella.images.ImageReader;
import dev.cella.images.ImageSpec;
import dev.cella.isa.format.ModuleWriter;
import dev.cella.isa.text.Assembler;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.CellImage;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.RunResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The goals of images (issue 17): from a cached image to the guest's first instruction (under
 * 1 ms in the process), 1,000 cells of one image started (under 1 s), and a pack of a 10 MB file
 * tree (under 1 s, the image at most 5% larger than its content compressed; the sizes are printed
 * at set-up). The tree is text made of a fixed word list with a seeded generator, so every run
 * packs the same bytes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ImageBenchmark {
    private Path tree;
    private byte[] imageBytes;
    private Image image;
    private ImageCache cache;
    private CellConfig config;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        tree = Files.createTempDirectory("cella-image-bench");
        long content = writeTree(tree, 10 << 20);
        byte[] module = ModuleWriter.write(Assembler.assemble(CellBenchmark.EMPTY_START, "empty.casm"));
        imageBytes = ImagePacker.pack(new ImagePacker.Input(module, false, tree, ImageSpec.EMPTY, "bench"));
        long compressed = gzippedContent(tree);
        System.out.printf("%n10 MB tree: content %,d bytes, content gzipped as one stream %,d bytes, image %,d bytes "
                + "(%.2f%% of the compressed content)%n", content, compressed, imageBytes.length,
                100.0 * imageBytes.length / compressed);
        image = ImageReader.read(new ByteArrayInputStream(imageBytes), "bench.tar");
        cache = new ImageCache(null);
        config = CellConfig.builder().stdout(OutputStream.nullOutputStream()).stderr(OutputStream.nullOutputStream())
                .rootTree(image.files()).build();
        cache.cellImage(image, EngineKind.INTERP); // cached: translated and verified once
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> s = Files.walk(tree)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A cached image to its guest's first instruction and on to the end of an empty _start, with 10 MB of files at /. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public RunResult startCachedImage() {
        CellImage prepared = cache.cellImage(image, EngineKind.INTERP);
        try (Cell cell = Cell.create(prepared, config)) {
            return cell.run();
        }
    }

    /** 1,000 cells of one cached image started (created and run), all alive at the end. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 3, time = 2)
    public int start1000Cells() {
        CellImage prepared = cache.cellImage(image, EngineKind.INTERP);
        List<Cell> cells = new ArrayList<>(1000);
        for (int i = 0; i < 1000; i++) {
            Cell cell = Cell.create(prepared, config);
            cell.run();
            cells.add(cell);
        }
        cells.forEach(Cell::close);
        return cells.size();
    }

    /** Pack a 10 MB tree (read from disk, compressed, hashed, written as a layout to memory). */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int pack10MegabyteTree() throws IOException {
        byte[] module = ModuleWriter.write(Assembler.assemble(CellBenchmark.EMPTY_START, "empty.casm"));
        return ImagePacker.pack(new ImagePacker.Input(module, false, tree, ImageSpec.EMPTY, "bench")).length;
    }

    /** Read an image with every digest checked (what each `cella run IMAGE` does before the cache). */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Image readAndVerify10MegabyteImage() throws IOException {
        return ImageReader.read(new ByteArrayInputStream(imageBytes), "bench.tar");
    }

    private static final String[] WORDS = ("the of and a to in is you that it he was for on are as with his they at be "
            + "this have from or one had by word but not what all were we when your can said there use an each which she "
            + "do how their if will up other about out many then them these so some her would make like him into time has "
            + "look two more write go see number no way could people my than first water been call who oil its now find "
            + "cell image layer digest quota fuel memory guest host mount sandbox engine").split(" ");

    /** Writes about {@code bytes} of text in files of 4-36 KB under 20 directories; returns the bytes written. */
    static long writeTree(Path root, long bytes) throws IOException {
        Random random = new Random(17);
        long written = 0;
        for (int i = 0; written < bytes; i++) {
            Path dir = root.resolve("dir" + (i % 20));
            Files.createDirectories(dir);
            StringBuilder sb = new StringBuilder();
            int size = 4096 + random.nextInt(32 << 10);
            while (sb.length() < size) {
                sb.append(WORDS[random.nextInt(WORDS.length)]).append(random.nextInt(12) == 0 ? ".\n" : " ");
            }
            byte[] data = sb.toString().getBytes(StandardCharsets.UTF_8);
            Files.write(dir.resolve("file" + i + ".txt"), data);
            written += data.length;
        }
        return written;
    }

    /**
     * The content compressed as tightly as the image's files layer could be: every file's bytes,
     * in path order, in one gzip stream (no names, no headers).
     */
    static long gzippedContent(Path root) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out); Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                gz.write(Files.readAllBytes(p));
            }
        }
        return out.size();
    }
}
