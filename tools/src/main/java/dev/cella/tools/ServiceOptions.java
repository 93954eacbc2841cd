package dev.cella.tools;

import dev.cella.sandbox.CellConfig;
import dev.cella.services.CellServices;
import dev.cella.services.Grant;
import dev.cella.services.Limits;
import dev.cella.services.Services;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The shared-service options of {@code cella run} and {@code cella resume} (a picocli mixin of
 * its own, so that other option groups merge without touching it): the namespaces granted, the
 * quotas, and where the store lives. Without {@code --service} the cell gets no service module.
 */
final class ServiceOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--service", paramLabel = "KIND:NAME[:ro|:rw]",
            description = "Grant the guest namespace NAME of service KIND (kv, queue or db), read-only unless :rw; "
                    + "cells granted the same namespace share it (repeatable; default: none). See docs/services.md.")
    List<String> grants = new ArrayList<>();

    @Option(names = "--service-quota", paramLabel = "LIMITS",
            description = "The guest's own quota over all its namespaces: keys=N,bytes=SIZE,messages=N,ops=N "
                    + "(keys created, bytes written, messages sent, operations per second; default: unlimited).")
    String quota;

    @Option(names = "--service-limit", paramLabel = "KIND:NAME:LIMITS",
            description = "A namespace's quota: keys and bytes stored, messages queued, operations per second, "
                    + "e.g. kv:cache:keys=1000,bytes=1M (repeatable; default: unlimited).")
    List<String> limits = new ArrayList<>();

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the services' namespaces in DIR (created if needed); default: in memory, gone after the run.")
    Path dataDir;

    /** The services opened for one run and the cell's share of them; closing closes the store. */
    static final class Opened implements AutoCloseable {
        final Services services;
        final CellServices cell;

        Opened(Services services, CellServices cell) {
            this.services = services;
            this.cell = cell;
        }

        /** {@code config} with the service modules added, or unchanged when nothing is granted. */
        CellConfig addTo(CellConfig config) {
            return cell == null ? config : cell.addTo(config.toBuilder()).build();
        }

        /** Prints the services' statistics after the others, if any service was granted. */
        void printStats(Cella.Console console, RunCommand.StatsFormat format) {
            if (cell != null && format != null) {
                console.err().println(ServiceSpecs.report(services, cell, format == RunCommand.StatsFormat.JSON));
                console.err().flush();
            }
        }

        @Override
        public void close() {
            if (services != null) {
                services.close();
            }
        }
    }

    /**
     * Parses the options and opens the store.
     *
     * @throws ParameterException for a malformed grant or quota, or service options without a grant
     * @throws FileAccessException if the data directory cannot be used
     */
    Opened open() {
        List<Grant> parsed = new ArrayList<>();
        List<ServiceSpecs.NamespaceLimit> nsLimits = new ArrayList<>();
        Limits cellQuota;
        try {
            for (String g : grants) {
                parsed.add(Grant.parse(g));
            }
            for (String l : limits) {
                nsLimits.add(ServiceSpecs.NamespaceLimit.parse(l));
            }
            cellQuota = quota == null ? Limits.NONE : Limits.parse(quota);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--service: " + e.getMessage(), e);
        }
        if (parsed.isEmpty()) {
            if (quota != null || !limits.isEmpty() || dataDir != null) {
                throw new ParameterException(spec.commandLine(),
                        "--service-quota, --service-limit and --data-dir need a --service grant");
            }
            return new Opened(null, null);
        }
        Services services = ServiceSpecs.open(dataDir, nsLimits);
        try {
            return new Opened(services, services.forCell(parsed, cellQuota));
        } catch (IllegalArgumentException e) {
            services.close();
            throw new ParameterException(spec.commandLine(), "--service: " + e.getMessage(), e);
        }
    }
}
