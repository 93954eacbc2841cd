package dev.cella.sandbox.wasi;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a cell's WASI host gives its guest.
 *
 * @param args the argument vector, argv[0] included
 * @param env environment variables, in the order the guest sees them
 * @param stdin opens the guest's standard input on its first read (called at most once); null
 *     means empty input
 * @param stdout where standard output goes; null discards it
 * @param stderr where standard error goes; null discards it
 * @param hostClock true to give the guest the host's clocks; false gives the virtual clock
 * @param hostRandom true to give the guest host entropy; false gives a seeded generator
 * @param randomSeed the seed of the deterministic generator
 * @param terminals which of stdin, stdout and stderr (bits 0, 1, 2) are terminals on the host:
 *     those are reported as character devices (so the guest's {@code isatty} is true), the
 *     others as of unknown type, as a pipe or file is to WASI
 */
public record WasiOptions(List<String> args, Map<String, String> env, Supplier<InputStream> stdin,
        OutputStream stdout, OutputStream stderr, boolean hostClock, boolean hostRandom, long randomSeed,
        int terminals) {
    public WasiOptions {
        args = List.copyOf(args);
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    /** Options whose standard streams are not terminals. */
    public WasiOptions(List<String> args, Map<String, String> env, Supplier<InputStream> stdin, OutputStream stdout,
            OutputStream stderr, boolean hostClock, boolean hostRandom, long randomSeed) {
        this(args, env, stdin, stdout, stderr, hostClock, hostRandom, randomSeed, 0);
    }

    /** True if standard stream {@code fd} (0, 1 or 2) is a terminal on the host. */
    public boolean isTerminal(int fd) {
        return (terminals >> fd & 1) != 0;
    }
}
