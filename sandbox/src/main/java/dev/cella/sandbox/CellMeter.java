package dev.cella.sandbox;

import dev.cella.sandbox.fs.FsMeter;
import dev.cella.sandbox.wasi.WasiLimits;
import dev.cella.vm.Memory;

/**
 * A cell's quota counters and checks for the filesystem, WASI and memory. Every check happens
 * before the resource is used, so a refused request has no effect; the refusal ends the run with
 * {@link QuotaExceeded} (memory excepted: a refused {@code memory.grow} returns -1 as the ISA
 * says, and is only counted).
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
            throw new QuotaExceeded(Quota.DISK, config.diskQuota(), saturatingAdd(diskUsed, bytes));
        }
        diskUsed += bytes;
    }

    @Override
    public void beforeCreate() {
        if (filesCreated >= config.maxFilesCreated()) {
            throw new QuotaExceeded(Quota.FILES_CREATED, config.maxFilesCreated(), filesCreated + 1);
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
            throw new QuotaExceeded(Quota.OPEN_FILES, config.maxOpenFiles(), openNow + 1L);
        }
    }

    @Override
    public void sleep(long nanos) {
        cell.sleep(nanos);
    }

    @Override
    public boolean allow(long oldBytes, long newBytes) {
        if (newBytes > config.memoryLimit()) {
            growsRefused++;
            return false;
        }
        return true;
    }

    private static long saturatingAdd(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }
}
