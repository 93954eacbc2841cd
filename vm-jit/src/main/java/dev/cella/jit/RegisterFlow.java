package dev.cella.jit;

import java.util.List;

/**
 * Two data-flow facts about a function's registers that let the compiler leave work out without
 * changing anything observable, each its own analysis over the function's basic blocks:
 * <ul>
 *   <li>{@link NanFlow}: where float results are canonicalized (at a bit-sensitive use instead of
 *       at every arithmetic instruction), and what a suspension must canonicalize on the way out;
 *   <li>{@link ConstantFlow}: which registers hold a known constant at each block leader, so that
 *       entry methods materialize them as constants.
 * </ul>
 * This class holds both for the compiler ({@link JitEngine#flow}); each analysis gives up safely
 * (canonicalize everything, know no constants) for a function so large that its bit sets would
 * pass {@link #MAX_BITS}.
 */
final class RegisterFlow {
    /** Most bits (blocks times tracked registers) an analysis may use. */
    static final long MAX_BITS = 1L << 25;

    private final NanFlow nans;
    private final ConstantFlow constants;

    private RegisterFlow(NanFlow nans, ConstantFlow constants) {
        this.nans = nans;
        this.constants = constants;
    }

    static RegisterFlow analyze(FunctionCode code) {
        return new RegisterFlow(NanFlow.analyze(code), ConstantFlow.analyze(code));
    }

    /** See {@link NanFlow#suspendedRegisters}. */
    long[] suspendedRegisters(int i, long[] registers) {
        return nans.suspendedRegisters(i, registers);
    }

    /** See {@link NanFlow#canonical}. */
    boolean canonical(int i) {
        return nans.canonical(i);
    }

    /** See {@link NanFlow#canonicalAtUse}. */
    boolean canonicalAtUse(int i) {
        return nans.canonicalAtUse(i);
    }

    /** See {@link ConstantFlow#constantsAt}. */
    List<long[]> constantsAt(int leader) {
        return constants.constantsAt(leader);
    }
}
