package dev.cella.tools.wast;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.vm.HostFunction;
import dev.cella.vm.LinkException;
import java.util.List;
import java.util.Map;

/**
 * The {@code spectest} host module of the WebAssembly specification's scripts: print functions
 * that accept their arguments and do nothing, and the globals {@code global_i32}, {@code
 * global_i64} (666), {@code global_f32} and {@code global_f64} (666.6).
 */
final class SpecTestHost {
    private static final Map<String, FuncType> PRINTS = Map.of(
            "print", type(),
            "print_i32", type(ValType.I32),
            "print_i64", type(ValType.I64),
            "print_f32", type(ValType.F32),
            "print_f64", type(ValType.F64),
            "print_i32_f32", type(ValType.I32, ValType.F32),
            "print_f64_f64", type(ValType.F64, ValType.F64));

    private SpecTestHost() {}

    private static FuncType type(ValType... params) {
        return new FuncType(List.of(params), List.of());
    }

    /**
     * The print function {@code name}, or null if there is none.
     *
     * @throws LinkException if it exists with another type than {@code type}
     */
    static HostFunction function(String name, FuncType type) {
        FuncType actual = PRINTS.get(name);
        if (actual == null) {
            return null;
        }
        if (!actual.equals(type)) {
            throw new LinkException("incompatible import type: spectest." + name + " is " + actual + ", imported as "
                    + type);
        }
        return (instance, args) -> 0;
    }

    /** The raw bits of global {@code name} of type {@code type}, or null if there is no such global. */
    static Long global(String name, ValType type) {
        return switch (name) {
            case "global_i32" -> type == ValType.I32 ? 666L : null;
            case "global_i64" -> type == ValType.I64 ? 666L : null;
            case "global_f32" -> type == ValType.F32 ? Float.floatToRawIntBits(666.6f) & 0xFFFFFFFFL : null;
            case "global_f64" -> type == ValType.F64 ? Double.doubleToRawLongBits(666.6) : null;
            default -> null;
        };
    }
}
