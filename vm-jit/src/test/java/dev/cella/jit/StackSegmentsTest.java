package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.interp.Interpreter;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Hot calls never hop threads (see {@link StackSegments}): a program that makes many calls from
 * exactly the depth where the caller's first stack segment ends (the JIT used to hand each of
 * them to another thread and wait: thousands of times slower) runs with no segment hop at all,
 * and the hops that remain on virtual threads still give the interpreter's results.
 */
class StackSegmentsTest {
    private static final int CALLS = 5_000;

    /**
     * Descends to depth {@code n + 1}, then calls {@code leaf} {@code k} times from there; every
     * frame of {@code down} has 300 live i64 registers, so the first segment holds few frames.
     */
    private static String source() {
        StringBuilder regs = new StringBuilder("reg one: i32, m: i32, r: i32, s: i32");
        StringBuilder touch = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            regs.append(", x").append(i).append(": i64");
            touch.append("    i64.extend_i32_s x").append(i).append(", n\n");
        }
        return """
                func down(n: i32, k: i32) -> i32 {
                    %s
                %s    i32.const one, 1
                    i32.br_lt_s n, one, bottom
                    i32.sub m, n, one
                    call down, (m, k), (r)
                    ret r
                bottom:
                    i32.const s, 0
                each:
                    i32.br_lt_s k, one, done
                    call leaf, (k), (r)
                    i32.add s, s, r
                    i32.sub k, k, one
                    br each
                done:
                    ret s
                }
                func leaf(x: i32) -> i32 {
                    ret x
                }
                export func down "main"
                """.formatted(regs, touch);
    }

    private static final Module MODULE = new Differential.Program(source(), new long[0], Long.MAX_VALUE, 10_000, 1)
            .module();

    /** Calls from the last frame the caller's first segment holds: the depth where calls used to hop. */
    private static long hopsAtTheFirstSegmentsEnd(JitEngine engine, Thread.Builder thread) throws Exception {
        int depth = engine.firstSegmentFrames();
        Instance instance = new Instance(MODULE, ImportResolver.NONE, InstanceOptions.defaults());
        AtomicReference<long[]> result = new AtomicReference<>();
        Thread t = thread.start(() -> result.set(engine.invoke(instance, 0, depth - 1, CALLS)));
        t.join();
        assertEquals((long) CALLS * (CALLS + 1) / 2 & 0xFFFFFFFFL, result.get()[0] & 0xFFFFFFFFL);
        return engine.segmentHops();
    }

    @Test
    void callsFromTheFirstSegmentsLastFrameRunWithoutHoppingThreads() throws Exception {
        JitEngine engine = new JitEngine(MODULE);
        assertTrue(engine.firstSegmentFrames() < 100, "the frames are large enough for a short first segment");
        assertEquals(0, hopsAtTheFirstSegmentsEnd(engine, Thread.ofPlatform()));
        assertEquals(1, engine.entryHops(), "the run moved once, when it started, to a thread with a known stack");
    }

    @Test
    void shortRunsStopMovingAfterTheYoungRunsUntilTheGuestHops() throws Exception {
        JitEngine engine = new JitEngine(MODULE);
        Instance instance = new Instance(MODULE, ImportResolver.NONE, InstanceOptions.defaults());
        for (int i = 0; i < 100; i++) {
            assertEquals(1, engine.invoke(instance, 0, 0, 1)[0]);
        }
        assertEquals(StackSegments.YOUNG_RUNS, engine.entryHops(), "only the young runs moved");
        int depth = engine.firstSegmentFrames();
        Thread.ofVirtual().start(() -> engine.invoke(instance, 0, depth - 1, 1)).join();
        assertEquals(1, engine.segmentHops());
        engine.invoke(instance, 0, 0, 1);
        assertEquals(StackSegments.YOUNG_RUNS + 1, engine.entryHops(), "a guest that hopped moves again");
    }

    @Test
    void theTieredEngineRunsOnTheSameStack() throws Exception {
        TieredEngine tiered = new TieredEngine(MODULE, 1, 1);
        int depth = tiered.jit().firstSegmentFrames();
        Instance instance = new Instance(MODULE, ImportResolver.NONE, InstanceOptions.defaults());
        for (int i = 0; i < 3; i++) {
            tiered.invoke(instance, 0, depth - 1, CALLS);
        }
        assertEquals(0, tiered.jit().segmentHops());
    }

    @Test
    void onAVirtualThreadCallsPastTheFirstSegmentStillHopAndAgreeWithTheInterpreter() throws Exception {
        JitEngine engine = new JitEngine(MODULE);
        // Few calls: each one here hops, which is what the up-front move saves platform threads.
        int depth = engine.firstSegmentFrames();
        Instance instance = new Instance(MODULE, ImportResolver.NONE, InstanceOptions.defaults());
        AtomicReference<long[]> result = new AtomicReference<>();
        Thread.ofVirtual().start(() -> result.set(engine.invoke(instance, 0, depth - 1, 10))).join();
        assertEquals(10, engine.segmentHops());
        Instance reference = new Instance(MODULE, ImportResolver.NONE, InstanceOptions.defaults());
        assertEquals(new Interpreter(MODULE).invoke(reference, 0, depth - 1, 10)[0], result.get()[0]);
        assertEquals(reference.fuelUsed(), instance.fuelUsed());
    }
}
