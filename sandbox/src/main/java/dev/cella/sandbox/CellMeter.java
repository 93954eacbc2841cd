package dev.cella.sandbox;

import dev.cella.sandbox.fs.FsError;
import dev.cella.sandbox.fs.FsException;
import dev.cella.sandbox.fs.FsMeter;
import dev.cella.sandbox.wasi.WasiLimits;
import dev.cella.vm.Memory;

/**
 * A cell's quota counters and checks for the filesystem, WASI and memory. Every check happens
 * before the resource is used, so a refused request has no effect. What a POSIX program can cope
 * with is refused the way a POSIX system refuses it, and the guest goes on: the disk and
 * files-created quotas with EDQUOT, the open-files quota with EMFILE, memory with
 * {@code memory.grow} returning -1 (counted). Only output past its quota ends the run, with
 * {@link QuotaExceeded} (docs/sandbox.md, "Quotas", says why).
 */
final class CellMeter implements FsMeter, WasiLimits, Memory.GrowPolicy {
    private final CellConfig config;
    private final Cell cell;
    long diskUsed;
    long filesCreated;
    long fsRead;
    long growsRefused;

    CellMeter(CellConfig config, Cell cell) {
        this.config = config;
        this.cell = cell;
    }

    @Override
    public void beforeWrite(long bytes) {
        if (bytes > config.diskQuota() - diskUsed) {
            throw new FsException(FsError.DQUOT, "disk quota of " + config.diskQuota() + " bytes ("
                    + diskUsed + " used, " + bytes + " more asked)");
        }
        diskUsed += bytes;
    }

    @Override
    public void beforeCreate() {
        if (filesCreated >= config.maxFilesCreated()) {
            throw new FsException(FsError.DQUOT, "files-created quota of " + config.maxFilesCreated());
        }
        filesCreated++;
    }

    @Override
    public void afterRead(long bytes) {
        fsRead += bytes;
    }

    @Override
    public void beforeOutput(long totalSoFar, long bytes) {
        if (bytes > config.maxOutput() - totalSoFar) {
            throw new QuotaExceeded(Quota.OUTPUT, config.maxOutput(), saturatingAdd(totalSoFar, bytes));
        }
    }

    @Override
    public void beforeOpen(int openNow) {
        if (openNow >= config.maxOpenFiles()) {
            throw new FsException(FsError.MFILE, "open-files quota of " + config.maxOpenFiles());
        }
    }

    @Override
    public void sleep(long nanos) {
        cell.sleep(nanos);
    }

    @Override
    public void park(long nanos) {
        cell.park(nanos);
    }

    @Override
    public boolean allow(long oldBytes, long newBytes) {
        return reserve(oldBytes, newBytes, newBytes) >= 0;
    }

    /**
     * Grants up to the memory quota less the stack reserved from it ({@link Cell#memoryCap()}): a
     * capacity the memory would like past it is cut back to it.
     */
    @Override
    public long reserve(long oldBytes, long minBytes, long preferredBytes) {
        long cap = cell.memoryCap();
        if (minBytes > cap) {
            growsRefused++;
            return -1;
        }
        return Math.min(preferredBytes, cap);
    }

    private static long saturatingAdd(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }
}
