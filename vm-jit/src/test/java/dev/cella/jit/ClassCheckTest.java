package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.conformance.ConformanceSuite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClassCheck} accepts every class the JIT generates (its list is complete: a class it
 * refused would be generated on every run). That it refuses forged classes is tested where
 * they are planted in a cache file, in {@link ClassCacheTest}.
 */
class ClassCheckTest {
    @TempDir
    Path dir;

    @Test
    void everyClassTheJitGeneratesForTheConformanceSuitePassesTheCheck() throws Throwable {
        ClassCache cache = new ClassCache(dir);
        // Both code shapes (for C1 alone and for C2: docs/engines.md, "Code shape for C1"), and by regions.
        for (JitEngine.Options o : List.of(JitEngine.Options.DEFAULT.withClientShapes(true),
                JitEngine.Options.DEFAULT.withClientShapes(false), JitEngine.Options.splitEverything())) {
            run(ConformanceSuite.tests(m -> new JitEngine(m, false, o, CodeBudget.JVM, cache)));
        }
        cache.flush();
        List<String> refused = new ArrayList<>();
        int checked = 0;
        int[] kinds = new int[4];
        try (Stream<Path> files = Files.list(dir.resolve("classes"))) {
            for (Path f : files.toList()) {
                for (Map.Entry<Long, ModuleClasses.Stored> e : ClassCache.read(f).entrySet()) {
                    long k = e.getKey();
                    int kind = (int) (k >>> 62);
                    String name = ModuleClasses.className(kind, (k >>> 61 & 1) != 0, (int) (k >>> 30 & 0x7FFFFFFF),
                            (int) (k & 0x3FFFFFFF));
                    String why = ClassCheck.refusal(e.getValue().bytes(), name);
                    if (why != null) {
                        refused.add(why);
                    }
                    kinds[kind]++;
                    checked++;
                }
            }
        }
        assertEquals(List.of(), refused.stream().distinct().limit(30).toList());
        assertTrue(checked > 500, "the suite compiled " + checked + " classes");
        assertTrue(kinds[ModuleClasses.ENTRY] > 0, "entry classes too: " + java.util.Arrays.toString(kinds));
        assertTrue(kinds[ModuleClasses.REGION] > 0, "lazily emitted regions too: " + java.util.Arrays.toString(kinds));
    }

    @Test
    void aClassNotNamedAsExpectedIsRefused() throws IOException {
        ClassCache cache = new ClassCache(dir);
        var module = ClassCacheTest.MODULE;
        JitEngine engine = new JitEngine(module, false, JitEngine.Options.DEFAULT, CodeBudget.JVM, cache);
        engine.invoke(new Instance(module, ImportResolver.NONE, InstanceOptions.defaults()), 0, 5);
        cache.flush();
        try (Stream<Path> files = Files.list(dir.resolve("classes"))) {
            Map<Long, ModuleClasses.Stored> stored = ClassCache.read(files.findFirst().orElseThrow());
            byte[] f2 = stored.get(ModuleClasses.key(ModuleClasses.FUNCTION, true, 2, 0)).bytes();
            assertNull(ClassCheck.refusal(f2, FunctionCompiler.className(2)));
            assertEquals("class " + FunctionCompiler.className(2), ClassCheck.refusal(f2, FunctionCompiler.className(3)),
                    "another function's class names a class that is not its own");
            assertTrue(ClassCheck.refusal(java.util.Arrays.copyOf(f2, f2.length - 1), FunctionCompiler.className(2))
                    .startsWith("malformed"));
        }
    }

    private static void run(Stream<? extends DynamicNode> nodes) throws Throwable {
        for (DynamicNode n : nodes.map(DynamicNode.class::cast).toList()) {
            if (n instanceof DynamicContainer c) {
                run(c.getChildren());
            } else {
                ((DynamicTest) n).getExecutable().execute();
            }
        }
    }
}
