package dev.cella.sandbox.checkpoint;

import dev.cella.sandbox.Outcome;
import dev.cella.sandbox.RunResult;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The other JVM of {@link CheckpointFreshJvmTest}: resumes checkpoint file {@code args[0]} with
 * stdout to its own stdout and exits with the guest's exit status (or 100 if the guest did not
 * exit), printing the guest's fuel used on stderr.
 */
public final class ResumeMain {
    private ResumeMain() {}

    public static void main(String[] args) {
        PrintStream out = System.out;
        RunResult r = CheckpointCli.resume(Path.of(args[0]), b -> b.stdout(out));
        out.flush();
        System.err.println("fuel used " + r.accounting().fuelUsed());
        System.exit(r.outcome() == Outcome.EXITED ? r.exitStatus() : 100);
    }
}
