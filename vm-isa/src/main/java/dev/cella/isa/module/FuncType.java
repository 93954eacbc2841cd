package dev.cella.isa.module;

import dev.cella.isa.ValType;
import java.util.List;
import java.util.stream.Collectors;

/** A function signature. The verifier rejects a module that lists the same signature twice. */
public record FuncType(List<ValType> params, List<ValType> results) {
    public FuncType {
        params = List.copyOf(params);
        results = List.copyOf(results);
    }

    /** Text form, as in assembly: {@code (i32, i64) -> (f64)}. */
    @Override
    public String toString() {
        return "(" + params.stream().map(ValType::toString).collect(Collectors.joining(", ")) + ") -> ("
                + results.stream().map(ValType::toString).collect(Collectors.joining(", ")) + ")";
    }
}
