package dev.cella.tools;

import dev.cella.sandbox.Accounting;
import dev.cella.vm.EngineDiagnostics;
import dev.cella.vm.FunctionStat;

/**
 * What {@code --stats} prints after a run (docs/cli.md): the cell's {@link Accounting} and, when
 * the engine reports them ({@link EngineDiagnostics}), where each function ran; as text, or as
 * one JSON object ({@code --stats=json}) written with {@link JsonWriter}.
 */
final class StatsReport {
    private StatsReport() {}

    /**
     * The report in {@code format}.
     *
     * @param engine the engine's diagnostics, or null if the engine has none
     */
    static String format(RunCommand.StatsFormat format, Accounting a, EngineDiagnostics engine) {
        return format(format, a, engine, null);
    }

    /**
     * The report in {@code format}, with a {@code module} line (text) or field (JSON) saying
     * where a WebAssembly module's translation came from: {@code from cache} or {@code translated}.
     *
     * @param origin that, or null for a module that was not WebAssembly (no line then)
     */
    static String format(RunCommand.StatsFormat format, Accounting a, EngineDiagnostics engine, String origin) {
        return format(format, a, engine, origin, null);
    }

    /** As above, with a {@code startup} line or field when {@code startup} is not null. */
    static String format(RunCommand.StatsFormat format, Accounting a, EngineDiagnostics engine, String origin,
            Startup startup) {
        return format == RunCommand.StatsFormat.JSON ? json(a, engine, origin, startup) : text(a, engine, origin, startup);
    }

    /**
     * What a run took before the guest started, in CPU milliseconds: {@code jvmMillis} the whole
     * process's before {@code main} (the JVM starting, on all its threads), -1 if {@code main} was
     * not entered through {@link Cella#main}; {@code cliMillis} the whole process's from there to
     * loading the module (the command line, picocli, and HotSpot compiling meanwhile);
     * {@code moduleMillis} the loading thread's for reading, translating (or reading the
     * translation cache) and verifying the module. The startup breakdown in docs/performance.md
     * reads these.
     */
    record Startup(long jvmMillis, long cliMillis, long moduleMillis, long loadStartNanos) {
        /** Process CPU nanoseconds when {@link Cella#main} was entered, -1 if it was not. */
        private static volatile long mainCpu = -1;

        /** Notes the process CPU at the start of {@code main}. */
        static void mainEntered() {
            mainCpu = processCpuNanos();
        }

        /** The startup so far, as a module starts loading. */
        static Startup loading() {
            long now = processCpuNanos();
            long main = mainCpu;
            return new Startup(main < 0 ? -1 : main / 1_000_000, main < 0 || now < 0 ? -1 : (now - main) / 1_000_000,
                    -1, dev.cella.vm.GuestCpu.now());
        }

        /** This startup with the module loaded. */
        Startup loaded() {
            return new Startup(jvmMillis, cliMillis, (dev.cella.vm.GuestCpu.now() - loadStartNanos) / 1_000_000, 0);
        }

        private static long processCpuNanos() {
            return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
        }
    }

    private static String text(Accounting a, EngineDiagnostics engine, String origin, Startup startup) {
        String text = a.toText().stripTrailing();
        if (origin != null) {
            text += String.format(java.util.Locale.ROOT, "%n%-15s %s", "module", origin);
        }
        if (startup != null) {
            text += String.format(java.util.Locale.ROOT, "%n%-15s JVM %d ms, command line %d ms, module %d ms (CPU)",
                    "startup", startup.jvmMillis(), startup.cliMillis(), startup.moduleMillis());
        }
        if (engine == null) {
            return text;
        }
        EngineDiagnostics.ClassCacheUse classes = engine.classCacheUse();
        if (classes != null) {
            text += String.format(java.util.Locale.ROOT, "%n%-15s %d functions from the class cache, %d generated",
                    "classes", classes.fromCache(), classes.generated());
        }
        EngineDiagnostics.CodeCost code = engine.codeCost();
        if (code != null) {
            text += String.format(java.util.Locale.ROOT,
                    "%n%-15s %d classes, %d KB: class cache %d ms, generating %d ms, defining %d ms (CPU)", "code",
                    code.classes(), code.bytes() / 1024, code.cacheNanos() / 1_000_000,
                    code.generateNanos() / 1_000_000, code.defineNanos() / 1_000_000);
        }
        return text + "\nfunctions (where each ran):\n" + engine.statsText().indent(2).stripTrailing();
    }

