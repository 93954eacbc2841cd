package dev.cella.cluster;

/**
 * Every message a member's actor handles: the {@link Wire} ones, which travel between JVMs, and
 * local ones (a cell's end seen on a scheduler thread, cluster events), which never leave it.
 */
public interface Msg {}
