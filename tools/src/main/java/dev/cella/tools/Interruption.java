package dev.cella.tools;

import dev.cella.sandbox.Cell;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stops a running guest cleanly when the {@code cella} process is interrupted (Ctrl-C, SIGTERM):
 * the cell is killed, the run ends with the usual one-line message, and the process exits with
 * {@link ExitCode#KILLED} instead of the JVM's default 130 or 143.
 *
 * <p>Only the process entry point ({@link Cella#main}) installs the shutdown hook; embedded and
 * in-process runs never see it. The JVM runs shutdown hooks after a signal while the main
 * thread is still inside {@link Cell#run()}; from then on the main thread must not call
 * {@link System#exit} (that would block forever during shutdown), so the hook itself ends the
 * process with {@link Runtime#halt} once the main thread has reported the kill, or after a grace
 * period if the guest cannot be stopped (a read blocked on the host's standard input).
 */
final class Interruption {
    private Interruption() {}

    private static final long GRACE_MILLIS = 2_000;

    /** How long the hook waits for an app to stop (checkpointing each cell) before halting anyway. */
    private static final long APP_GRACE_MILLIS = 30_000;

    private static volatile boolean installed;
    private static volatile Cell running;
    private static volatile Runnable stopper;
    private static volatile int haltCode = ExitCode.KILLED.code;
    private static volatile boolean interrupted;
    private static final CountDownLatch REPORTED = new CountDownLatch(1);

    /** Installs the shutdown hook; called once by {@link Cella#main}. */
    static void install() {
        installed = true;
        Runtime.getRuntime().addShutdownHook(new Thread(Interruption::onShutdown, "cella-interrupt"));
    }

    /** Records that {@code cell} is running (or that none is, with null). */
    static void running(Cell cell) {
        running = cell;
    }

    /**
     * Records how to stop what runs now instead of killing one cell (an app of many cells), or
     * that nothing is running, with null. The hook calls it, then waits for the main thread to
     * report ({@link #awaitHalt(int)}) up to {@value #APP_GRACE_MILLIS} ms.
     */
    static void stopping(Runnable stop) {
        stopper = stop;
    }

    /** True if the process is shutting down because it was interrupted during a run. */
    static boolean interrupted() {
        return interrupted;
    }

    /**
     * Called by the main thread, instead of {@link System#exit}, once it has reported the end of
     * an interrupted run: lets the hook halt the process and waits for that.
     */
    static void awaitHalt(int code) {
        haltCode = code;
        REPORTED.countDown();
        CountDownLatch never = new CountDownLatch(1);
        while (true) {
            try {
                never.await();
            } catch (InterruptedException e) {
                // Keep waiting: the shutdown hook ends the process.
            }
        }
    }

    private static void onShutdown() {
        Cell cell = running;
        Runnable stop = stopper;
        if (!installed || (cell == null && stop == null)) {
            return;
        }
        interrupted = true;
        if (cell != null) {
            cell.kill();
        }
        if (stop != null) {
            stop.run();
        }
        try {
            REPORTED.await(stop != null ? APP_GRACE_MILLIS : GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(haltCode);
    }
}
