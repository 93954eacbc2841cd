package dev.cella.tools;

/**
 * The exit codes of the {@code cella} command, one per kind of failure. The numbers follow the
 * BSD {@code sysexits.h} convention where it has a matching entry (64 usage, 65 data error,
 * 66 no input, 70 internal software error, 73 cannot create output) and continue in the same
 * range for the failures that only a virtual machine has.
 *
 * <p>{@code cella run} ends with the guest's own exit status when the guest exits (through
 * {@code proc_exit}, or status 0 when its entry function returns), so a guest status may equal
 * one of these codes. Every code other than {@link #OK} comes with a one-line
 * {@code cella: ...} message on standard error and a guest exit never does; guests that want
 * statuses a script can tell apart from the VM's should use 0 to 63 (see docs/cli.md).
 *
 * <p>{@code cella --help} lists the codes with their {@link #meaning}; docs/cli.md's table lists
 * each code by name, which {@code ExitCodeDocTest} keeps in step with this enum.
 */
public enum ExitCode {
    OK(0, "success; for run: the guest exited with status 0"),
    USAGE(64, "usage error: unknown command or option, bad value, missing argument"),
    MALFORMED_BINARY(65, "malformed binary: the .cel file cannot be decoded (names the offset)"),
    NO_INPUT(66, "an input file or mounted directory is missing or unreadable"),
    INVALID_PROGRAM(67, "invalid program: the module fails verification (names function, pc)"),
    LINK_ERROR(68, "link error: missing or mistyped import, nothing to run"),
    TRAP(69, "the guest trapped (names the trap, the function and the pc)"),
    INTERNAL(70, "internal error: a bug in cella (--debug shows the stack trace)"),
    QUOTA_EXCEEDED(71, "the guest hit a quota: fuel, time, call depth, output, memory"),
    KILLED(72, "the run was interrupted (Ctrl-C, SIGTERM) or the cell killed"),
    CANNOT_WRITE(73, "an output file cannot be written"),
    ASSEMBLY_ERROR(74, "assembly error: the .casm text is wrong (names file:line:column)"),
    IMAGE_TAMPERED(75, "an image's blob is missing or does not match its digest (names it)"),
    NOT_GRANTED(76, "the image asks for a mount, clock, network or service not granted"),
    CLUSTER_UNAVAILABLE(77, "no cluster member answered (down, wrong address, or TLS refused a key)"),
    CLUSTER_REFUSED(79, "the cluster refused the work: a cell fits on no member");

    /** The process exit status. */
    public final int code;

    /** One line saying when this code is returned. */
    public final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }
}
