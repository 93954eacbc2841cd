package dev.cella.tools;

import dev.cella.sandbox.CellConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which of the process's standard streams are terminals, so that a guest's {@code isatty} tells
 * the truth (stock programs refuse to write compressed data to a terminal, and buffer output by
 * lines only there). Only the process's own streams can be terminals: a console given other
 * streams (the tests') has none.
 */
final class Terminals {
    private Terminals() {}

    /**
     * True if the process's descriptor {@code fd} is a terminal. Java 21 has no {@code isatty};
     * on Linux the descriptor's link in {@code /proc/self/fd} names the terminal device. Where
     * that cannot be read, the answer is no: a stream is then a pipe or file to the guest.
     */
    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** Tells {@code b} which of {@code console}'s streams are terminals. */
    static CellConfig.Builder apply(CellConfig.Builder b, Cella.Console console) {
        return b.terminals(console.in() == System.in && isTerminal(0), console.out() == System.out && isTerminal(1),
                console.err() == System.err && isTerminal(2));
    }
}
