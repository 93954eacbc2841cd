package dev.cella.sandbox.sched;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import java.time.Duration;

/** Guest programs for the scheduler tests, in Cella assembly, and helpers around them. */
final class SchedGuests {
    private SchedGuests() {}

    /** Generous bound for waits, so that a broken scheduler fails a test instead of hanging it. */
    static final Duration LONG = Duration.ofSeconds(120);

    /** Loops forever: 2 units of fuel per iteration. */
    static final Module SPIN = assemble("""
            export func main "_start"
            func main() {
                reg i: i32, one: i32
                i32.const one, 1
            loop:
                i32.add i, i, one
                br loop
            }
            """, "spin.casm");

    /** Calls sched_yield in an endless loop: a host call every 4 units of fuel. */
    static final Module HOST_CALLER = assemble("""
            import sched_yield "wasi_snapshot_preview1" "sched_yield" () -> i32
            export func main "_start"
            func main() {
                reg errno: i32
            loop:
                call sched_yield, (), (errno)
                br loop
            }
            """, "caller.casm");

    /** Counts to {@code n} (2 units of fuel per step), then exits with status 0. */
    static Module work(int n) {
        return assemble("""
                export func main "_start"
                func main() {
                    reg i: i32, one: i32, n: i32
                    i32.const one, 1
                    i32.const n, %d
                loop:
                    i32.add i, i, one
                    i32.br_lt_s i, n, loop
                    ret
                }
                """.formatted(n), "work.casm");
    }

    /**
     * Grows its memory one page at a time until a grow fails, then counts to {@code spin} and
     * exits with its memory size in pages as the status.
     */
    static Module grower(int spin) {
        return assemble("""
                import proc_exit "wasi_snapshot_preview1" "proc_exit" (i32) -> ()
                memory 1
                export func main "_start"
                func main() {
                    reg one: i32, old: i32, none: i32, k: i32, spin: i32, pages: i32
                    i32.const one, 1
                    i32.const none, -1
                grow:
                    memory.grow old, one
                    i32.br_ne old, none, grow
                    i32.const spin, %d
                busy:
                    i32.add k, k, one
                    i32.br_lt_s k, spin, busy
                    memory.size pages
                    call proc_exit, (pages)
                    unreachable
                }
                """.formatted(spin), "grower.casm");
    }

    /**
     * Creates out.txt in its first preopened directory and writes {@code n} records of 8 bytes
     * ("rec0000\n", "rec0001\n", ...) to it, one fd_write each, counting to {@code spin} between
     * two records. Global 0 counts the fd_write calls that returned. Exits with the errno if a
     * call fails.
     */
    static Module writer(int n, int spin) {
        return assemble("""
                import path_open "wasi_snapshot_preview1" "path_open" (i32, i32, i32, i32, i32, i64, i64, i32, i32) -> i32
                import fd_write "wasi_snapshot_preview1" "fd_write" (i32, i32, i32, i32) -> i32
                import proc_exit "wasi_snapshot_preview1" "proc_exit" (i32) -> ()
                memory 1
                global written: i32 mut = 0
                data 64 "out.txt"
                data 128 "rec0000\\n"
                export func main "_start"
                func main() {
                    reg dir: i32, zero: i32, path: i32, plen: i32, oflags: i32, rights: i64, fdp: i32, errno: i32
                    reg fd: i32, i: i32, n: i32, one: i32, ten: i32, ascii0: i32, rec: i32, iov: i32, nw: i32
                    reg len: i32, p: i32, d: i32, k: i32, digit: i32, spin: i32, cnt: i32
                    i32.const dir, 3
                    i32.const zero, 0
                    i32.const path, 64
                    i32.const plen, 7
                    i32.const oflags, 9
                    i64.const rights, -1
                    i32.const fdp, 16
                    call path_open, (dir, zero, path, plen, oflags, rights, rights, zero, fdp), (errno)
                    br_if errno, fail
                    i32.load fd, fdp
                    i32.const n, %d
                    i32.const spin, %d
                    i32.const one, 1
                    i32.const ten, 10
                    i32.const ascii0, 48
                    i32.const rec, 128
                    i32.const iov, 0
                    i32.const nw, 8
                    i32.const len, 8
                next:
                    i32.br_ge_s i, n, done
                    i32.mov d, i
                    i32.const p, 135
                    i32.const k, 4
                digits:
                    i32.sub p, p, one
                    i32.rem_u digit, d, ten
                    i32.add digit, digit, ascii0
                    i32.store8 p, 0, digit
                    i32.div_u d, d, ten
                    i32.sub k, k, one
                    br_if k, digits
                    i32.store iov, 0, rec
                    i32.store iov, 4, len
                    call fd_write, (fd, iov, one, nw), (errno)
                    br_if errno, fail
                    i32.global_get cnt, written
                    i32.add cnt, cnt, one
                    i32.global_set written, cnt
                    i32.const k, 0
                busy:
                    i32.add k, k, one
                    i32.br_lt_s k, spin, busy
                    i32.add i, i, one
                    br next
                done:
                    ret
                fail:
                    call proc_exit, (errno)
                    unreachable
                }
                """.formatted(n, spin), "writer.casm");
    }

    /** The content {@link #writer} writes for records {@code 0 .. count-1}. */
    static String records(int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append(String.format("rec%04d\n", i));
        }
        return sb.toString();
    }

    static Module assemble(String source, String name) {
        Module m = Assembler.assemble(source, name);
        Verifier.verify(m);
        return m;
    }

    static Cell cell(Module module) {
        return Cell.create(module, CellConfig.builder().build());
    }

    static Cell cell(Module module, CellConfig config) {
        return Cell.create(module, config);
    }

    /** A scheduler with one thread, starting paused so that all cells can be spawned first. */
    static Scheduler.Builder deterministic(long sliceFuel) {
        return Scheduler.builder().threads(1).sliceFuel(sliceFuel).paused(true);
    }
}
