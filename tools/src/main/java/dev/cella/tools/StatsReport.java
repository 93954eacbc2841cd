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
        return format == RunCommand.StatsFormat.JSON ? json(a, engine, origin) : text(a, engine, origin);
    }

    private static String text(Accounting a, EngineDiagnostics engine, String origin) {
        String text = a.toText().stripTrailing();
        if (origin != null) {
            text += String.format(java.util.Locale.ROOT, "%n%-15s %s", "module", origin);
        }
        if (engine == null) {
            return text;
        }
        EngineDiagnostics.ClassCacheUse classes = engine.classCacheUse();
        if (classes != null) {
            text += String.format(java.util.Locale.ROOT, "%n%-15s %d functions from the class cache, %d generated",
                    "classes", classes.fromCache(), classes.generated());
        }
        return text + "\nfunctions (where each ran):\n" + engine.statsText().indent(2).stripTrailing();
    }

    /**
     * One JSON object: the accounting's fields in declaration order (times in nanoseconds,
     * outcome and quota as their enum names or null), then {@code functions}, an array with one
     * object per function that ran, when the engine reports them.
     */
    static String json(Accounting a, EngineDiagnostics engine, String origin) {
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
        EngineDiagnostics.ClassCacheUse classes = engine == null ? null : engine.classCacheUse();
        if (classes != null) {
            w.name("classCache").beginObject()
                    .name("fromCache").value(classes.fromCache())
                    .name("generated").value(classes.generated())
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
