package dev.cella.vm.interp;

import dev.cella.vm.Instance;
import dev.cella.vm.Invocation;
import dev.cella.vm.SuspendRequest;

/**
 * Lets a faster tier take over from the interpreter (see docs/engines.md, "Auto"): the
 * interpreter asks before each guest call whether to run the callee there instead, and each time
 * a frame uses up a fuel window (about every 65,536 units, at a block leader whose block is not
 * charged yet) whether to continue that frame there: on-stack replacement.
 *
 * <p>Contract for {@link #call} and {@link #resume}: the instance's fuel is current when they
 * are called and must be when they return or throw; {@code window} holds on entry the fuel the
 * interpreter would let run before its next poll of the interrupt hook (its credit), and on
 * return what is left of it, so the interrupt hook is polled at the same fuel points as if the
 * interpreter had run everything. They behave exactly as the interpreter would: same results,
 * traps, fuel and polls, the same suspension (whose frames start at the frame handed over; the
 * interpreter adds the frames below).
 *
 * <p>The decisions ({@link #compileCall}, {@link #compileFrame}) may depend on anything, timing
 * included: they change speed, never behaviour.
 */
public interface TierHook {
    /** Asked before an interpreted guest call of defined function {@code function}: true to run it there. */
    boolean compileCall(int function);

    /** Asked when a frame of {@code function} used up a fuel window: true to continue it there. */
    boolean compileFrame(int function);

    /**
     * Runs defined function {@code function} as a callee at depth {@code depth} (its own) with
     * {@code registersBelow} registers held by the frames below it.
     *
     * @param args raw bits in register form
     * @param window in: the caller's credit; out: what is left of it
     * @return the results (register form), or the state it stopped at (frames from the callee on)
     */
    Invocation call(Instance instance, int function, long[] args, int depth, int registersBelow, long[] window,
            SuspendRequest request);

    /**
     * Continues the frame of defined function {@code function} at byte pc {@code pc}, a block
     * leader whose block is not charged, with {@code registers}, at depth {@code depth} with
     * {@code registersBelow} registers held by the frames below it.
     *
     * @param window in: the credit the interpreter would take at this block before charging it; out:
     *     what is left of it
     * @return the frame's results, or the state it stopped at (frames from this one on)
     */
    Invocation resume(Instance instance, int function, int pc, long[] registers, int depth, int registersBelow,
            long[] window, SuspendRequest request);
}
