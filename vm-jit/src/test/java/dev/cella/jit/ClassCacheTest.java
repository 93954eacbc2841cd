package dev.cella.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.objectweb.asm.Opcodes.*;

import dev.cella.isa.module.Module;
import dev.cella.vm.Engine;
import dev.cella.vm.EngineDiagnostics.ClassCacheUse;
import dev.cella.vm.ImportResolver;
import dev.cella.vm.Instance;
import dev.cella.vm.InstanceOptions;
import dev.cella.vm.interp.Interpreter;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;

/**
 * The class cache ({@link ClassCache}): a later engine defines the classes an earlier one
 * generated, with the same results and fuel as the interpreter; and a cache file that is
 * damaged, cut short, another module's, or holds classes the JVM's verifier or the JIT rejects,
 * is a miss (the classes are generated again), never a failure or a wrong result.
 */
class ClassCacheTest {
    /** Forty functions with loops; main(n) calls them all, so large n runs out of fuel windows (entry methods). */
    static final Module MODULE =
            new Differential.Program(CodeBudgetTest.manyLargeFunctions(), new long[0], 0, 1, 1).module();
    private static final Module OTHER = new Differential.Program("""
            export func main "main"
            func main(n: i32) -> (i32) {
                reg a: i32
                i32.const a, 7
                i32.mul a, a, n
                ret a
            }
            """, new long[0], 0, 1, 1).module();

    @TempDir
    Path dir;

    private record Run(long result, long fuel) {}

    private static Run run(Module module, Engine engine, int n) {
        Instance instance = new Instance(module, ImportResolver.NONE, InstanceOptions.defaults().withFuel(Long.MAX_VALUE));
        long r = engine.invoke(instance, 0, n)[0];
        return new Run(r, instance.fuelUsed());
    }

    /** Runs main(n) on a fresh JIT engine over the cache, checks it against the interpreter, flushes; its cache use. */
    private ClassCacheUse runAndFlush(Module module, int n) {
        ClassCache cache = new ClassCache(dir);
        JitEngine engine = new JitEngine(module, false, JitEngine.Options.DEFAULT, CodeBudget.JVM, cache);
        assertEquals(run(module, new Interpreter(module), n), run(module, engine, n));
        cache.flush();
        return engine.classCacheUse();
    }

