package dev.cella.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cella.sandbox.Mount;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageSpecTest {
    private static ImageSpec parse(String yaml) {
        return ImageSpec.parse(YamlNode.parse("m.yaml", yaml, ImageException.Kind.SPEC));
    }

    private static String error(String yaml) {
        ImageException e = assertThrows(ImageException.class, () -> parse(yaml));
        assertEquals(ImageException.Kind.SPEC, e.kind());
        return e.getMessage();
    }

    @Test
    void readsEveryFieldOfAManifest() {
        ImageSpec s = parse("""
                args: [--data, /share/words]
                env: {LANG: C, EMPTY: ""}
                quotas:
                  fuel: 1000
                  memory: 2M
                  timeout: 3s
                  max-call-depth: 99
                  max-output: 1K
                  max-open-files: 7
                  disk-quota: 4K
                  max-files: 5
                mounts:
                  - path: /out
                    writable: true
                  - {path: /in}
                grants: {clock: true, random: true}
                net: {listen: [8080], connect: ["db.local:5432"]}
                networks: [backend]
                services: [queue]
                """);
        assertEquals(new ImageSpec(List.of("--data", "/share/words"), Map.of("LANG", "C", "EMPTY", ""),
                new ImageSpec.Quotas(1000L, 2L << 20, Duration.ofSeconds(3), 99, 1024L, 7, 4096L, 5),
                List.of(new ImageSpec.MountRequest("/out", true), new ImageSpec.MountRequest("/in", false)), true, true,
                new ImageSpec.NetRequests(List.of(8080), List.of("db.local:5432")), List.of("backend"), List.of("queue")), s);
    }

    @Test
    void theConfigsJsonReadsBackToTheSameSpec() {
        ImageSpec s = ImageTestData.spec();
        String json = new String(Json.bytes(s.toJson()), StandardCharsets.UTF_8);
        assertEquals(s, ImageSpec.parse(YamlNode.parse("config", json, ImageException.Kind.MALFORMED)));
        assertEquals(ImageSpec.EMPTY, parse(""));
    }

    @Test
    void errorsNameTheLineColumnAndField() {
        assertEquals("m.yaml:2:11: quotas.memory: '12 parsecs' is not a size (expected a byte count such as 4096, 512K, 64M or 1G)",
                error("quotas:\n  memory: 12 parsecs\n"));
        assertTrue(error("args: [a]\nnetwork: [x]\n").startsWith("m.yaml:2:10: network: unknown field"), error("args: [a]\nnetwork: [x]\n"));
        assertEquals("m.yaml:1:17: mounts[0].path: '../etc' is not an absolute guest path below / without '.' or '..'",
                error("mounts: [{path: ../etc}]"));
        assertEquals("m.yaml:1:7: args: expected a list, found 'hello'", error("args: hello"));
        assertEquals("m.yaml:1:30: net.connect[0]: 'db' is not HOST:PORT with a port from 1 to 65535",
                error("net: {listen: [1], connect: [db]}"));
        assertTrue(error("net: {listen: [0]}").startsWith("m.yaml:1:16: net.listen[0]: must be from 1 to 65535"),
                error("net: {listen: [0]}"));
        assertEquals("m.yaml:1:35: quotas.max-call-depth: must be from 1 to 4194304, not 0",
                error("quotas: {fuel: 1, max-call-depth: 0}"));
        assertTrue(error("args: [a\n").startsWith("m.yaml:2:1: not valid YAML"), error("args: [a\n"));
        assertTrue(error("env: {A: 1, A: 2}").contains("key 'A' appears twice"));
    }

    @Test
    void anImageIsRefusedWhatTheCommandLineDidNotGrant() {
        ImageSpec spec = parse("mounts: [{path: /out, writable: true}]\ngrants: {clock: true}\nnetworks: [net1]\nservices: [kv]\n"
                + "net: {listen: [80], connect: [db:5432]}");
        Mount rw = new Mount(Path.of("/tmp"), "/out", false);
        Mount ro = new Mount(Path.of("/tmp"), "/out", true);
        ImageGrants all = new ImageGrants(List.of(rw), true, false, Set.of(80), Set.of("db:5432"), Set.of("net1"), Set.of("kv"));
        all.check(spec, "img.tar"); // everything granted: no exception
        record Case(ImageGrants grants, String message) {}
        for (Case c : List.of(
                new Case(new ImageGrants(List.of(), true, false, Set.of(80), Set.of("db:5432"), Set.of("net1"), Set.of("kv")),
                        "a mount at /out (read-write), which was not granted; an image grants itself nothing: give --mount HOST:/out:rw"),
                new Case(new ImageGrants(List.of(ro), true, false, Set.of(80), Set.of("db:5432"), Set.of("net1"), Set.of("kv")), "mounted read-only"),
                new Case(new ImageGrants(List.of(rw), false, false, Set.of(80), Set.of("db:5432"), Set.of("net1"), Set.of("kv")), "the host clock"),
                new Case(new ImageGrants(List.of(rw), true, false, Set.of(80), Set.of("db:5432"), Set.of(), Set.of("kv")), "network 'net1'"),
                new Case(new ImageGrants(List.of(rw), true, false, Set.of(80), Set.of("db:5432"), Set.of("net1"), Set.of()), "service 'kv'"),
                new Case(new ImageGrants(List.of(rw), true, false, Set.of(81), Set.of("db:5432"), Set.of("net1"), Set.of("kv")),
                        "forwarding to guest port 80, which was not granted; an image grants itself nothing: give --listen 80 "
                                + "or --publish HOSTPORT:80"),
                new Case(new ImageGrants(List.of(rw), true, false, Set.of(80), Set.of("db:5433"), Set.of("net1"), Set.of("kv")),
                        "connections to host address db:5432, which was not granted; an image grants itself nothing: "
                                + "give --connect-allow db:5432"))) {
            ImageException e = assertThrows(ImageException.class, () -> c.grants().check(spec, "img.tar"));
            assertEquals(ImageException.Kind.NOT_GRANTED, e.kind());
            assertTrue(e.getMessage().startsWith("img.tar: the image asks for "), e.getMessage());
            assertTrue(e.getMessage().contains(c.message()), e.getMessage());
        }
    }
}
