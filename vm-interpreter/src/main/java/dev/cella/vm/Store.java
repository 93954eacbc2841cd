package dev.cella.vm;

import dev.cella.isa.module.FuncType;
import java.util.ArrayList;
import java.util.List;

/**
 * Instances linked to one another, Wasm's store: a table or a global that one of them exports
 * and another imports holds function references of either, and call_indirect through it calls
 * the function in its own instance.
 *
 * <p>A funcref's raw bits name a function of the store (see {@link dev.cella.isa.ValType}): the
 * low 32 bits are its function index plus one, the bits above the number of its instance in the
 * store ({@link Instance#functionRef}). An instance outside any store, or the first of one, is
 * number 0, so its references are {@code f + 1} as everywhere else; that is what a cell's
 * instance always is.
 *
 * <p>Not thread-safe: the instances of a store run on one thread at a time, as one instance does.
 */
public final class Store {
    /** The most instances a store holds: numbers stay below 2^31, so references stay positive. */
    public static final int MAX_INSTANCES = Integer.MAX_VALUE;

    private record Member(Instance instance, Engine engine) {}

    private final List<Member> members = new ArrayList<>();

    /**
     * Adds {@code instance}, run by {@code engine}, as it is being instantiated (before its
     * segments are placed: a segment placed before a later one fails stays placed, and its
     * functions stay callable, as in Wasm).
     *
     * @return the instance's number in the store
     */
    int add(Instance instance, Engine engine) {
        if (members.size() == MAX_INSTANCES) {
            throw new LinkException("the store holds " + MAX_INSTANCES + " instances, its most");
        }
        members.add(new Member(instance, engine));
        return members.size() - 1;
    }

    /** The number of instances in the store. */
    public int size() {
        return members.size();
    }

    /**
     * The function {@code ref} names if it is of type {@code type} (Wasm's type equivalence:
     * the same parameter and result types), else null: a reference of no instance of this store
     * (from the host, say) matches no type.
     */
    ForeignFunction function(long ref, FuncType type) {
        long number = ref >>> 32;
        long function = (ref & 0xFFFFFFFFL) - 1;
        if (number >= members.size() || function < 0) {
            return null;
        }
        Member m = members.get((int) number);
        if (function >= m.instance().module().functionCount()
                || !m.instance().module().functionType((int) function).equals(type)) {
            return null;
        }
        return new ForeignFunction(m.instance(), m.engine(), (int) function);
    }
}
