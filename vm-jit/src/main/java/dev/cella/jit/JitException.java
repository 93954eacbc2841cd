package dev.cella.jit;

import dev.cella.isa.CellaException;

/**
 * The JIT could not compile a function: the JVM cannot hold the code it needs (for example one
 * instruction whose translation alone passes the JVM's 64 KiB method limit). Names the function.
 * Never thrown for a guest fault: those are {@link dev.cella.vm.Trap}s.
 */
public final class JitException extends CellaException {
    public JitException(String message) {
        super("jit: " + message);
    }

    public JitException(String message, Throwable cause) {
        super("jit: " + message, cause);
    }
}
