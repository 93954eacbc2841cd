package dev.cella.jit;

import org.objectweb.asm.ClassWriter;

/**
 * A class writer that computes stack map frames without loading any class. ASM asks for the
 * common superclass of two reference types when frames merge; in generated code that only happens
 * for types whose common superclass is {@code Object} (or the type itself), so answering without
 * class loading is exact and never touches guest classes.
 */
final class JitClassWriter extends ClassWriter {
    JitClassWriter() {
        super(COMPUTE_FRAMES);
    }

    @Override
    protected String getCommonSuperClass(String type1, String type2) {
        return type1.equals(type2) ? type1 : "java/lang/Object";
    }
}
