package dev.cella.tools;

import dev.cella.images.ImageException;
import dev.cella.cluster.ClusterException;
import dev.cella.isa.CellaException;
import dev.cella.isa.FormatException;
import dev.cella.isa.VerifyException;
import dev.cella.isa.text.AssemblyException;
import dev.cella.sandbox.CellKilled;
import dev.cella.sandbox.QuotaExceeded;
import dev.cella.sandbox.SandboxException;
import dev.cella.sandbox.checkpoint.CheckpointException;
import dev.cella.tools.batch.BatchFileException;
import dev.cella.sandbox.sched.SchedulerException;
import dev.cella.tools.wast.WastException;
import dev.cella.vm.LinkException;
import dev.cella.vm.Trap;
import dev.cella.vm.TrapKind;
import dev.cella.wasm.WasmException;
import java.io.PrintWriter;

/**
 * Maps each failure to its exit code and reports it as one line {@code cella: <message>} on
 * standard error (with the stack trace only when {@code --debug} was given). This is the one
 * place that decides which exception means which {@link ExitCode}.
 */
final class Failures {
    private Failures() {}

    /**
     * The exit code for {@code failure}. Typed Cella failures each have their own code; fuel and
     * call-stack exhaustion count as quota hits (both are limits the host set, default or not);
     * anything else is an internal error.
     */
    static ExitCode exitCode(Throwable failure) {
        return switch (failure) {
            case FileAccessException f -> f.isOutput() ? ExitCode.CANNOT_WRITE : ExitCode.NO_INPUT;
            case AssemblyException a -> ExitCode.ASSEMBLY_ERROR;
            case FormatException f -> ExitCode.MALFORMED_BINARY;
            case VerifyException v -> ExitCode.INVALID_PROGRAM;
            case LinkException l -> ExitCode.LINK_ERROR;
            case QuotaExceeded q -> ExitCode.QUOTA_EXCEEDED;
            case Trap t when t.kind() == TrapKind.FUEL_EXHAUSTED || t.kind() == TrapKind.CALL_STACK_EXHAUSTED ->
                    ExitCode.QUOTA_EXCEEDED;
            case Trap t -> ExitCode.TRAP;
            case CellKilled k -> ExitCode.KILLED;
            case WasmException w -> switch (w.kind()) {
                case MALFORMED -> ExitCode.MALFORMED_BINARY;
                case INVALID, UNSUPPORTED -> ExitCode.INVALID_PROGRAM;
                case UNINSTANTIABLE -> ExitCode.LINK_ERROR;
            };
            case WastException w -> ExitCode.NO_INPUT;
            case ImageException i -> switch (i.kind()) {
                case MALFORMED -> ExitCode.MALFORMED_BINARY;
                case TAMPERED -> ExitCode.IMAGE_TAMPERED;
                case NOT_GRANTED -> ExitCode.NOT_GRANTED;
                case SPEC -> ExitCode.USAGE;
            };
            case CheckpointException c -> switch (c.kind()) {
                case IO -> ExitCode.NO_INPUT;
                case NOT_A_CHECKPOINT, UNSUPPORTED_VERSION, CORRUPT, UNAUTHENTICATED, TOO_LARGE, INVALID ->
                        ExitCode.MALFORMED_BINARY;
                case MODULE_MISMATCH, CONFIG_MISMATCH, BASE_MISMATCH -> ExitCode.LINK_ERROR;
                case NOT_SUSPENDED -> ExitCode.INTERNAL;
                case OPEN_CONNECTIONS, LINKED -> ExitCode.CANNOT_WRITE;
            };
            case ClusterException c -> switch (c.kind()) {
                case UNAVAILABLE -> ExitCode.CLUSTER_UNAVAILABLE;
                case REFUSED -> ExitCode.CLUSTER_REFUSED;
                case CONFIG -> ExitCode.USAGE;
            };
            case BatchFileException b when b.getCause() instanceof SchedulerException
                    || b.getCause() instanceof SandboxException -> ExitCode.USAGE;
            case BatchFileException b when b.getCause() != null -> exitCode(b.getCause());
            case BatchFileException b -> b.missingInput() ? ExitCode.NO_INPUT : ExitCode.USAGE;
            default -> ExitCode.INTERNAL;
        };
    }

    /**
     * Reports {@code failure} on {@code err} and returns its exit code.
     *
     * @param debug whether to print the stack trace after the message
     * @param file the input file the command worked on, named before messages that do not name
     *     it themselves; null if none
     */
    static ExitCode report(Throwable failure, boolean debug, PrintWriter err, String file) {
        ExitCode code = exitCode(failure);
        String message = failure instanceof CellaException ? failure.getMessage() : describeUnexpected(failure);
        boolean namesFile = failure instanceof AssemblyException || failure instanceof FileAccessException
                || failure instanceof ImageException;
        String hint = code == ExitCode.INTERNAL && !debug ? " (a bug in cella; --debug shows the stack trace)" : "";
        err.println("cella: " + (file == null || namesFile ? "" : file + ": ") + message + hint);
        if (debug) {
            failure.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** One line for an exception that is not one of Cella's typed failures. */
    private static String describeUnexpected(Throwable failure) {
        String m = failure.getMessage();
        return "internal error: " + failure.getClass().getName() + (m == null ? "" : ": " + m);
    }
}
