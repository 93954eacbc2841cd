package dev.cella.sandbox;

import dev.cella.isa.CellaException;

/**
 * A guest tried to use more of a resource than its cell's quota allows, and was stopped. Names
 * the quota, its limit and the usage that was refused (what the usage would have been had the
 * request been granted; for {@link Quota#FUEL}, what was used when the next block could not be
 * paid for; for {@link Quota#TIME}, the time elapsed). When an engine trap was behind it (fuel
 * or call depth), the {@link dev.cella.vm.Trap} is the cause and gives the function and pc.
 */
public final class QuotaExceeded extends CellaException {
    private final Quota quota;
    private final long limit;
    private final long usage;

    public QuotaExceeded(Quota quota, long limit, long usage) {
        this(quota, limit, usage, null);
    }

    /** @param cause the trap that revealed the exhaustion, or null */
    public QuotaExceeded(Quota quota, long limit, long usage, Throwable cause) {
        super("quota exceeded: " + quota.label + " (limit " + limit + " " + quota.unit + ", usage " + usage + " "
                + quota.unit + ")" + (cause != null ? " in " + where(cause.getMessage()) : ""), cause);
        this.quota = quota;
        this.limit = limit;
        this.usage = usage;
    }

    private static String where(String trapMessage) {
        int in = trapMessage == null ? -1 : trapMessage.indexOf(" in ");
        return in < 0 ? String.valueOf(trapMessage) : trapMessage.substring(in + 4);
    }

    public Quota quota() {
        return quota;
    }

    public long limit() {
        return limit;
    }

    public long usage() {
        return usage;
    }
}
