package dev.cella.vm.conformance;

import dev.cella.vm.interp.Interpreter;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/** The conformance suite on the interpreter: every script of {@code /conformance/INDEX}. */
class ConformanceInterpreterTest {
    @TestFactory
    Stream<DynamicNode> interpreterPassesEveryConformanceScript() {
        return ConformanceSuite.tests(Interpreter::new);
    }
}
