package dev.cella.tools.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.services.Grant;
import dev.cella.services.Limits;
import dev.cella.services.ServiceKind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The service keys of batch files: {@code service=}, {@code service-quota=} and the {@code services} line. */
class BatchFileServicesTest {
    private static final Path FILE = Path.of("/tmp/dir/jobs.batch");

    @Test
    void grantsQuotasAndTheServicesLine() {
        BatchFile b = BatchFile.parse("""
                services data-dir=state limit=queue:jobs:messages=10 limit=kv:results:keys=5
                name=p binary=p.wasm service=queue:jobs:rw
                name=c binary=c.wasm service=queue:jobs service=kv:results:rw service-quota=ops=100
                name=plain binary=p.wasm
                """, FILE);
        assertEquals(Path.of("/tmp/dir/state"), b.services().dataDir());
        assertEquals(2, b.services().limits().size());
        assertEquals(ServiceKind.QUEUE, b.services().limits().get(0).kind());
        assertEquals(10, b.services().limits().get(0).limits().messages());
        assertEquals(List.of(Grant.parse("queue:jobs:rw")), b.guests().get(0).services().grants());
        assertEquals(List.of(Grant.parse("queue:jobs:ro"), Grant.parse("kv:results:rw")), b.guests().get(1).services().grants());
        assertEquals(Limits.NONE.withOpsPerSecond(100), b.guests().get(1).services().quota());
        assertTrue(b.guests().get(2).services().grants().isEmpty());
    }

    @Test
    void noServicesLineMeansMemory() {
        BatchFile b = BatchFile.parse("name=p binary=p.wasm service=kv:x\n", FILE);
        assertNull(b.services().dataDir());
        assertTrue(b.services().limits().isEmpty());
    }

    @Test
    void errorsNameTheLine() {
        for (String[] bad : new String[][] {
            {"name=p binary=p.wasm service=kv\n", "jobs.batch:1: 'kv' is not KIND:NAME"},
            {"name=p binary=p.wasm service=files:x\n", "is not a service"},
            {"name=p binary=p.wasm service-quota=ops=5\n", "service-quota needs a service"},
            {"name=p binary=p.wasm service=kv:x service-quota=keys=x\n", "not a count"},
            {"services limit=kv:x\nname=p binary=p.wasm\n", "jobs.batch:1: 'kv:x' is not KIND:NAME:LIMITS"},
            {"services size=1\nname=p binary=p.wasm\n", "unknown key 'size'"},
            {"services\nservices\nname=p binary=p.wasm\n", "jobs.batch:2: a second services line"},
        }) {
            BatchFileException e = assertThrows(BatchFileException.class, () -> BatchFile.parse(bad[0], FILE), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }
    }
}
