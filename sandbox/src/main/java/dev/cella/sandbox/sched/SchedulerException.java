package dev.cella.sandbox.sched;

import dev.cella.isa.CellaException;

/**
 * The scheduler cannot do what the host asked: a cell does not fit (its CPU share would take
 * the static shares past 100%, or its memory does not fit the pool), a setting is out of range,
 * a cell is spawned twice, or the scheduler is closed. Nothing was changed when it is thrown.
 */
public final class SchedulerException extends CellaException {
    public SchedulerException(String message) {
        super(message);
    }
}
