package dev.cella.vm;

/**
 * A function of another instance of the same {@link Store}, which call_indirect found in a table
 * through a reference: it runs in its own instance (its memory, globals, tables and fuel) on that
 * instance's engine, as a host function that calls into that instance would. Both engines call it
 * the same way, so they agree on its results, traps and fuel.
 */
public record ForeignFunction(Instance instance, Engine engine, int function) {
    /**
     * Calls the function.
     *
     * @param args one value per parameter, as raw bits (copied: the caller may reuse the array)
     * @return one value per result, as raw bits
     */
    public long[] call(long[] args) {
        return engine.invoke(instance, function, args.clone());
    }
}
