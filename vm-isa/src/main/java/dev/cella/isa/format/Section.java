package dev.cella.isa.format;

/**
 * The sections of a guest binary ({@code .cel}), in the order in which they must appear.
 *
 * <p>A binary is the 4-byte magic {@code 00 43 45 4C}, the version as a little-endian u32, then
 * sections, each {@code id:u8 size:uLEB32 payload}. Ids are strictly increasing, so each section
 * appears at most once; the writer leaves out sections that would be empty. The payload of each
 * section is described in {@code docs/binary-format.md}.
 */
public enum Section {
    /** Function signatures. */
    TYPE(1, "type"),
    /** Imported host functions. */
    IMPORT(2, "import"),
    /** Function-reference tables. */
    TABLE(3, "table"),
    /** The linear memory's limits. */
    MEMORY(4, "memory"),
    /** Globals and their initial values. */
    GLOBAL(5, "global"),
    /** Exported functions, tables, memory and globals. */
    EXPORT(6, "export"),
    /** The start function. */
    START(7, "start"),
    /** Table initializers. */
    ELEMENT(8, "element"),
    /** Defined functions: signature, registers and body. */
    CODE(9, "code"),
    /** Memory initializers. */
    DATA(10, "data"),
    /** Debugging names of functions, registers and globals. */
    NAMES(11, "names");

    /** The bytes {@code 00 43 45 4C} ("\0CEL") read as a little-endian u32. */
    public static final int MAGIC = 0x4C454300;

    /** The only format version this reader and writer know. */
    public static final int VERSION = 1;

    /** Bytes before the first section: magic and version. */
    public static final int HEADER_SIZE = 8;

    private static final Section[] BY_ID = new Section[NAMES.ordinal() + 2];

    static {
        for (Section s : values()) {
            BY_ID[s.id] = s;
        }
    }

    /** The section id byte. */
    public final int id;

    /** The name used in messages and documentation. */
    public final String title;

    Section(int id, String title) {
        this.id = id;
        this.title = title;
    }

    /** Returns the section with id {@code id}, or null if there is none. */
    public static Section fromId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    @Override
    public String toString() {
        return title + " section (id " + id + ")";
    }
}
