package dev.cella.vm.conformance;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.vm.HostFunction;
import dev.cella.vm.ImportResolver;
import java.util.List;
import java.util.Map;

/**
 * The host functions conformance scripts may import, all from module {@code "host"}:
 * <pre>
 *   add_i32 (i32, i32) -> i32     the wrapping sum
 *   id_i64  (i64) -> i64          its argument
 *   id_f32  (f32) -> f32          its argument, bit for bit (NaN payloads cross the boundary)
 *   id_f64  (f64) -> f64          its argument, bit for bit
 *   nop     () -> ()              nothing
 * </pre>
 * An import of any other name, or of one of these names with another signature, is missing, so
 * that instantiation fails with a {@code LinkException}.
 */
public final class ConformanceHost implements ImportResolver {
    /** The only module name this host serves. */
    public static final String MODULE = "host";

    private record Entry(FuncType type, HostFunction function) {}

    private static final Map<String, Entry> FUNCTIONS = Map.of(
            "add_i32", new Entry(type(List.of(ValType.I32, ValType.I32), List.of(ValType.I32)),
                    (instance, args) -> (int) (args[0] + args[1])),
            "id_i64", new Entry(type(List.of(ValType.I64), List.of(ValType.I64)), (instance, args) -> args[0]),
            "id_f32", new Entry(type(List.of(ValType.F32), List.of(ValType.F32)), (instance, args) -> args[0]),
            "id_f64", new Entry(type(List.of(ValType.F64), List.of(ValType.F64)), (instance, args) -> args[0]),
            "nop", new Entry(type(List.of(), List.of()), (instance, args) -> 0));

    private static FuncType type(List<ValType> params, List<ValType> results) {
        return new FuncType(params, results);
    }

    @Override
    public HostFunction resolve(String module, String name, FuncType type) {
        Entry e = MODULE.equals(module) ? FUNCTIONS.get(name) : null;
        return e != null && e.type().equals(type) ? e.function() : null;
    }
}
