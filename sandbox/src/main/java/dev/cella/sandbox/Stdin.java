package dev.cella.sandbox;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Where a cell's standard input comes from. Immutable: each cell opens its own stream from it
 * ({@link #open()}) on the guest's first read, so one configuration serves many cells.
 */
public final class Stdin {
    private static final Stdin EMPTY = new Stdin("empty", () -> InputStream.nullInputStream());

    private final String description;
    private final Supplier<InputStream> opener;

    private Stdin(String description, Supplier<InputStream> opener) {
        this.description = description;
        this.opener = opener;
    }

    /** No input: the guest reads end-of-file at once. The default. */
    public static Stdin empty() {
        return EMPTY;
    }

    /** The UTF-8 bytes of {@code text}. */
    public static Stdin of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A copy of {@code bytes}. */
    public static Stdin of(byte[] bytes) {
        byte[] copy = Arrays.copyOf(bytes, bytes.length);
        return new Stdin("bytes (" + copy.length + ")", () -> new ByteArrayInputStream(copy));
    }

    /** The contents of host file {@code file}, opened when the guest first reads. */
    public static Stdin file(Path file) {
        Objects.requireNonNull(file, "file");
        return new Stdin("file " + file, () -> {
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * The host process's standard input ({@link System#in}), shared with whatever else reads it;
     * closing the cell does not close it. A read blocks until the host's input has bytes, and a
     * deadline cannot interrupt that wait.
     */
    public static Stdin host() {
        return new Stdin("host stdin", () -> new FilterInputStream(System.in) {
            @Override
            public void close() {
                // The host's stdin outlives the cell.
            }
        });
    }

    /**
     * The streams {@code opener} opens, one per cell, on the guest's first read: how a host
     * module feeds a cell (another cell's output through a pipe). A read that finds no data yet
     * ({@link InputStream#available()} is 0) is announced as blocking, so a scheduler lends the
     * cell's slot while it waits.
     *
     * @param description what the input is, for messages
     */
    public static Stdin stream(String description, Supplier<InputStream> opener) {
        return new Stdin(Objects.requireNonNull(description, "description"), Objects.requireNonNull(opener, "opener"));
    }

    /**
     * Opens a new stream over this input.
     *
     * @throws UncheckedIOException if a file cannot be opened
     */
    public InputStream open() {
        return opener.get();
    }

    @Override
    public String toString() {
        return description;
    }
}
