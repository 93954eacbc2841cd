package dev.cella.isa.module;

/** What an export names. The code is the byte used in the binary format. */
public enum ExportKind {
    FUNC(0),
    TABLE(1),
    MEMORY(2),
    GLOBAL(3);

    public final int code;

    ExportKind(int code) {
        this.code = code;
    }

    public static ExportKind fromCode(int code) {
        for (ExportKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return null;
    }
}
