package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static dev.cella.tools.CliRunner.example;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A fast subset of upstream projects' own test suites in cells (examples/upstream-tests; run.sh
 * there runs the whole suites): QuickJS's tests through its own qjs with quickjs-libc, and Lua
 * 5.4.7's tests that lean on the host (files, paths, locale), with the patches that run.sh applies.
 * Each file runs as run.sh runs it: the test folder, copied, mounted read-write as the cell's root
 * with an empty tmp/ for /tmp, stdin empty; a file passes when it exits 0.
 */
class UpstreamTestsExampleTest {
    @TempDir
    Path tmp;

    /** A writable copy of examples/upstream-tests/subset/SUITE with an empty tmp/, as a mount. */
    private String copy(String suite) throws IOException {
        Path from = Path.of(example("upstream-tests/subset/" + suite + "/LICENSE")).getParent();
        Path to = Files.createDirectory(tmp.resolve(suite));
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        Files.createDirectory(to.resolve("tmp"));
        return to + ":/:rw";
    }

    /**
     * test_std.js checks the host: files through std and os, tmpfile, isatty on an empty stdin
     * (no terminal), utimes read back by stat, symlinks, getcwd against realpath; it failed on
     * the virtual epoch that stat reported for times the guest had set.
     */
    @ParameterizedTest
    @CsvSource({"test_std.js, interp", "test_std.js, jit", "test_closure.js, interp"})
    void quickjsOwnTestsPass(String file, String engine) throws IOException {
        CliRunner.Result r = cella("run", "--engine", engine, "--mount", copy("quickjs"),
                example("upstream-tests/qjs.wasm"), file);
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err(), r::toString);
    }

    /**
     * files.lua (io and os on files, io.lines, seek, buffering, dates) with run.sh's os.tmpname
     * and io.tmpfile; attrib.lua (require and package.searchpath over long paths, with the
     * patch for wasi-libc's empty path).
     */
    @ParameterizedTest
    @CsvSource({"files.lua, interp", "attrib.lua, interp"})
    void luasOwnTestsPass(String file, String engine) throws IOException {
        CliRunner.Result r = cella("run", "--engine", engine, "--mount", copy("lua"), "--env", "PATH=/bin",
                example("exceptions/lua.wasm"), "-e", "_port=true", "-l", "tmpfiles", file);
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err(), r::toString);
    }
}
