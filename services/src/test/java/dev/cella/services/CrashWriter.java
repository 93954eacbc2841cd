package dev.cella.services;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child process of {@link CrashTest}: writes to a persistent {@link Services} as fast as it
 * can and prints {@code ack N} once write N has returned (a kv put, a queue send and a committed
 * database transaction). Beside each it leaves a transaction open and uncommitted, as a guest
 * that crashes mid-transaction would. It runs until it is killed.
 */
public final class CrashWriter {
    private CrashWriter() {}

    public static void main(String[] args) {
        Services s = Services.builder().dataDir(Path.of(args[0])).build();
        KvNamespace kv = s.kv("crash");
        QueueNamespace q = s.queue("crash");
        DbNamespace db = s.db("crash");
        for (long i = 1; ; i++) {
            byte[] n = Long.toString(i).getBytes(StandardCharsets.US_ASCII);
            kv.put(("k" + i).getBytes(StandardCharsets.US_ASCII), n);
            q.send(n, null);
            DbTransaction ghost = db.begin();
            ghost.put("t", ("ghost" + i).getBytes(StandardCharsets.US_ASCII), n);
            DbTransaction tx = db.begin();
            tx.put("t", ("row" + i).getBytes(StandardCharsets.US_ASCII), n);
            tx.put("t", "last".getBytes(StandardCharsets.US_ASCII), n);
            tx.commit();
            System.out.println("ack " + i);
            System.out.flush();
        }
    }
}
