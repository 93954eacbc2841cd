package dev.cella.tools;

import static dev.cella.tools.CliRunner.cella;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red team (issue 13, finding 1, through {@code cella batch}): two cells share a read-write mount;
 * one tries to plant a link leaving the mount and keeps renaming it over the directory the other
 * cell reads through. Creating the link is refused (ENOTCAPABLE, WASI errno 76), so the reader only
 * ever sees the mount's own file. The guests are the sandbox's test guests (race-reader.casm with
 * runtime.casm) and a swapper written here.
 */
class SharedMountSymlinkTest {
    /** WASI's ENOTCAPABLE: the sandbox refuses a link whose target leaves the mount. */
    private static final int NOTCAPABLE = 76;
    private static final Path GUESTS = Path.of(System.getProperty("cella.examples", "../examples"))
            .resolve("../sandbox/src/test/resources/guests");

    /** swap DIRFD TARGET ROUNDS: links evil -> TARGET, then ROUNDS times d -> d.old, evil -> d, d.old -> d. */
    private static final String SWAPPER = """
            ; uses runtime.casm
            import path_symlink "wasi_snapshot_preview1" "path_symlink" (i32, i32, i32, i32, i32) -> i32
            import path_rename "wasi_snapshot_preview1" "path_rename" (i32, i32, i32, i32, i32, i32) -> i32
            memory 1
            data 512 "evil"
            data 520 "d.old"
            data 528 "d"
            export func main "_start"

            ; Exits with the errno of the first path_symlink.
            func main() {
                reg argc: i32, one: i32, two: i32, three: i32, four: i32, five: i32, p: i32, dirfd: i32, target: i32, tlen: i32, rounds: i32, evil: i32, old: i32, d: i32, first: i32, errno: i32
                call load_args, (), (argc)
                i32.const one, 1
                i32.const two, 2
                i32.const three, 3
                i32.const four, 4
                i32.const five, 5
                call arg, (one), (p)
                call parse_u32, (p), (dirfd)
                call arg, (two), (target)
                call strlen, (target), (tlen)
                call arg, (three), (p)
                call parse_u32, (p), (rounds)
                i32.const evil, 512
                i32.const old, 520
                i32.const d, 528
                call path_symlink, (target, tlen, dirfd, evil, four), (first)
            again:
                br_unless rounds, done
                i32.sub rounds, rounds, one
                call path_symlink, (target, tlen, dirfd, evil, four), (errno)
                call path_rename, (dirfd, d, one, dirfd, old, five), (errno)
                call path_rename, (dirfd, evil, four, dirfd, d, one), (errno)
                call path_rename, (dirfd, old, five, dirfd, d, one), (errno)
                br again
            done:
                call proc_exit, (first)
                unreachable
            }
            """;

    @TempDir
    Path tmp;

    private Path guest(String name, String source) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, source + "\n" + Files.readString(GUESTS.resolve("runtime.casm")));
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"../outside", "/etc", "../../..", "d/../../outside", "ABSOLUTE"})
    void aLinkOutOfASharedMountIsRefusedAndTheOtherCellReadsOnlyTheMount(String target) throws IOException {
        Path shared = Files.createDirectories(tmp.resolve("shared/d/sub"));
        Files.writeString(shared.resolve("secret.txt"), "INSIDE\n");
        Path outside = Files.createDirectories(tmp.resolve("outside/sub"));
        Files.writeString(outside.resolve("secret.txt"), "OUTSIDE-SECRET\n");
        String linkTarget = target.equals("ABSOLUTE") ? tmp.resolve("outside").toString() : target;
        Path swapper = guest("swap.casm", SWAPPER);
        Path reader = guest("reader.casm", Files.readString(GUESTS.resolve("race-reader.casm")));
        Path batch = tmp.resolve("batch.txt");
        Files.writeString(batch, "scheduler threads=2 slice=2k\n"
                + "name=swap binary=" + swapper + " args=\"4 '" + linkTarget + "' 2000\" mount=shared:/s:rw fuel=50M timeout=20s\n"
                + "name=read binary=" + reader + " args=\"4 2000\" mount=shared:/s:rw fuel=50M timeout=20s"
                + " stdout=read.out\n");

        // Every race must be clean. At least one must also have let reads through, or the check
        // would be empty: on a loaded host the swapper's thread can be descheduled while d is
        // renamed away for the whole of the reader's run, so up to three races are run for that.
        long readsThrough = 0;
        for (int race = 0; race < 3 && readsThrough == 0; race++) {
            CliRunner.Result r = cella("batch", batch.toString());

            Matcher swap = row(r, "swap");
            assertTrue(swap.find(), r.toString());
            assertEquals(Integer.toString(NOTCAPABLE), swap.group(1), "the link's creation is refused: " + r);
            Matcher read = row(r, "read");
            assertTrue(read.find(), r.toString());
            assertEquals("0", read.group(1), "the reader never saw the outside file (status 1 if it did): " + r);
            readsThrough = Long.parseLong(Files.readString(tmp.resolve("read.out")).trim());
        }
        assertTrue(readsThrough > 0, "some reads got through in one of three races");
        assertFalse(Files.exists(tmp.resolve("shared/evil"), java.nio.file.LinkOption.NOFOLLOW_LINKS), "no link");
        assertEquals("INSIDE\n", Files.readString(tmp.resolve("shared/d/sub/secret.txt")), "d is back in place");
    }

    private static Matcher row(CliRunner.Result r, String name) {
        return Pattern.compile("(?m)^" + name + "\\s+exited\\s+(\\d+)\\s").matcher(r.out());
    }
}
