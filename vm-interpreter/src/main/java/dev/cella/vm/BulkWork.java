package dev.cella.vm;

import dev.cella.isa.Opcode;
import java.util.Arrays;

/**
 * The one rule for instructions whose work grows with their operands ({@code memory.fill}, {@code
 * memory.copy}, and so Wasm's {@code memory.init}, {@code memory.grow}, and the table instructions
 * grow, fill, copy and init), which both engines
 * follow so that fuel stays exact across them (docs/engines.md, "Bulk work").
 *
 * <p>Charge: besides the instruction's own unit (part of its block's cost), a bulk instruction
 * charges {@link #units} of its byte count, one unit per {@link #BYTES_PER_UNIT} bytes, rounded
 * down. The order is fixed: bounds check (out-of-bounds trap, nothing charged), then the charge
 * (fuel-exhausted trap at the instruction if the fuel left, including any held back for a
 * suspension point, cannot pay it; nothing charged and nothing done), then the work. A charge
 * may pass a suspension's fuel point; the run then suspends at the next block, as it would after
 * any block that ends past the point.
 *
 * <p>Polls: the engines take the charge from their fuel window first and poll the interrupt hook
 * whenever the window cannot pay it, so a loop of small bulk instructions polls at least once
 * per 65,536 units like any other code; one instruction of more than {@link #CHUNK} bytes does
 * its work in chunks of that size and polls the hook before each, so a deadline, a kill or a
 * preemption takes effect within one chunk's time (about 0.1 ms) whatever the guest executes.
 */
public final class BulkWork {
    /** Bytes of bulk work per unit of fuel: about the time of one interpreted instruction. */
    public static final int BYTES_PER_UNIT = 64;
    /** The most bytes a bulk instruction moves between two polls of the interrupt hook (1 MiB). */
    public static final int CHUNK = 1 << 20;

    private BulkWork() {}

    /** True for the bulk instructions, the only ones that charge fuel inside a block. */
    public static boolean charges(Opcode op) {
        return switch (op) {
            case MEMORY_FILL, MEMORY_COPY, MEMORY_GROW, FUNCREF_TABLE_GROW, EXTERNREF_TABLE_GROW,
                    FUNCREF_TABLE_FILL, EXTERNREF_TABLE_FILL, TABLE_COPY, TABLE_INIT -> true;
            default -> false;
        };
    }

    /**
     * The fuel a bulk table instruction touching {@code elements} elements charges beyond its
     * own unit: the {@link #units} of their bytes in the host ({@link Instance#TABLE_ELEMENT_BYTES}
     * each). table.grow charges for the new size (the table is copied). A table is at most
     * {@code Verifier.MAX_TABLE_SIZE} elements (80 MB), so table instructions do their work in
     * one piece, without the polls of {@link #CHUNK}s.
     */
    public static long tableUnits(long elements) {
        return units(elements * Instance.TABLE_ELEMENT_BYTES);
    }

    /** The fuel a bulk instruction touching {@code bytes} bytes charges beyond its own unit. */
    public static long units(long bytes) {
        return bytes / BYTES_PER_UNIT;
    }

    /**
     * Charges a host function's bulk work: one that moved {@code bytes} bytes between guest
     * memory and the host (a large fd_read or fd_write, random_get) takes {@link #units} of them
     * from the instance's fuel, as much as is left; a guest left with none runs dry (fuel
     * exhausted) at its next block. The engines reload the fuel after every host call, so this is
     * exact on every engine; an unmetered instance is not charged.
     */
    public static void chargeHost(Instance instance, long bytes) {
        long units = units(bytes);
        if (units > 0 && instance.metered()) {
            instance.consumeFuelTo(Math.max(0, instance.fuelRemaining() - units));
        }
    }

    /**
     * The fuel {@code memory.grow} charges for a growth from {@code oldBytes} to {@code newBytes}:
     * the bytes it adds. Growing copies the old contents only when it passes the memory's capacity,
     * which then grows by half (see {@link Memory}), so the copies of a memory grown to {@code n}
     * bytes add up to less than {@code 3n}: their cost is part of each added byte's, and the charge
     * does not depend on the capacity (which a restored memory, say, does not share). A grow that
     * fails (past the maximum or refused by the quota) charges nothing.
     */
    public static long growUnits(long oldBytes, long newBytes) {
        return units(newBytes - oldBytes);
    }

    /**
     * Checks memory.fill's range: {@code n} bytes (unsigned) at {@code dst} (unsigned), against
     * the memory's {@code size} (not its array's length, see {@link Memory}).
     *
     * @throws TrapSignal out of bounds if the range leaves memory
     */
    public static void checkFill(int size, int dst, int n) {
        if ((dst & 0xFFFFFFFFL) > size - (n & 0xFFFFFFFFL)) {
            throw TrapSignal.OUT_OF_BOUNDS;
        }
    }

    /**
     * Checks memory.copy's ranges: {@code n} bytes (unsigned) at {@code dst} and at {@code src}.
     *
     * @throws TrapSignal out of bounds if either range leaves memory
     */
    public static void checkCopy(int size, int dst, int src, int n) {
        long limit = size - (n & 0xFFFFFFFFL);
        if ((dst & 0xFFFFFFFFL) > limit || (src & 0xFFFFFFFFL) > limit) {
            throw TrapSignal.OUT_OF_BOUNDS;
        }
    }

    /**
     * Sets {@code n} bytes at {@code dst} (checked with {@link #checkFill}) to {@code value}'s low
     * 8 bits, running {@code poll} before each chunk when there is more than one.
     */
    public static void fill(byte[] memory, int dst, int value, int n, Runnable poll) {
        if (n <= CHUNK && n >= 0) {
            Arrays.fill(memory, dst, dst + n, (byte) value);
            return;
        }
        for (int done = 0; done < n; done += CHUNK) {
            poll.run();
            Arrays.fill(memory, dst + done, dst + Math.min(n, done + CHUNK), (byte) value);
        }
    }

    /**
     * Copies {@code n} bytes from {@code src} to {@code dst} (checked with {@link #checkCopy};
     * the ranges may overlap), running {@code poll} before each chunk when there is more than one.
     * Chunks go in the direction that never reads a byte an earlier chunk wrote.
     */
    public static void copy(byte[] memory, int dst, int src, int n, Runnable poll) {
        if (n <= CHUNK && n >= 0) {
            System.arraycopy(memory, src, memory, dst, n);
            return;
        }
        if (dst <= src) {
            for (int done = 0; done < n; done += CHUNK) {
                poll.run();
                System.arraycopy(memory, src + done, memory, dst + done, Math.min(CHUNK, n - done));
            }
        } else {
            for (int left = n; left > 0; left -= CHUNK) {
                poll.run();
                int c = Math.min(CHUNK, left);
                System.arraycopy(memory, src + left - c, memory, dst + left - c, c);
            }
        }
    }
}
