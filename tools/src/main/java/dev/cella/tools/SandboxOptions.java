package dev.cella.tools;

import dev.cella.images.ImageSpec;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.SandboxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What a cell may use and reach: the quotas, the mounts and the clock and random grants, the
 * options {@code cella run} and {@code cella resume} share (a picocli mixin). A resumed cell gets
 * them from its own command line like a new one, never from the checkpoint file, which grants
 * nothing (docs/checkpoint.md, "Trust").
 */
final class SandboxOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--fuel", paramLabel = "N", description = "Fuel budget: instructions the guest may execute (default: unlimited).")
    Long fuel;

    @Option(names = "--memory", paramLabel = "SIZE", converter = OptionConverters.Size.class,
            description = "Cap on linear memory, tables, globals and the stack, a sixteenth of which (at least 64K)"
                    + " is reserved for the stack; memory.grow past the rest returns -1 (default: 256M).")
    Long memory;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = OptionConverters.Time.class,
            description = "Wall-clock limit of the run, e.g. 500ms, 2s, 1m (default: none).")
    Duration timeout;

    @Option(names = "--max-call-depth", paramLabel = "N", description = "Most guest frames active at once, 1 to 4194304 (default: 10000).")
    Integer maxCallDepth;

    @Option(names = "--max-output", paramLabel = "SIZE", converter = OptionConverters.Size.class,
            description = "Cap on bytes written to stdout and stderr together (default: 64M).")
    Long maxOutput;

    @Option(names = "--max-open-files", paramLabel = "N", description = "Most files the guest may have open at once (default: 64).")
    Integer maxOpenFiles;

    @Option(names = "--disk-quota", paramLabel = "SIZE", converter = OptionConverters.Size.class,
            description = "Cap on bytes the guest may write to files (default: 64M).")
    Long diskQuota;

    @Option(names = "--max-files", paramLabel = "N",
            description = "Most files, directories and links the guest may create (default: 1000).")
    Integer maxFiles;

    @Option(names = "--mount", paramLabel = "HOST:GUEST[:ro|:rw]", converter = OptionConverters.Mount.class,
            description = "Make host directory HOST visible at GUEST, read-only unless :rw (repeatable; default: nothing).")
    List<MountSpec> mounts = new ArrayList<>();

    @Option(names = "--allow-clock", description = "Let the guest read the host's clocks (default: a virtual clock).")
    boolean allowClock;

    @Option(names = "--allow-random", description = "Let the guest read host entropy (default: a seeded generator).")
    boolean allowRandom;

    /**
     * Sets the quotas, mounts and grants these options give on {@code b}; an option not given
     * leaves the sandbox's default.
     *
     * @throws ParameterException for a value the sandbox rejects (a negative quota, a call depth
     *     over the engines' maximum, overlapping mounts)
     * @throws FileAccessException if a mounted directory is missing or not a directory
     */
    void applyTo(CellConfig.Builder b) {
        try {
            b.allowClock(allowClock).allowRandom(allowRandom);
            for (MountSpec m : mounts) {
                try {
                    m.addTo(b);
                } catch (SandboxException e) {
                    throw new ParameterException(spec.commandLine(), "--mount: " + e.getMessage(), e);
                }
            }
            new ImageSpec.Quotas(fuel, memory, timeout, maxCallDepth, maxOutput, maxOpenFiles, diskQuota, maxFiles)
                    .applyTo(b);
        } catch (SandboxException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
