package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cella.isa.module.FuncType;
import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.vm.Engine;
import dev.cella.vm.HostFunction;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.interp.Interpreter;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * An exception crossing from one instance to another through a host function keeps its tag
 * exactly when both instances share a tag namespace ({@link ImportResolver#tagNamespace()}),
 * and is foreign (tag -1) otherwise; the same on every engine, in the thrower and the catcher.
 */
class TagNamespaceTest {
    private static final String THROWER = """
            func thrower(x: i64) -> i64 {
                throw 5, (x)
            }
            export func thrower
            """;

    /** Calls the other instance's thrower through host import "other" "thrower" and returns tag * 1000 + payload. */
    private static final String CATCHER = """
            import other "other" "thrower" (i64) -> i64
            func main(x: i64) -> i64 {
                reg y: i64, tag: i32, p: i64, t: i64, k: i64
                call_catch pad, (tag, p), other, (x), (y)
                ret y
            pad:
                i64.extend_i32_s t, tag
                i64.const k, 1000
                i64.mul t, t, k
                i64.add t, t, p
                ret t
            }
            export func main
            """;

    private static final List<Function<Module, Engine>> ENGINES = List.of(Interpreter::new, JitEngine::new,
            TieredEngine::new);

    private static long run(Function<Module, Engine> engines, boolean shared) {
        Object namespace = new Object();
        Module a = Assembler.assemble(THROWER, "thrower.casm");
        Engine engineA = engines.apply(a);
        Instance instanceA = new Instance(a, resolver(null, shared ? namespace : null), InstanceOptions.defaults());
        HostFunction thrower = (caller, args) -> engineA.invoke(instanceA, 0, args.clone())[0];
        Module b = Assembler.assemble(CATCHER, "catcher.casm");
        Instance instanceB = new Instance(b, resolver(thrower, shared ? namespace : null), InstanceOptions.defaults());
        return engines.apply(b).invoke(instanceB, b.imports().size(), 7)[0];
    }

    private static ImportResolver resolver(HostFunction other, Object namespace) {
        return new ImportResolver() {
            @Override
            public HostFunction resolve(String module, String name, FuncType type) {
                return other;
            }

            @Override
            public Object tagNamespace() {
                return namespace;
            }
        };
    }

    @Test
    void anExceptionKeepsItsTagInAnInstanceOfTheSameNamespace() {
        for (Function<Module, Engine> engines : ENGINES) {
            assertEquals(5_007, run(engines, true));
        }
    }

    @Test
    void anExceptionFromAnotherNamespaceIsForeign() {
        for (Function<Module, Engine> engines : ENGINES) {
            assertEquals(-1_000 + 7, run(engines, false));
        }
    }
}
