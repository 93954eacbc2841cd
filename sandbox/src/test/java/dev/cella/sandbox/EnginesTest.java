package dev.cella.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.isa.module.Module;
import dev.cella.jit.JitEngine;
import dev.cella.jit.TieredEngine;
import dev.cella.vm.interp.Interpreter;
import org.junit.jupiter.api.Test;

/** The one engine vocabulary ({@link EngineKind}) and the engine each kind makes ({@link Engines}). */
class EnginesTest {
    @Test
    void eachKindMakesItsEngine() {
        Module m = Guests.load("spin.casm");
        assertInstanceOf(Interpreter.class, Engines.create(m, EngineKind.INTERP));
        assertInstanceOf(JitEngine.class, Engines.create(m, EngineKind.JIT));
        assertInstanceOf(TieredEngine.class, Engines.create(m, EngineKind.AUTO));
    }

    @Test
    void kindsParseFromTheirCommandLineNamesInAnyCase() {
        for (EngineKind k : EngineKind.values()) {
            assertEquals(k, EngineKind.parse(k.text()));
            assertEquals(k, EngineKind.parse(k.text().toUpperCase(java.util.Locale.ROOT)));
        }
        assertEquals("interp", EngineKind.INTERP.text());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineKind.parse("fast"));
        assertTrue(e.getMessage().contains("'fast' is not an engine (expected interp, jit or auto)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EngineKind.parse(""));
    }
}
