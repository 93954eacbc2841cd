package dev.cella.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The rules of the module graph (STYLE.md, "The module graph is the architecture"), checked on
 * the modules as the JVM resolved them. The compiler enforces each module-info; this test keeps
 * the module-infos to the rules. It also proves the tests run on the module path: on the class
 * path no Cella module would be found.
 */
class ModuleGraphTest {
    /** Every Cella module the command line is built from, by name. */
    private static Map<String, ModuleDescriptor> cellaModules() {
        Map<String, ModuleDescriptor> modules = new TreeMap<>();
        for (Module m : ModuleLayer.boot().modules()) {
            if (m.getName().startsWith("dev.cella.")) {
                modules.put(m.getName(), m.getDescriptor());
            }
        }
        return modules;
    }

    /** What {@code descriptor} requires, java.base left out. */
    private static Set<String> requires(ModuleDescriptor descriptor) {
        return descriptor.requires().stream().map(ModuleDescriptor.Requires::name).filter(n -> !n.equals("java.base"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theTestsRunInTheToolsModuleWithEveryCellaModuleResolved() {
        assertEquals("dev.cella.tools", ModuleGraphTest.class.getModule().getName());
        assertEquals(Set.of("dev.cella.isa", "dev.cella.vm", "dev.cella.jit", "dev.cella.sandbox", "dev.cella.wasm",
                "dev.cella.services", "dev.cella.net", "dev.cella.images", "dev.cella.cluster", "dev.cella.tools"),
                cellaModules().keySet());
    }

    @Test
    void theNetworkIsBuiltOnTheSandboxWhichDoesNotKnowIt() {
        Map<String, ModuleDescriptor> modules = cellaModules();
        assertTrue(requires(modules.get("dev.cella.net")).contains("dev.cella.sandbox"));
        assertTrue(!requires(modules.get("dev.cella.sandbox")).contains("dev.cella.net"),
                "the sandbox must not import the network (it offers stream descriptors and CellExtension instead)");
    }

    @Test
    void theInstructionSetNeedsNothingAndTheImporterOnlyTheInstructionSet() {
        Map<String, ModuleDescriptor> modules = cellaModules();
        assertEquals(Set.of(), requires(modules.get("dev.cella.isa")));
        assertEquals(Set.of("dev.cella.isa"), requires(modules.get("dev.cella.wasm")));
    }

    @Test
    void onlyTheJitReadsAsmAndOnlyTheCommandLineReadsPicocli() {
        cellaModules().forEach((name, descriptor) -> {
            Set<String> libraries = requires(descriptor).stream()
                    .filter(n -> !n.startsWith("dev.cella.") && !n.startsWith("java."))
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> allowed = switch (name) {
                case "dev.cella.jit" -> Set.of("org.objectweb.asm", "org.objectweb.asm.util");
                case "dev.cella.tools" -> Set.of("info.picocli");
                case "dev.cella.services" -> Set.of("com.h2database");
                case "dev.cella.images" -> Set.of("org.snakeyaml.engine");
                case "dev.cella.cluster" -> Set.of("pekko.actor", "pekko.actor.typed", "pekko.cluster",
                        "pekko.cluster.typed", "typesafe.config");
                default -> Set.of();
            };
            assertEquals(allowed, libraries, name);
        });
    }

    @Test
    void theClusterIsBuiltOnTheSandboxAndOnlyTheCommandLineKnowsIt() {
        Map<String, ModuleDescriptor> modules = cellaModules();
        assertTrue(requires(modules.get("dev.cella.cluster")).contains("dev.cella.sandbox"));
        modules.forEach((name, descriptor) -> assertTrue(name.equals("dev.cella.tools")
                || !requires(descriptor).contains("dev.cella.cluster"), name + " must not depend on the cluster"));
    }

    @Test
    void theSandboxDoesNotKnowTheServicesWhichBuildOnIt() {
        Map<String, ModuleDescriptor> modules = cellaModules();
        assertTrue(!requires(modules.get("dev.cella.sandbox")).contains("dev.cella.services"));
        assertTrue(requires(modules.get("dev.cella.services")).contains("dev.cella.sandbox"));
    }

    @Test
    void imagesBuildOnTheSandboxAndOnlyTheCommandLineUsesThem() {
        Map<String, ModuleDescriptor> modules = cellaModules();
        assertTrue(requires(modules.get("dev.cella.images")).contains("dev.cella.sandbox"));
        modules.forEach((name, descriptor) -> assertTrue(name.equals("dev.cella.tools")
                || !requires(descriptor).contains("dev.cella.images"), name + " must not require dev.cella.images"));
    }

    @Test
    void internalPackagesAreExportedOnlyToTheModulesThatNeedThem() {
        Map<String, ModuleDescriptor> modules = cellaModules();
        for (String internal : new String[] {"dev.cella.isa.code", "dev.cella.isa.flow", "dev.cella.vm.interp",
                "dev.cella.jit"}) {
            ModuleDescriptor owner = modules.values().stream().filter(d -> d.packages().contains(internal)).findFirst()
                    .orElseThrow(() -> new AssertionError("no module holds " + internal));
            ModuleDescriptor.Exports exports = owner.exports().stream().filter(e -> e.source().equals(internal))
                    .findFirst().orElseThrow(() -> new AssertionError(internal + " is not exported at all"));
            assertTrue(exports.isQualified(), internal + " is exported to everyone");
        }
        ModuleDescriptor sandbox = modules.get("dev.cella.sandbox");
        assertTrue(sandbox.packages().contains("dev.cella.sandbox.wasi"));
        assertTrue(sandbox.exports().stream().noneMatch(e -> e.source().equals("dev.cella.sandbox.wasi")),
                "the WASI implementation is internal to the sandbox");
    }
}
