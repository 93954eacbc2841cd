package dev.cella.tools;

import dev.cella.images.TranslationCache;
import dev.cella.isa.format.ModuleReader;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.text.AssemblyException;
import dev.cella.isa.verify.Verifier;
import dev.cella.wasm.WasmImporter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reading guest modules from files and writing results to files, with every file problem
 * reported as a {@link FileAccessException} that names the path. Every command that takes a
 * module ({@code run}, {@code batch}, {@code verify}, ...) loads it here, so all accept the same files.
 *
 * <p>A file that starts with WebAssembly's magic ({@code 00 61 73 6D}) is a Wasm module,
 * translated on the fly ({@link WasmImporter}), and so is a file named {@code .wasm} without the
 * magic, so that the bad magic is reported as malformed Wasm. A file is a binary module ({@code .cel}) if it starts with the magic bytes
 * {@code 00 43 45 4C} or its name ends in {@code .cel}; anything else is assembly text
 * ({@code .casm}) in UTF-8. A {@code .cel} file without the magic is still read as a binary, so
 * that the reader reports the bad magic at offset 0 instead of the assembler reporting nonsense.
 */
public final class ModuleFiles {
    private ModuleFiles() {}

    /**
     * A module loaded from a file.
     *
     * @param name the file name as given on the command line
     * @param module the decoded or assembled module, not yet verified
     * @param binary true if the file was a binary module, false if it was assembly text
     * @param bytes the file's contents
     */
    public record Loaded(String name, Module module, boolean binary, byte[] bytes) {}

    /**
     * Reads, decodes or assembles the module in file {@code name}. Does not verify it.
     *
     * @throws FileAccessException if the file cannot be read
     * @throws dev.cella.isa.FormatException if it is a malformed binary
     * @throws AssemblyException if it is text that does not assemble (or is not UTF-8)
     * @throws dev.cella.wasm.WasmException if it is a WebAssembly module that cannot be translated
     */
    public static Loaded load(String name) {
        return decode(name, read(name));
    }

    /**
     * Reads, decodes or assembles the module in {@code file}, as {@link #load(String)} does;
     * messages about the file itself name {@code file}, those about its contents name {@code
     * name} (a batch file names guests relative to itself).
     */
    public static Loaded load(Path file, String name) {
        return decode(name, read(file.toString()));
    }

    /**
     * A verified module loaded from a file.
     *
     * @param wasm true if the file was a WebAssembly module (translated, or its translation cached)
     * @param fromCache true if it is a WebAssembly module's translation read from the disk cache
     */
    public record Verified(Module module, boolean wasm, boolean fromCache) {}

    /**
     * Reads, decodes or assembles the module in file {@code file}, as {@link #load(Path, String)} does,
     * and verifies it; a WebAssembly module's translation comes from {@code cache} when it holds a
     * good one, else is made and kept there ({@link TranslationCache}).
     *
     * @throws dev.cella.isa.verify.VerifyException if the module does not verify
     */
    public static Verified loadVerified(String file, String name, TranslationCache cache) {
        byte[] bytes = read(file);
        if (isWasm(name, bytes)) {
            TranslationCache.Translated t = cache.translate(bytes);
            return new Verified(t.module(), true, t.fromCache());
        }
        Module m = decode(name, bytes).module();
        Verifier.verify(m);
        return new Verified(m, false, false);
    }

    private static boolean isWasm(String name, byte[] bytes) {
        return WasmImporter.isWasm(bytes) || name.endsWith(".wasm");
    }

    private static Loaded decode(String name, byte[] bytes) {
        if (isWasm(name, bytes)) {
            // A damaged .wasm is reported by the Wasm reader (malformed, with the offset), not by
            // the assembler reading binary bytes as text.
            return new Loaded(name, WasmImporter.translate(bytes), true, bytes);
        }
        if (isBinary(name, bytes)) {
            return new Loaded(name, ModuleReader.read(bytes), true, bytes);
        }
        return new Loaded(name, Assembler.assemble(decodeText(name, bytes), name), false, bytes);
    }

    /** True if {@code bytes} start with the binary magic, or {@code name} ends in {@code .cel}. */
    static boolean isBinary(String name, byte[] bytes) {
        return ModuleReader.hasMagic(bytes) || name.endsWith(".cel");
    }

    /**
     * All bytes of the file {@code name}.
     *
     * @throws FileAccessException if it does not exist, is a directory or cannot be read
     */
    static byte[] read(String name) {
        try {
            Path path = Path.of(name);
            if (Files.isDirectory(path)) {
                throw FileAccessException.input(name, "is a directory, not a file", null);
            }
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw FileAccessException.input(name, "no such file", e);
        } catch (AccessDeniedException e) {
            throw FileAccessException.input(name, "permission denied", e);
        } catch (InvalidPathException e) {
            throw FileAccessException.input(name, "not a valid path: " + e.getReason(), e);
        } catch (IOException e) {
            throw FileAccessException.input(name, "cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code bytes} to the file {@code name}, replacing it.
     *
     * @throws FileAccessException if the file cannot be written
     */
    static void write(String name, byte[] bytes) {
        try {
            Files.write(Path.of(name), bytes);
        } catch (NoSuchFileException e) {
            throw FileAccessException.output(name, "no such directory", e);
        } catch (AccessDeniedException e) {
            throw FileAccessException.output(name, "permission denied", e);
        } catch (InvalidPathException e) {
            throw FileAccessException.output(name, "not a valid path: " + e.getReason(), e);
        } catch (IOException e) {
            throw FileAccessException.output(name, e.getMessage(), e);
        }
    }

    /**
     * Decodes assembly text as strict UTF-8.
     *
     * @throws AssemblyException naming the line and column of the first byte that is not UTF-8
     */
    static String decodeText(String name, byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            out.flip();
            int line = 1;
            int column = 1;
            for (int i = 0; i < out.length(); i++) {
                if (out.charAt(i) == '\n') {
                    line++;
                    column = 1;
                } else {
                    column++;
                }
            }
            throw new AssemblyException(name, line, column,
                    "invalid UTF-8 at byte offset " + in.position() + " (assembly text must be UTF-8)");
        }
        decoder.flush(out);
        out.flip();
        return out.toString();
    }
}
