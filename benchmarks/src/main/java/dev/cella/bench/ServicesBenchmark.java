package dev.cella.bench;

import dev.cella.isa.module.Module;
import dev.cella.isa.text.Assembler;
import dev.cella.isa.verify.Verifier;
import dev.cella.sandbox.Cell;
import dev.cella.sandbox.CellConfig;
import dev.cella.sandbox.CellImage;
import dev.cella.sandbox.EngineKind;
import dev.cella.sandbox.RunResult;
import dev.cella.services.CellServices;
import dev.cella.services.Grant;
import dev.cella.services.KvNamespace;
import dev.cella.services.Limits;
import dev.cella.services.Services;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The shared services' goals (issue 16, docs/services.md "Performance"):
 * <ul>
 *   <li>{@code kvFromGuest}: a guest's kv get or put on an in-memory namespace, one call per
 *       loop iteration of a guest that makes {@value #CALLS} of them (cell creation amortized);
 *       goal at most 2 us per call;</li>
 *   <li>{@code queueBetweenCells}: a producer cell sends {@value #MESSAGES} messages and a
 *       consumer cell, on its own thread, receives and acknowledges them; time per message
 *       (goal 1 us, i.e. 1,000,000 messages per second); {@code queueBetweenCellsBatched} the
 *       same with a consumer that receives and acknowledges up to 128 per call;</li>
 *   <li>{@code persistentPut} against {@code storeAlonePut}: a durable kv put through the
 *       services (Java API, no guest) against the same work done on H2's MVStore directly (one
 *       put and one commit); goal within 1.5x.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ServicesBenchmark {
    static final int CALLS = 10_000;
    static final int MESSAGES = 10_000;

    /** A guest that makes CALLS kv calls ({@code %s}: get or put) on namespace "bench", key "key". */
    private static final String KV_GUEST = """
            import kv_get "cella_kv" "get" (i32, i32, i32, i32, i32, i32, i32) -> i32
            import kv_put "cella_kv" "put" (i32, i32, i32, i32, i32, i32, i64) -> i32
            memory 1
            data 0 "bench"
            data 16 "key"
            data 32 "sixteen bytes..."
            export func main "_start"
            func main() {
                reg i: i32, n: i32, one: i32, ns: i32, nsl: i32, key: i32, kl: i32, buf: i32, cap: i32, lenp: i32, e: i32, ttl: i64
                i32.const i, 0
                i32.const n, %d
                i32.const one, 1
                i32.const ns, 0
                i32.const nsl, 5
                i32.const key, 16
                i32.const kl, 3
                i32.const buf, 32
                i32.const cap, 16
                i32.const lenp, 64
                i64.const ttl, 0
            loop:
                %s
                br_if e, fail
                i32.add i, i, one
                i32.br_lt_u i, n, loop
                ret
            fail:
                unreachable
            }
            """;

    private static final String PRODUCER = """
            import send "cella_queue" "send" (i32, i32, i32, i32) -> i32
            memory 1
            data 0 "q"
            data 32 "sixteen bytes..."
            export func main "_start"
            func main() {
                reg i: i32, n: i32, one: i32, ns: i32, nsl: i32, msg: i32, ml: i32, e: i32
                i32.const i, 0
                i32.const n, %d
                i32.const one, 1
                i32.const ns, 0
                i32.const nsl, 1
                i32.const msg, 32
                i32.const ml, 16
            loop:
                call send, (ns, nsl, msg, ml), (e)
                br_if e, fail
                i32.add i, i, one
                i32.br_lt_u i, n, loop
                ret
            fail:
                unreachable
            }
            """;

    private static final String CONSUMER = """
            import receive "cella_queue" "receive" (i32, i32, i32, i32, i32, i32, i32, i32, i64) -> i32
            import ack "cella_queue" "ack" (i32, i32, i32, i32, i64) -> i32
            memory 1
            data 0 "q"
            export func main "_start"
            func main() {
                reg i: i32, n: i32, one: i32, ns: i32, nsl: i32, sub: i32, zero: i32, buf: i32, cap: i32, lenp: i32, idp: i32, e: i32, wait: i64, id: i64
                i32.const i, 0
                i32.const n, %d
                i32.const one, 1
                i32.const ns, 0
                i32.const nsl, 1
                i32.const sub, 8
                i32.const zero, 0
                i32.const buf, 64
                i32.const cap, 64
                i32.const lenp, 16
                i32.const idp, 24
                i64.const wait, 10000
            loop:
                call receive, (ns, nsl, sub, zero, buf, cap, lenp, idp, wait), (e)
                br_if e, fail
                i64.load id, idp, 0
                call ack, (ns, nsl, sub, zero, id), (e)
                br_if e, fail
                i32.add i, i, one
                i32.br_lt_u i, n, loop
                ret
            fail:
                unreachable
            }
            """;

    @Param({"get", "put"})
    public String op;

    @Param({"JIT", "INTERP"})
    public EngineKind engine;

    /**
     * The consumer taking up to 128 messages per call (receive_many) and acknowledging them in one
     * call (ack_many). The producer's messages are all 16 bytes, so each record is 12 + 16 = 28
     * bytes and the ids sit 28 bytes apart.
     */
    private static final String BATCH_CONSUMER = """
            import receive_many "cella_queue" "receive_many" (i32, i32, i32, i32, i32, i32, i32, i32, i64) -> i32
            import ack_many "cella_queue" "ack_many" (i32, i32, i32, i32, i32, i32) -> i32
            memory 1
            data 0 "q"
            export func main "_start"
            func main() {
                reg got: i32, n: i32, one: i32, ns: i32, nsl: i32, sub: i32, zero: i32, buf: i32, cap: i32, cntp: i32, max: i32, ids: i32, k: i32, cnt: i32, rec: i32, dst: i32, eight: i32, rsz: i32, e: i32, wait: i64, id: i64
                i32.const got, 0
                i32.const n, %d
                i32.const one, 1
                i32.const ns, 0
                i32.const nsl, 1
                i32.const sub, 8
                i32.const zero, 0
                i32.const buf, 1024
                i32.const cap, 3584
                i32.const cntp, 16
                i32.const max, 128
                i32.const ids, 8192
                i32.const eight, 8
                i32.const rsz, 28
                i64.const wait, 10000
            loop:
                call receive_many, (ns, nsl, sub, zero, buf, cap, cntp, max, wait), (e)
                br_if e, fail
                i32.load cnt, cntp, 0
                i32.const k, 0
                i32.add rec, buf, zero
                i32.add dst, ids, zero
            copy:
                i64.load id, rec, 0
                i64.store dst, 0, id
                i32.add rec, rec, rsz
                i32.add dst, dst, eight
                i32.add k, k, one
                i32.br_lt_u k, cnt, copy
                call ack_many, (ns, nsl, sub, zero, ids, cnt), (e)
                br_if e, fail
                i32.add got, got, cnt
                i32.br_lt_u got, n, loop
                ret
            fail:
                unreachable
            }
            """;

    private Services memory;
    private CellImage kvImage;
    private CellConfig kvConfig;
    private CellImage producer;
    private CellImage consumer;
    private CellImage batchConsumer;
    private CellConfig queueConfig;

    private Path dir;
    private Services durable;
    private KvNamespace durableKv;
    private MVStore alone;
    private MVMap<String, byte[]> aloneMap;
    private long counter;
    private final byte[] value = new byte[16];

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        memory = Services.inMemory();
        memory.kv("bench").put("key".getBytes(), value);
        String call = op.equals("get") ? "call kv_get, (ns, nsl, key, kl, buf, cap, lenp), (e)"
                : "call kv_put, (ns, nsl, key, kl, buf, cap, ttl), (e)";
        kvImage = image(String.format(KV_GUEST, CALLS, call), "kv.casm");
        kvConfig = config(memory.forCell(List.of(Grant.parse("kv:bench:rw")), Limits.NONE));
        producer = image(String.format(PRODUCER, MESSAGES), "producer.casm");
        consumer = image(String.format(CONSUMER, MESSAGES), "consumer.casm");
        batchConsumer = image(String.format(BATCH_CONSUMER, MESSAGES), "batch-consumer.casm");
        queueConfig = config(memory.forCell(List.of(Grant.parse("queue:q:rw")), Limits.NONE));

        dir = Files.createTempDirectory("cella-services-bench");
        durable = Services.builder().dataDir(dir.resolve("services")).build();
        durableKv = durable.kv("bench");
        Files.createDirectories(dir.resolve("alone"));
        alone = new MVStore.Builder().autoCommitDisabled().fileName(dir.resolve("alone/store.mv.db").toString()).open();
        aloneMap = alone.openMap("kv/bench");
    }

    private CellImage image(String source, String name) {
        Module m = Assembler.assemble(source, name);
        Verifier.verify(m);
        return CellImage.prepare(m, engine);
    }

    private static CellConfig config(CellServices s) {
        return s.addTo(CellConfig.builder().stdout(OutputStream.nullOutputStream()).stderr(OutputStream.nullOutputStream()))
                .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        memory.close();
        durable.close();
        alone.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public RunResult kvFromGuest() {
        return check(Cell.create(kvImage, kvConfig).run());
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public RunResult queueBetweenCells() throws InterruptedException {
        return producerAndConsumer(consumer);
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public RunResult queueBetweenCellsBatched() throws InterruptedException {
        return producerAndConsumer(batchConsumer);
    }

    private RunResult producerAndConsumer(CellImage consumerImage) throws InterruptedException {
        RunResult[] consumed = new RunResult[1];
        Thread t = Thread.ofPlatform().start(() -> consumed[0] = check(Cell.create(consumerImage, queueConfig).run()));
        check(Cell.create(producer, queueConfig).run());
        t.join();
        return consumed[0];
    }

    @Benchmark
    public boolean persistentPut() {
        return durableKv.put(key(), value);
    }

    @Benchmark
    public long storeAlonePut() {
        byte[] stored = new byte[8 + value.length];
        System.arraycopy(value, 0, stored, 8, value.length);
        aloneMap.put(new String(key(), java.nio.charset.StandardCharsets.ISO_8859_1), stored);
        return alone.commit();
    }

    /** Keys cycle through 100,000 so the maps stay the same size as the run goes on. */
    private byte[] key() {
        return ("key" + (counter++ % 100_000)).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static RunResult check(RunResult r) {
        if (r.exitStatus() != 0 || r.error() != null) {
            throw new IllegalStateException("the guest failed: " + r);
        }
        return r;
    }
}
