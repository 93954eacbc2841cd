package dev.cella.wasm;

import dev.cella.isa.module.FuncType;

/**
 * Chooses the Cella tag number of each exception tag of a Wasm module, and so links tags between
 * modules at translation time, as {@link GlobalImports} binds immutable globals.
 *
 * <p>A Cella exception carries its tag as a number (see the note on exceptions in {@link
 * dev.cella.isa.Opcode}) and a translated module compares and throws these numbers as constants.
 * Two Wasm tags are the same tag exactly when they get the same number, so an embedder that links
 * modules gives each tag a module defines a number of its own and each tag it imports the number
 * of the tag it names; the instances of those modules then share one numbering (an {@link
 * dev.cella.vm.ImportResolver#tagNamespace() tag namespace}), through which exceptions keep their
 * tags from one instance to another. The default, {@link #OWN}, numbers a module's tags by their
 * index and binds no import.
 */
public interface TagImports {
    /**
     * The number of an imported tag.
     *
     * @param module the import's module name
     * @param name the import's field name
     * @param type the tag's type (parameters only), as the importing module declares it
     * @return the number of the tag it names, or null if nothing is bound (the module is then
     *     rejected as unsupported)
     * @throws RuntimeException the embedder's own link error if the tag exists with another type
     */
    Integer imported(String module, String name, FuncType type);

    /**
     * The number of tag {@code index} (in the Wasm tag index space, imports first), which the
     * module defines: distinct from every other tag's of the modules that will share a namespace,
     * and not -1 (the foreign tag, {@code dev.cella.vm.GuestException.FOREIGN}).
     */
    int defined(int index, FuncType type);

    /** Told of each tag export, with the number the tag got; the default ignores it. */
    default void exported(String name, int tag, FuncType type) {}

    /** A module's own numbering: tag {@code i} is number {@code i}; no tag import is bound. */
    TagImports OWN = new TagImports() {
        @Override
        public Integer imported(String module, String name, FuncType type) {
            return null;
        }

        @Override
        public int defined(int index, FuncType type) {
            return index;
        }
    };
}
