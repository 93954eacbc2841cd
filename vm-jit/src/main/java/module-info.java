/**
 * The JIT: guest functions compiled to JVM bytecode and defined as hidden classes in
 * {@code dev.cella.jit}, and the tiered engine. The only module that reads ASM. Like the
 * interpreter it is reached through the sandbox.
 */
module dev.cella.jit {
    requires transitive dev.cella.vm;
    requires org.objectweb.asm;
    requires org.objectweb.asm.util;

    exports dev.cella.jit to dev.cella.sandbox;
}
