package dev.cella.isa.module;

import dev.cella.isa.ValType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A function signature: the types of the values a call passes ({@code params}) and returns
 * ({@code results}), and which of them pair up as v128 values ({@code vectors}). The verifier
 * rejects a module that lists the same signature twice, so type indices are canonical.
 *
 * <p>A v128 parameter or result travels as two i64 values, low half first (ISA: v128 is never a
 * register type), so in a Cella module's signatures {@code params} and {@code results} hold only
 * register types and {@code vectors} lists, in increasing order, the position of the first i64 of
 * each pair that is a v128, counting the parameters and then the results ({@code
 * params().size() + i} for result {@code i}). It is part of the signature's identity: a function
 * of {@code (v128)} and one of {@code (i64, i64)} have different types, as in WebAssembly, so
 * call_indirect and the link checks, which compare types, tell them apart. The text and binary
 * formats write the {@link #declaredParams declared} form, with {@code v128} for each pair.
 *
 * <p>The WebAssembly importer also uses this record for Wasm's own signatures, where a {@code
 * v128} is one entry of {@code params} or {@code results} and {@code vectors} is empty; the
 * verifier rejects such a signature in a Cella module ({@link #declared} converts it).
 */
public record FuncType(List<ValType> params, List<ValType> results, List<Integer> vectors) {
    /** @throws IllegalArgumentException if {@code vectors} does not name disjoint i64 pairs, each within one list, in order */
    public FuncType {
        params = List.copyOf(params);
        results = List.copyOf(results);
        vectors = List.copyOf(vectors);
        int previous = -2;
        for (int p : vectors) {
            int n = params.size();
            boolean fits = p >= previous + 2 && p >= 0 && (p + 1 < n || p >= n && p + 1 < n + results.size());
            if (!fits || typeAt(params, results, p) != ValType.I64 || typeAt(params, results, p + 1) != ValType.I64) {
                throw new IllegalArgumentException("v128 position " + p + " of " + vectors + " does not start a pair"
                        + " of i64 values of its own in " + params + " -> " + results);
            }
            previous = p;
        }
    }

    /** A signature without v128 values. */
    public FuncType(List<ValType> params, List<ValType> results) {
        this(params, results, List.of());
    }

    /**
     * The Cella signature of a declared one, in which {@code v128} may stand for a parameter or
     * result: each becomes a pair of i64 values listed in {@link #vectors}.
     */
    public static FuncType declared(List<ValType> params, List<ValType> results) {
        List<Integer> vectors = new ArrayList<>();
        List<ValType> p = paired(params, 0, vectors);
        List<ValType> r = paired(results, p.size(), vectors);
        return new FuncType(p, r, vectors);
    }

    private static List<ValType> paired(List<ValType> types, int base, List<Integer> vectors) {
        if (!types.contains(ValType.V128)) {
            return types;
        }
        List<ValType> out = new ArrayList<>();
        for (ValType t : types) {
            if (t == ValType.V128) {
                vectors.add(base + out.size());
                out.add(ValType.I64);
            }
            out.add(t == ValType.V128 ? ValType.I64 : t);
        }
        return out;
    }

    /** The parameters as declared: each v128 pair of {@link #params} as one {@code v128}. */
    public List<ValType> declaredParams() {
        return unpaired(params, 0);
    }

    /** The results as declared: each v128 pair of {@link #results} as one {@code v128}. */
    public List<ValType> declaredResults() {
        return unpaired(results, params.size());
    }

    /** True if the value at {@code position} (parameters, then results) starts a v128 pair. */
    public boolean isVectorAt(int position) {
        return vectors.contains(position);
    }

    private List<ValType> unpaired(List<ValType> types, int base) {
        if (vectors.isEmpty()) {
            return types;
        }
        List<ValType> out = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            boolean vector = isVectorAt(base + i);
            out.add(vector ? ValType.V128 : types.get(i));
            if (vector) {
                i++;
            }
        }
        return List.copyOf(out);
    }

    private static ValType typeAt(List<ValType> params, List<ValType> results, int position) {
        return position < params.size() ? params.get(position) : results.get(position - params.size());
    }

    /** Text form, as in assembly: {@code (i32, v128) -> (f64)}, each v128 pair as {@code v128}. */
    @Override
    public String toString() {
        return "(" + declaredParams().stream().map(ValType::toString).collect(Collectors.joining(", ")) + ") -> ("
                + declaredResults().stream().map(ValType::toString).collect(Collectors.joining(", ")) + ")";
    }
}
