package dev.cella.isa.text;

/**
 * One token of assembly text.
 *
 * @param kind what the token is
 * @param text for {@link Kind#NAME} the name (a quoted name's decoded content); for {@link
 *     Kind#NUMBER} the literal exactly as written; for {@link Kind#STRING} the source text with
 *     its quotes; for punctuation the punctuation itself
 * @param bytes for {@link Kind#STRING} the decoded bytes, else null
 * @param line the line of the token's first char, from 1
 * @param column the column of the token's first char, from 1
 */
record Token(Kind kind, String text, byte[] bytes, int line, int column) {

    /** Token kinds. Names and mnemonics are both {@link #NAME}s; the parser tells them apart. */
    enum Kind {
        NAME, NUMBER, STRING, LPAREN, RPAREN, LBRACKET, RBRACKET, LBRACE, RBRACE, COMMA, COLON, ARROW,
        EQUALS, NEWLINE, EOF
    }

    boolean is(Kind k) {
        return kind == k;
    }

    /** True if this is a name token spelled {@code word}. */
    boolean isWord(String word) {
        return kind == Kind.NAME && text.equals(word);
    }

    /** How the token reads in an error message: {@code 'foo'}, {@code end of line}, ... */
    String describe() {
        return switch (kind) {
            case NEWLINE -> "end of line";
            case EOF -> "end of file";
            case STRING -> "string " + text;
            case NUMBER -> "number '" + text + "'";
            default -> "'" + text + "'";
        };
    }
}
