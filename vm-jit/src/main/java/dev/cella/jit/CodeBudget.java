package dev.cella.jit;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bound on the host memory the JIT's generated code takes, one per JVM (issue 13, finding 3:
 * compiled code was charged to nobody).
 *
 * <p>Compiled code belongs to a module, not to a cell: a {@link JitEngine} compiles each function
 * once per variant and every cell of the module shares it ({@code CellImage}), so it cannot be
 * charged to one cell's memory quota. It is bounded instead by this JVM-wide budget, in
 * <em>charged bytes</em>: each generated class costs {@link #FACTOR} times its class file's size,
 * a fixed multiple that stands for the class's metadata and the machine code HotSpot compiles
 * from it. What the JIT may not generate once the budget is spent:
 *
 * <ul>
 *   <li>a function's class: the function runs in the interpreter instead, as a function the JIT
 *       cannot compile does ({@link CodeCache}, "fell back");
 *   <li>an entry method (a function continuing at a block leader after its fuel window ran out):
 *       the rest of that frame runs in the interpreter ({@link JitRuntime#resume}).
 * </ul>
 *
 * The small adapters that hand a call to the interpreter or to a host function, and the region
 * entry methods of on-stack replacement, are charged but never refused (they are bounded by the
 * module's functions and leaders, and a run cannot go on without them), so the budget can be
 * passed by those. A module's charge is given back when its engine is collected (its hidden
 * classes are then unloaded with it).
 *
 * <p>The limit is the system property {@code cella.jit.codeBudget} in bytes (default {@link
 * #DEFAULT_LIMIT}); docs/sandbox.md, "Host memory a guest can make the host allocate".
 * Thread-safe.
 */
final class CodeBudget {
    /** Charged bytes per byte of class file: the file, its metadata and HotSpot's compiled code. */
    static final int FACTOR = 4;
    /** The default JVM-wide limit: 256 MiB charged, 64 MiB of class files. */
    static final long DEFAULT_LIMIT = 256L << 20;
    /** The budget every engine draws on unless given another (tests). */
    static final CodeBudget JVM = new CodeBudget(Long.getLong("cella.jit.codeBudget", DEFAULT_LIMIT));

    private static final Cleaner CLEANER = Cleaner.create();

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    /** A budget of {@code limit} charged bytes. */
    CodeBudget(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("negative code budget " + limit);
        }
        this.limit = limit;
    }

    /** The limit in charged bytes. */
    long limit() {
        return limit;
    }

    /** Charged bytes taken now by every engine drawing on this budget. */
    long used() {
        return used.get();
    }

    /**
     * One module's account: what its engine took, given back when {@code owner} (the engine's
     * code cache) becomes unreachable.
     */
    Account open(Object owner) {
        Account a = new Account(this);
        CLEANER.register(owner, a::close);
        return a;
    }

    /** What one module's code took from a {@link CodeBudget}. */
    static final class Account {
        private final CodeBudget budget;
        private final AtomicLong taken = new AtomicLong();

        private Account(CodeBudget budget) {
            this.budget = budget;
        }

        /**
         * Charges a class of {@code classBytes} bytes: always if {@code force}, else only if it
         * fits what is left.
         *
         * @return true if charged (false: nothing charged, the class must not be defined)
         */
        boolean charge(int classBytes, boolean force) {
            long c = (long) classBytes * FACTOR;
            while (true) {
                long u = budget.used.get();
                if (!force && u + c > budget.limit) {
                    return false;
                }
                if (budget.used.compareAndSet(u, u + c)) {
                    taken.addAndGet(c);
                    return true;
                }
            }
        }

        /** True if the budget is not spent yet (checked before compiling what it may refuse). */
        boolean hasRoom() {
            return budget.used.get() < budget.limit;
        }

        /** Charged bytes this module's code took. */
        long taken() {
            return taken.get();
        }

        private void close() {
            budget.used.addAndGet(-taken.getAndSet(0));
        }
    }
}
