package dev.cella.wasm;

import java.util.ArrayList;
import java.util.List;

/**
 * The exception handler of one try or try_table (see {@link ExceptionTranslator}): its landing
 * pad, the registers an exception arrives in, and its catch clauses.
 *
 * <p>Every call in the covered code is a {@code call_catch} whose exception list is {@link #tag}
 * then {@link #payload}, and every throw (or rethrow) there writes the same registers and
 * branches to {@link #pad}. The pad, emitted after the function's body, compares the tag with
 * each clause's in order and goes to the first match; without a match the exception goes on to
 * {@link #outer} (its registers copied), or out of the function.
 */
final class ExceptionHandler {
    /**
     * One catch clause: Wasm tag {@code tag} (-1 for catch_all) goes to {@code entry}, a label
     * where the payload is converted to typed values (legacy catch: the catch body's start), or to
     * {@code target}'s label with the payload as branch values (try_table).
     */
    record Clause(int tag, int entry, TranslatorBase.Frame target) {}

    /** The landing pad's label. */
    final int pad;
    /** The i32 register receiving the tag. */
    final int tag;
    /** The i64 registers receiving the payload's bits (as many as the module's largest tag has values). */
    final int[] payload;
    /** Where an exception no clause matches goes; null: out of the function. */
    ExceptionHandler outer;
    final List<Clause> clauses = new ArrayList<>();
    /** True once code can reach the pad. */
    boolean used;
    /** True once the pad is emitted. */
    boolean emitted;

    ExceptionHandler(int pad, int tag, int[] payload, ExceptionHandler outer) {
        this.pad = pad;
        this.tag = tag;
        this.payload = payload;
        this.outer = outer;
    }

    /** True if a clause catches every exception, so none goes on to {@link #outer}. */
    boolean catchesAll() {
        return clauses.stream().anyMatch(c -> c.tag() < 0);
    }

    /** The exception list of a call_catch into this handler: the tag register, then the payload registers. */
    int[] exceptionList() {
        int[] list = new int[1 + payload.length];
        list[0] = tag;
        System.arraycopy(payload, 0, list, 1, payload.length);
        return list;
    }
}
