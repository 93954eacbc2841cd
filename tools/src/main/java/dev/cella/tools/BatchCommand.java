package dev.cella.tools;

import dev.cella.tools.batch.BatchRunner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code cella batch FILE}: runs the guests a batch file lists side by side under the fair
 * scheduler, with live progress, then prints an accounting table and a fairness summary (see
 * docs/scheduling.md for the file format).
 */
@Command(name = "batch",
        description = {"Runs many guests at once under the fair scheduler, as listed in FILE "
                + "(one guest per line: binary, args, weight and quotas; see docs/scheduling.md).",
            "Shows live progress per cell (a refreshing table on a terminal, plain lines otherwise), "
                + "then an accounting table per cell and a fairness summary.",
            "Exits 0 when every guest exited with status 0, 1 when some did not."})
final class BatchCommand implements Callable<Integer> {
    private final Cella.Console console;

    @Mixin
    Cella.HelpOption help;

    @Parameters(index = "0", paramLabel = "FILE", description = "The batch file.")
    String file;

    @Mixin
    CacheOptions cache;

    BatchCommand(Cella.Console console) {
        this.console = console;
    }

    @Override
    public Integer call() {
        return BatchRunner.run(Path.of(file), console.out(), isTerminal(), cache.translations());
    }

    /**
     * True when standard output is an interactive terminal. From JDK 22 {@code System.console()}
     * exists even when output is redirected, so its {@code isTerminal()} (called reflectively,
     * since Cella compiles for Java 21) decides.
     */
    private static boolean isTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
