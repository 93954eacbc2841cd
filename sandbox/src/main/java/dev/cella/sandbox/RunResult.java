package dev.cella.sandbox;

import dev.cella.isa.CellaException;

/**
 * How a run ended.
 *
 * @param outcome the kind of ending
 * @param exitStatus the guest's exit status if it EXITED (0 for a normal return), else -1
 * @param error what stopped the guest (a Trap, QuotaExceeded, CellKilled, SandboxException...),
 *     or null if it EXITED
 * @param accounting what the run used
 */
public record RunResult(Outcome outcome, int exitStatus, CellaException error, Accounting accounting) {}
