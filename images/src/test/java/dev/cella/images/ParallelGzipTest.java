package dev.cella.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class ParallelGzipTest {
    private static byte[] text(int size, long seed) {
        String[] words = "the cell image layer digest fuel quota mount guest host a of and to in".split(" ");
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < size) {
            sb.append(words[r.nextInt(words.length)]).append(r.nextInt(9) == 0 ? "\n" : " ");
        }
        return sb.substring(0, size).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    @Test
    void anyGunzipReadsBackTheBytesAtEverySizeAroundTheChunkBoundaries() throws IOException {
        Random r = new Random(5);
        for (int size : new int[] {0, 1, 100, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (7 << 19) + 13}) {
            byte[] random = new byte[size];
            r.nextBytes(random);
            assertArrayEquals(random, gunzip(ParallelGzip.gzip(random)), "random " + size);
            byte[] text = text(size, size);
            assertArrayEquals(text, gunzip(ParallelGzip.gzip(text)), "text " + size);
        }
    }

    @Test
    void theSameBytesGiveTheSameOutputAndStayWithinAPercentOfOneSerialStream() throws IOException {
        byte[] text = text(5 << 20, 1);
        byte[] first = ParallelGzip.gzip(text);
        assertArrayEquals(first, ParallelGzip.gzip(text));
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(serial)) {
            gz.write(text);
        }
        assertTrue(first.length <= serial.size() * 1.01, first.length + " vs " + serial.size());
    }
}
