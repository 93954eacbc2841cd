package dev.cella.jit;

import java.util.List;
import java.util.stream.Collectors;

/** An engine that can tell where each function ran: what {@code --stats} shows. */
public interface EngineStats {
    /** One entry per function of the module, in function index order. */
    List<FunctionStat> functionStats();

    /** The stats as text, one function per line; functions never run are left out. */
    default String statsText() {
        return functionStats().stream()
                .filter(s -> s.tier() != FunctionStat.Tier.NOT_RUN)
                .map(FunctionStat::toText)
                .collect(Collectors.joining("\n"));
    }

    /** The stats as a JSON array of {@link FunctionStat#toJson} objects; functions never run are left out. */
    default String statsJson() {
        return functionStats().stream()
                .filter(s -> s.tier() != FunctionStat.Tier.NOT_RUN)
                .map(FunctionStat::toJson)
                .collect(Collectors.joining(",", "[", "]"));
    }
}
