package dev.cella.jit;

import java.lang.constant.ConstantDescs;
import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Bootstrap methods for the invokedynamic call sites of compiled code. Each hidden class carries
 * its {@link JitEngine} as class data, so a call site finds the engine of its own module without
 * any global registry. Sites link once, on first execution, to a constant target: the callee's
 * compiled method (compiled at that moment if it was not yet) or its host adapter, so a linked
 * site is a direct call HotSpot can inline; under {@code auto}, a callee not yet hot links to
 * its function's {@link java.lang.invoke.MutableCallSite}, shared by all sites, whose target
 * turns from the interpreter to the compiled method once the callee is hot ({@link
 * TieredEngine#callSite}). The static arguments name the callee and the variant
 * (1 metered, 0 unmetered) of the calling code, which its callees share.
 */
final class JitLinker {
    private JitLinker() {}

    private static JitEngine engine(MethodHandles.Lookup caller) throws IllegalAccessException {
        return MethodHandles.classData(caller, ConstantDescs.DEFAULT_NAME, JitEngine.class);
    }

    /** Links a direct call to function {@code function}. */
    static CallSite linkCall(MethodHandles.Lookup caller, String name, MethodType type, int function, int metered)
            throws IllegalAccessException {
        return engine(caller).linkCall(metered != 0, function, type);
    }

    /**
     * Links the dispatcher's call of region {@code region} of function {@code function}, whose
     * class is generated now if it was not yet ({@link FunctionCompiler#compileRegion}).
     */
    static CallSite linkRegion(MethodHandles.Lookup caller, String name, MethodType type, int function, int metered,
            int region) throws IllegalAccessException {
        return new ConstantCallSite(engine(caller).regionMethod(metered != 0, function, region));
    }

    /**
     * Links the dispatcher's call of region {@code region} of the re-planned function {@code
     * function} ({@link HotRegions}), generated now if it was not yet.
     */
    static CallSite linkHotRegion(MethodHandles.Lookup caller, String name, MethodType type, int function,
            int metered, int region) throws IllegalAccessException {
        return new ConstantCallSite(engine(caller).hotRegions().region(metered != 0, function, region));
    }

    /** Links the tick of a profiled function's dispatcher ({@link HotRegions}): one mutable site per function and variant. */
    static CallSite linkProfile(MethodHandles.Lookup caller, String name, MethodType type, int function, int metered)
            throws IllegalAccessException {
        return engine(caller).hotRegions().site(metered != 0, function);
    }

    /** Links the stack-segment hop of a call to function {@code function} (see {@link StackSegments}). */
    static CallSite linkHop(MethodHandles.Lookup caller, String name, MethodType type, int function, int metered)
            throws IllegalAccessException {
        return new ConstantCallSite(engine(caller).hopHandle(metered != 0, function).asType(type));
    }
}
