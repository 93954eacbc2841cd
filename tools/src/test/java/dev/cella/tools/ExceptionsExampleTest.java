package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.cellaWithInput;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exception-handling examples (examples/exceptions) on every engine, their output compared
 * with the native builds': Lua 5.4.7 whose error handling (setjmp/longjmp) runs on Wasm exceptions,
 * and a C++ program with libc++ that throws and catches.
 */
class ExceptionsExampleTest {
    private static String expected(String name) throws IOException {
        return Files.readString(Path.of(example("exceptions/" + name)), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"interp", "jit", "auto"})
    void luaErrorsAndPcallBehaveAsNatively(String engine) throws IOException {
        byte[] script = Files.readAllBytes(Path.of(example("exceptions/lua/errors.lua")));
        CliRunner.Result r = cellaWithInput(script, "run", "--engine", engine, "--stdin", "-",
                example("exceptions/lua.wasm"), "-");
        assertEquals(0, r.code(), r::toString);
        assertEquals(expected("lua/errors.expected"), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"interp", "jit", "auto"})
    void anUncaughtLuaErrorEndsTheProgramAsNatively(String engine) {
        byte[] script = "print('before')\nerror('uncaught error')\n".getBytes(StandardCharsets.UTF_8);
        CliRunner.Result r = cellaWithInput(script, "run", "--engine", engine, "--stdin", "-",
                example("exceptions/lua.wasm"), "-");
        assertEquals(1, r.code(), r::toString);
        assertEquals("before\n", r.out());
        assertTrue(r.err().contains("stdin:2: uncaught error"), r::toString);
    }

    /**
     * C recursion to Lua's limit (200 nested C calls of a recursive string.gsub) ends in Lua's
     * "stack overflow" error as natively: the shadow stack holds that many levels. With wasm-ld's
     * default 64 KiB stack it overflowed into a trap (out of bounds memory access), which Lua's
     * own cstack.lua showed.
     */
    @ParameterizedTest
    @ValueSource(strings = {"interp", "jit", "auto"})
    void deepCRecursionEndsInLuasStackOverflowErrorAsNatively(String engine) throws IOException {
        String dir = Path.of(example("exceptions/lua/cstack.lua")).getParent().toString();
        CliRunner.Result r = cella("run", "--engine", engine, "--mount", dir + ":/",
                example("exceptions/lua.wasm"), "cstack.lua");
        assertEquals(0, r.code(), r::toString);
        assertEquals(expected("lua/cstack.expected"), r.out());
    }

    /**
     * Two files of Lua 5.4.7's own test suite (lua-tests/, from its testes/ folder), whose checks
     * lean on pcall and error, with the directory mounted as the guest's root so that they find
     * each other's files by relative names; on the tiered engine only, to keep the build short
     * (examples/exceptions/README.md lists the whole suite's results).
     */
    @ParameterizedTest
    @ValueSource(strings = {"goto", "vararg"})
    void luasOwnTestsPassAsNatively(String name) throws IOException {
        String dir = Path.of(example("exceptions/lua-tests/" + name + ".lua")).getParent().toString();
        CliRunner.Result r = cella("run", "--engine", "auto", "--mount", dir + ":/",
                example("exceptions/lua.wasm"), "-e", "_port=true", name + ".lua");
        assertEquals(0, r.code(), r::toString);
        assertEquals(expected("lua-tests/" + name + ".expected"), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"interp", "jit", "auto"})
    void cppExceptionsBehaveAsNatively(String engine) throws IOException {
        CliRunner.Result r = cella("run", "--engine", engine, example("exceptions/exceptions.wasm"));
        assertEquals(0, r.code(), r::toString);
        assertEquals(expected("exceptions.expected"), r.out());
    }

    /**
     * On the JIT, functions with catching calls (C++'s try blocks and cleanups, Lua's
     * luaD_rawrunprotected) are compiled like any other: none falls back to the interpreter
     * (they all did before the JIT compiled call_catch).
     */
    @ParameterizedTest
    @ValueSource(strings = {"exceptions.wasm", "lua.wasm"})
    void functionsThatCatchRunCompiledOnTheJit(String program) {
        byte[] script = "print(pcall(error, 'e'))\n".getBytes(StandardCharsets.UTF_8);
        CliRunner.Result r = cellaWithInput(script, "run", "--engine", "jit", "--stats",
                example("exceptions/" + program), "-");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains(": compiled"), r::toString);
        assertFalse(r.err().contains("fell back"), r::toString);
    }
}