    /**
     * One JSON object: the accounting's fields in declaration order (times in nanoseconds,
     * outcome and quota as their enum names or null), then {@code functions}, an array with one
     * object per function that ran, when the engine reports them.
     */
    static String json(Accounting a, EngineDiagnostics engine, String origin) {
        return json(a, engine, origin, null);
    }

    /** As above, with a {@code startup} object ({@link Startup}'s fields) when {@code startup} is not null. */
    static String json(Accounting a, EngineDiagnostics engine, String origin, Startup startup) {
        JsonWriter w = new JsonWriter().beginObject();
        w.name("outcome").value(a.outcome() == null ? null : a.outcome().name());
        w.name("exitStatus").value(a.exitStatus());
        w.name("ending").value(a.ending());
        w.name("quota").value(a.quota() == null ? null : a.quota().name());
        w.name("fuelUsed").value(a.fuelUsed());
        w.name("peakMemoryBytes").value(a.peakMemoryBytes());
        w.name("stdinBytesRead").value(a.stdinBytesRead());
        w.name("stdoutBytesWritten").value(a.stdoutBytesWritten());
        w.name("stderrBytesWritten").value(a.stderrBytesWritten());
        w.name("fsBytesRead").value(a.fsBytesRead());
        w.name("fsBytesWritten").value(a.fsBytesWritten());
        w.name("filesOpened").value(a.filesOpened());
        w.name("filesCreated").value(a.filesCreated());
        w.name("memoryGrowsRefused").value(a.memoryGrowsRefused());
        w.name("wallNanos").value(a.wallNanos());
        w.name("cpuNanos").value(a.cpuNanos());
        if (origin != null) {
            w.name("module").value(origin);
        }
        if (startup != null) {
            w.name("startup").beginObject()
                    .name("jvmMillis").value(startup.jvmMillis())
                    .name("cliMillis").value(startup.cliMillis())
                    .name("moduleMillis").value(startup.moduleMillis())
                    .endObject();
        }
        EngineDiagnostics.ClassCacheUse classes = engine == null ? null : engine.classCacheUse();
        if (classes != null) {
            w.name("classCache").beginObject()
                    .name("fromCache").value(classes.fromCache())
                    .name("generated").value(classes.generated())
                    .endObject();
        }
        EngineDiagnostics.CodeCost code = engine == null ? null : engine.codeCost();
        if (code != null) {
            w.name("code").beginObject()
                    .name("classes").value(code.classes())
                    .name("bytes").value(code.bytes())
                    .name("cacheNanos").value(code.cacheNanos())
                    .name("generateNanos").value(code.generateNanos())
                    .name("defineNanos").value(code.defineNanos())
                    .endObject();
        }
        if (engine != null) {
            w.name("functions").beginArray();
            for (FunctionStat s : engine.functionStats()) {
                if (s.tier() != FunctionStat.Tier.NOT_RUN) {
                    w.beginObject()
                            .name("function").value(s.function())
                            .name("name").value(s.name())
                            .name("tier").value(s.tierName())
                            .name("regions").value(s.regions())
                            .name("interpretedEntries").value(s.interpretedCalls())
                            .name("detail").value(s.detail())
                            .endObject();
                }
            }
            w.endArray();
        }
        return w.endObject().toString();
    }
}
