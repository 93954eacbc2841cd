package dev.cella.sandbox;

import dev.cella.vm.ImportResolver;

/**
 * A host module that plugs into every cell created from a configuration ({@link
 * CellConfig.Builder#extension}): when a cell is created, {@link #attach} gets the cell's
 * {@link CellContext} and returns the host functions the cell's imports resolve to, bound to
 * that cell. This is how modules outside the sandbox (the virtual network) add calls without the
 * sandbox knowing them.
 */
@FunctionalInterface
public interface CellExtension {
    /**
     * Attaches to a new cell.
     *
     * @return the resolver for this cell's imports of the extension's modules (null for an
     *     import it does not provide), consulted after the configuration's host functions and
     *     before WASI
     */
    ImportResolver attach(CellContext context);
}