    private Path onlyFile() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("classes"))) {
            List<Path> files = s.toList();
            assertEquals(1, files.size(), files.toString());
            return files.get(0);
        }
    }

    @Test
    void aLaterEngineDefinesTheClassesAnEarlierOneGenerated() throws IOException {
        ClassCacheUse first = runAndFlush(MODULE, 3000);
        assertEquals(0, first.fromCache());
        assertEquals(41, first.generated());
        Map<Long, ModuleClasses.Stored> stored = ClassCache.read(onlyFile());
        assertTrue(stored.keySet().stream().anyMatch(k -> k >>> 62 == ModuleClasses.ENTRY),
                "the loops ran out of fuel windows, so entry methods were kept too");

        ClassCacheUse second = runAndFlush(MODULE, 3000);
        assertEquals(new ClassCacheUse(41, 0), second);
    }

    @Test
    void regionPlansComeBackWithTheirClasses() {
        ClassCache cache = new ClassCache(dir);
        JitEngine.Options regions = JitEngine.Options.splitEverything();
        Run expected = run(MODULE, new Interpreter(MODULE), 2000);
        JitEngine first = new JitEngine(MODULE, false, regions, CodeBudget.JVM, cache);
        assertEquals(expected, run(MODULE, first, 2000));
        cache.flush();
        JitEngine second = new JitEngine(MODULE, false, regions, CodeBudget.JVM, new ClassCache(dir));
        assertEquals(expected, run(MODULE, second, 2000));
        assertEquals(new ClassCacheUse(41, 0), second.classCacheUse());
        assertTrue(second.regionContinuable(true, 1));
        assertArrayEquals(first.codeSizes(1), second.codeSizes(1));
    }

    @Test
    void classesShapedForC2AreNotLoadedForC1NorTheReverse() {
        JitEngine.Options server = JitEngine.Options.DEFAULT.withClientShapes(false);
        JitEngine.Options client = JitEngine.Options.DEFAULT.withClientShapes(true);
        Run expected = run(MODULE, new Interpreter(MODULE), 2000);
        ClassCache cache = new ClassCache(dir);
        assertEquals(expected, run(MODULE, new JitEngine(MODULE, false, server, CodeBudget.JVM, cache), 2000));
        cache.flush();
        JitEngine forC1 = new JitEngine(MODULE, false, client, CodeBudget.JVM, new ClassCache(dir));
        assertEquals(expected, run(MODULE, forC1, 2000));
        assertEquals(new ClassCacheUse(0, 41), forC1.classCacheUse(), "C2's classes are not C1's");
        JitEngine forC2 = new JitEngine(MODULE, false, server, CodeBudget.JVM, new ClassCache(dir));
        assertEquals(expected, run(MODULE, forC2, 2000));
        assertEquals(new ClassCacheUse(41, 0), forC2.classCacheUse(), "C2's own are still there");
    }

    @Test
    void aFileWithAFlippedByteIsAMissAndIsRewritten() throws IOException {
        runAndFlush(MODULE, 50);
        Path file = onlyFile();
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(file, bytes);
        assertEquals(new ClassCacheUse(0, 41), runAndFlush(MODULE, 50));
        assertEquals(new ClassCacheUse(41, 0), runAndFlush(MODULE, 50), "the flush wrote a good file again");
    }

    @Test
    void aTruncatedFileIsAMiss() throws IOException {
        runAndFlush(MODULE, 50);
        Path file = onlyFile();
        byte[] bytes = Files.readAllBytes(file);
        for (int length : new int[] {bytes.length - 1, bytes.length / 3, 20, 0}) {
            Files.write(file, java.util.Arrays.copyOf(bytes, length));
            assertEquals(new ClassCacheUse(0, 41), runAndFlush(MODULE, 50));
        }
    }

    @Test
    void anotherModulesFileIsAMiss() throws IOException {
        runAndFlush(OTHER, 6);
        Path other = onlyFile();
        runAndFlush(MODULE, 50);
        Path file;
        try (Stream<Path> s = Files.list(dir.resolve("classes"))) {
            file = s.filter(p -> !p.equals(other)).findFirst().orElseThrow();
        }
        Files.copy(other, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(new ClassCacheUse(0, 41), runAndFlush(MODULE, 50));
    }

    /** A file whose checksum is right (as someone who can write the directory could make) but whose class is forged. */
    private void forge(int function, byte[] classBytes) throws IOException {
        Path file = onlyFile();
        Map<Long, ModuleClasses.Stored> entries = ClassCache.read(file);
        long key = ModuleClasses.key(ModuleClasses.FUNCTION, true, function, 0);
        ModuleClasses.Stored s = entries.get(key);
        assertNotNull(s);
        entries.put(key, new ModuleClasses.Stored(classBytes, s.codeSizes(), s.exits(), s.starts()));
        assertTrue(new ClassCache(dir).write(file, entries));
    }

    @Test
    void aStoredClassTheVerifierRejectsIsGeneratedAgain() throws IOException {
        runAndFlush(MODULE, 50);
        // Guest$f1 with f1 adding two ints it never pushed: well formed, but it does not verify.
        ClassWriter cw = new ClassWriter(0);
        cw.visit(V21, ACC_FINAL | ACC_SUPER | ACC_SYNTHETIC, FunctionCompiler.className(1), null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(ACC_STATIC, "f1", "(Ldev/cella/jit/JitContext;JII)I", null, null);
        mv.visitCode();
        mv.visitInsn(IADD);
        mv.visitInsn(IRETURN);
        mv.visitMaxs(2, 5);
        mv.visitEnd();
        cw.visitEnd();
        byte[] bad = cw.toByteArray();
        assertThrows(VerifyError.class, () -> MethodHandles.lookup().defineHiddenClass(bad, true),
                "the JVM verifies hidden classes");
        forge(1, bad);
        assertEquals(new ClassCacheUse(40, 1), runAndFlush(MODULE, 50));
        assertEquals(new ClassCacheUse(41, 0), runAndFlush(MODULE, 50));
    }

    @Test
    void aStoredClassOfAnotherFunctionIsGeneratedAgain() throws IOException {
        runAndFlush(MODULE, 50);
        Map<Long, ModuleClasses.Stored> entries = ClassCache.read(onlyFile());
        forge(1, entries.get(ModuleClasses.key(ModuleClasses.FUNCTION, true, 2, 0)).bytes());
        assertEquals(new ClassCacheUse(40, 1), runAndFlush(MODULE, 50));
    }

    @Test
    void storedRegionStartsThatDoNotFitAreAMiss() throws IOException {
        runAndFlush(MODULE, 50);
        Map<Long, ModuleClasses.Stored> entries = ClassCache.read(onlyFile());
        long key = ModuleClasses.key(ModuleClasses.FUNCTION, true, 1, 0);
        ModuleClasses.Stored s = entries.get(key);
        entries.put(key, new ModuleClasses.Stored(s.bytes(), s.codeSizes(), s.exits(), new int[] {0, 5, 3}));
        assertTrue(new ClassCache(dir).write(onlyFile(), entries));
        assertEquals(new ClassCacheUse(40, 1), runAndFlush(MODULE, 50));
    }

    @Test
    void theDirectoryStaysWithinItsLimitDroppingTheLeastRecentlyUsed() throws IOException {
        runAndFlush(MODULE, 50);
        Path large = onlyFile();
        long size = Files.size(large);
        Files.setLastModifiedTime(large, java.nio.file.attribute.FileTime.fromMillis(1_000));
        ClassCache small = new ClassCache(dir, size); // room for the large file or the small one, not both
        JitEngine engine = new JitEngine(OTHER, false, JitEngine.Options.DEFAULT, CodeBudget.JVM, small);
        run(OTHER, engine, 6);
        small.flush();
        try (Stream<Path> s = Files.list(dir.resolve("classes"))) {
            List<Path> left = s.toList();
            assertEquals(1, left.size());
            assertFalse(left.contains(large), "the older file went");
        }
        ClassCache none = new ClassCache(dir, 100); // a module's file larger than the limit is not written
        JitEngine e2 = new JitEngine(MODULE, false, JitEngine.Options.DEFAULT, CodeBudget.JVM, none);
        run(MODULE, e2, 5);
        none.flush();
        assertFalse(Files.exists(large));
        try (Stream<Path> s = Files.list(dir.resolve("classes"))) {
            assertEquals(0, s.filter(p -> !p.toString().endsWith(".classes")).count(), "no temporary file left");
        }
    }

    @Test
    void theTieredEngineDefinesTheStoredClassesOfWhatTurnsHot() {
        Run expected = run(MODULE, new Interpreter(MODULE), 100);
        ClassCache cache = new ClassCache(dir);
        TieredEngine first = new TieredEngine(MODULE, 1, 1, false, JitEngine.Options.DEFAULT, cache);
        assertEquals(expected, run(MODULE, first, 100));
        assertEquals(new ClassCacheUse(0, 41), first.classCacheUse());
        cache.flush();
        TieredEngine second = new TieredEngine(MODULE, 1, 1, false, JitEngine.Options.DEFAULT, new ClassCache(dir));
        assertEquals(expected, run(MODULE, second, 100));
        assertEquals(new ClassCacheUse(41, 0), second.classCacheUse());
        assertTrue(second.runsCompiled(0));
    }

    /**
     * Function 1's stored class rewritten (checksum made right again, as whoever can write the
     * directory can) with {@code prologue} run at the start of its method, and, if {@code
     * extra}, one more method: a class that verifies and would be used as it is.
     */
    private void plant(Consumer<MethodVisitor> prologue, Consumer<ClassVisitor> extra) throws Exception {
        runAndFlush(MODULE, 50);
        byte[] real = ClassCache.read(onlyFile()).get(ModuleClasses.key(ModuleClasses.FUNCTION, true, 1, 0)).bytes();
        ClassReader reader = new ClassReader(real);
        ClassWriter cw = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(ASM9, cw) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, desc, sig, exceptions);
                return !name.equals("f1") ? mv : new MethodVisitor(ASM9, mv) {
                    @Override
                    public void visitCode() {
                        super.visitCode();
                        prologue.accept(mv);
                    }
                };
            }

            @Override
            public void visitEnd() {
                extra.accept(cv);
                super.visitEnd();
            }
        }, 0);
        byte[] forged = cw.toByteArray();
        MethodHandles.lookup().defineHiddenClassWithClassData(forged, new Object(), false); // the JVM would take it
        forge(1, forged);
    }

    /** The planted class is refused: generated again (results and fuel the interpreter's), and the file repaired. */
    private void assertRefused() {
        assertEquals(new ClassCacheUse(40, 1), runAndFlush(MODULE, 50));
        assertEquals(new ClassCacheUse(41, 0), runAndFlush(MODULE, 50), "the refused class was replaced");
    }

    private static final Consumer<ClassVisitor> NOTHING = cv -> {};

    @Test
    void aStoredClassCallingRuntimeExecIsRefused() throws Exception {
        plant(mv -> {
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Runtime", "getRuntime", "()Ljava/lang/Runtime;", false);
            mv.visitLdcInsn("true");
            mv.visitMethodInsn(INVOKEVIRTUAL, "java/lang/Runtime", "exec", "(Ljava/lang/String;)Ljava/lang/Process;",
                    false);
            mv.visitInsn(POP);
        }, NOTHING);
        assertRefused();
    }

    @Test
    void aStoredClassCallingAMemberOfAnAllowedJdkClassOutsideTheListIsRefused() throws Exception {
        String property = "cella.test.planted";
        plant(mv -> {
            mv.visitLdcInsn(property);
            mv.visitLdcInsn("yes");
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/System", "setProperty",
                    "(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;", false);
            mv.visitInsn(POP);
        }, NOTHING);
        assertRefused();
        assertNull(System.getProperty(property), "the planted code never ran");
    }

    @Test
    void aStoredClassUsingReflectionIsRefused() throws Exception {
        plant(mv -> {
            mv.visitLdcInsn("java.lang.Runtime");
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Class", "forName", "(Ljava/lang/String;)Ljava/lang/Class;",
                    false);
            mv.visitInsn(POP);
        }, NOTHING);
        assertRefused();
    }

    /** Adds a static method {@code name} of type {@code desc} that only returns. */
    private static Consumer<ClassVisitor> method(String name, String desc) {
        return cv -> {
            MethodVisitor m = cv.visitMethod(ACC_STATIC, name, desc, null, null);
            m.visitCode();
            m.visitInsn(RETURN);
            m.visitMaxs(0, 1);
            m.visitEnd();
        };
    }

    @Test
    void aStoredClassNamingAnUnexpectedClassOnlyInADescriptorIsRefused() throws Exception {
        plant(mv -> {}, method("r9", "(Ljava/lang/Runtime;)V"));
        assertRefused();
    }

    @Test
    void aStoredClassWithAnUnexpectedMethodIsRefused() throws Exception {
        plant(mv -> {}, method("<clinit>", "()V"));
        assertRefused();
    }

    /** Sets {@code p}'s mode, as {@code chmod} would. */
    private static void chmod(Path p, String mode) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    }

    @Test
    void theDirectoriesAreCreatedPrivateAndTheFilesToo() throws IOException {
        runAndFlush(MODULE, 50);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("classes"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(onlyFile())));
    }

    @Test
    void aDirectoryWritableByGroupOrOthersIsNotUsed() throws IOException {
        runAndFlush(MODULE, 50);
        Path classes = dir.resolve("classes");
        Path file = onlyFile();
        FileTime written = Files.getLastModifiedTime(file);
        for (Path p : List.of(classes, dir)) {
            String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
            for (String loose : List.of("rwxrwx---", "rwx---rwx")) {
                chmod(p, loose);
                ClassCache cache = new ClassCache(dir);
                java.io.PrintStream err = System.err;
                var said = new java.io.ByteArrayOutputStream();
                System.setErr(new java.io.PrintStream(said, true));
                try {
                    assertTrue(cache.distrust().contains(p + " is writable by group or others"), cache.distrust());
                    cache.distrust();
                } finally {
                    System.setErr(err);
                }
                assertEquals("cella: class cache not used: " + cache.distrust() + System.lineSeparator(),
                        said.toString(), "said once, on stderr");
                JitEngine engine = new JitEngine(MODULE, false, JitEngine.Options.DEFAULT, CodeBudget.JVM, cache);
                assertEquals(run(MODULE, new Interpreter(MODULE), 50), run(MODULE, engine, 50));
                cache.flush();
                assertNull(engine.classCacheUse(), "no class read or kept");
                assertEquals(written, Files.getLastModifiedTime(file), "nor written");
            }
            chmod(p, mode);
        }
        assertEquals(new ClassCacheUse(41, 0), runAndFlush(MODULE, 50), "used again once private");
    }

    @Test
    void aFileWritableByGroupOrOthersIsAMissAndIsReplacedByAPrivateOne() throws IOException {
        runAndFlush(MODULE, 50);
        chmod(onlyFile(), "rw-rw-rw-");
        assertEquals(new ClassCacheUse(0, 41), runAndFlush(MODULE, 50));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(onlyFile())));
        assertEquals(new ClassCacheUse(41, 0), runAndFlush(MODULE, 50));
    }
}
