package dev.cella.sandbox.durable;

/**
 * Where a {@link DurableRun} releases a cell's output: the terminal, a client, a log. It receives
 * each committed segment, in order of {@code seq}, from the run's thread, once the segment is
 * durable; {@link Segment#stdout()} and {@link Segment#stderr()} are the output to release.
 *
 * <p>A segment's output is released exactly once across a run and the runs that resume it, as
 * long as each resumed run is told whether the last committed segment's output was released
 * ({@link DurableRun.Builder#resumeFrom}). A sink that cannot know this (the run holding it died
 * between a commit and its release) is told "not released" and receives that segment again: it
 * drops a segment whose {@code seq} it has already released.
 */
@FunctionalInterface
public interface OutputSink {
    /**
     * Releases {@code segment}'s output. An exception stops the run ({@link
     * DurableRunException.Kind#RELEASE_FAILED}); the segment stays committed, its output unreleased.
     */
    void release(Segment segment) throws Exception;
}
