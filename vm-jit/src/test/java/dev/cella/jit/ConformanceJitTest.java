package dev.cella.jit;

import dev.cella.vm.conformance.ConformanceSuite;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/** The core conformance suite (scripts of vm-interpreter's tests) run on the JIT and on the tiered engine. */
class ConformanceJitTest {
    @TestFactory
    Stream<DynamicNode> conformanceScriptsPassOnTheJit() {
        return ConformanceSuite.tests(JitEngine::new);
    }

    @TestFactory
    Stream<DynamicNode> conformanceScriptsPassOnTheJitWithEveryFunctionSplitIntoRegions() {
        return ConformanceSuite.tests(m -> new JitEngine(m, false, JitEngine.Options.splitEverything()));
    }

    @TestFactory
    Stream<DynamicNode> conformanceScriptsPassOnTheJitWithTheCodeShapesForC1() {
        return ConformanceSuite.tests(m -> new JitEngine(m, false, JitEngine.Options.DEFAULT.withClientShapes(true)));
    }
}
