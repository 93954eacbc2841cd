package dev.cella.isa.text;

import dev.cella.isa.text.Token.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits assembly text into {@link Token}s, following the lexical rules of {@code
 * docs/assembly.md}. Line ends are tokens ({@link Kind#NEWLINE}) because statements end there;
 * comments and other white space are dropped. Numbers are kept as written: only the parser knows
 * which type a literal must have. Strings are decoded here, so escape errors point into them.
 */
final class Lexer {
    private final String src;
    private final String file;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int line = 1;
    private int lineStart;

    private Lexer(String src, String file) {
        this.src = src;
        this.file = file;
    }

    /**
     * Returns the tokens of {@code src}, ending with {@link Kind#NEWLINE} then {@link Kind#EOF}.
     *
     * @throws AssemblyException on a character that starts no token, a malformed string or name
     */
    static List<Token> tokenize(String src, String file) {
        Lexer lx = new Lexer(src, file);
        lx.run();
        return lx.tokens;
    }

    static boolean isNameStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$' || c == '.';
    }

    static boolean isNamePart(char c) {
        return isNameStart(c) || c >= '0' && c <= '9';
    }

    private void run() {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            int col = pos - lineStart + 1;
            switch (c) {
                case ' ', '\t', '\r', '\f' -> pos++;
                case ';' -> {
                    while (pos < src.length() && src.charAt(pos) != '\n') {
                        pos++;
                    }
                }
                case '\n' -> {
                    add(Kind.NEWLINE, "\n", col);
                    pos++;
                    line++;
                    lineStart = pos;
                }
                case '(' -> punct(Kind.LPAREN, "(", col);
                case ')' -> punct(Kind.RPAREN, ")", col);
                case '[' -> punct(Kind.LBRACKET, "[", col);
                case ']' -> punct(Kind.RBRACKET, "]", col);
                case '{' -> punct(Kind.LBRACE, "{", col);
                case '}' -> punct(Kind.RBRACE, "}", col);
                case ',' -> punct(Kind.COMMA, ",", col);
                case ':' -> punct(Kind.COLON, ":", col);
                case '=' -> punct(Kind.EQUALS, "=", col);
                case '"' -> {
                    int start = pos;
                    byte[] bytes = string();
                    tokens.add(new Token(Kind.STRING, src.substring(start, pos), bytes, line, col));
                }
                default -> other(c, col);
            }
        }
        add(Kind.NEWLINE, "\n", pos - lineStart + 1);
        add(Kind.EOF, "", pos - lineStart + 1);
    }

    private void other(char c, int col) {
        if (c == '-' && peek(1) == '>') {
            pos += 2;
            add(Kind.ARROW, "->", col);
        } else if (c == '$' && peek(1) == '"') {
            pos++;
            byte[] bytes = string();
            tokens.add(new Token(Kind.NAME, utf8(bytes, col, "a quoted name"), null, line, col));
        } else if (c >= '0' && c <= '9' || (c == '-' || c == '+') && isNamePart(peek(1))) {
            number(col);
        } else if (isNameStart(c)) {
            int start = pos;
            while (pos < src.length() && isNamePart(src.charAt(pos))) {
                pos++;
            }
            String word = src.substring(start, pos);
            if (word.equals("nan") && nanPayloadFollows()) {
                pos = start;
                number(col);
            } else {
                add(Kind.NAME, word, col);
            }
        } else {
            throw error(col, "unexpected character " + show(c));
        }
    }

    /** True at {@code :0x} right after {@code nan}: the literal {@code nan:0x...}, not a label. */
    private boolean nanPayloadFollows() {
        return peek(0) == ':' && peek(1) == '0' && (peek(2) == 'x' || peek(2) == 'X');
    }

    /**
     * A numeric literal: an optional sign, then a run of letters, digits, '_' and '.', where a
     * sign may follow an exponent letter ({@code e} in decimal, {@code p} in hexadecimal), and
     * {@code nan:0x...} keeps its colon. Its syntax is checked by {@link Literals}.
     */
    private void number(int col) {
        int start = pos;
        if (src.charAt(pos) == '-' || src.charAt(pos) == '+') {
            pos++;
        }
        boolean hex = peek(0) == '0' && (peek(1) == 'x' || peek(1) == 'X');
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (isNamePart(c) && c != '$') {
                pos++;
            } else if ((c == '+' || c == '-') && isExponentLetter(src.charAt(pos - 1), hex)) {
                pos++;
            } else if (c == ':' && src.substring(start, pos).matches("[+-]?nan") && nanPayloadFollows()) {
                pos++;
                hex = true;
            } else {
                break;
            }
        }
        add(Kind.NUMBER, src.substring(start, pos), col);
    }

    private static boolean isExponentLetter(char c, boolean hex) {
        return hex ? c == 'p' || c == 'P' : c == 'e' || c == 'E';
    }

    /** Reads a string starting at the opening quote at {@code pos}; returns its bytes. */
    private byte[] string() {
        int openCol = pos - lineStart + 1;
        pos++;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            if (pos >= src.length() || src.charAt(pos) == '\n') {
                throw error(openCol, "unterminated string: expected '\"' before the end of the line");
            }
            char c = src.charAt(pos);
            if (c == '"') {
                pos++;
                return out.toByteArray();
            }
            if (c == '\\') {
                escape(out);
            } else if (c < 0x80) {
                out.write(c);
                pos++;
            } else {
                int cp = src.codePointAt(pos);
                if (Character.isSurrogate(c) && Character.charCount(cp) == 1) {
                    throw error(pos - lineStart + 1, "unpaired surrogate char in string");
                }
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                pos += Character.charCount(cp);
            }
        }
    }

    private void escape(ByteArrayOutputStream out) {
        int col = pos - lineStart + 1;
        char e = peek(1);
        int b = switch (e) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case '0' -> 0;
            case '\\' -> '\\';
            case '"' -> '"';
            case '\'' -> '\'';
            case 'x' -> {
                int hi = Character.digit(peek(2), 16);
                int lo = Character.digit(peek(3), 16);
                if (hi < 0 || lo < 0 || !isAscii(peek(2)) || !isAscii(peek(3))) {
                    throw error(col, "bad escape: expected two hex digits after \\x");
                }
                pos += 2;
                yield hi << 4 | lo;
            }
            default -> throw error(col, "unknown escape \\" + (e == 0 ? "" : String.valueOf(e))
                    + ": expected one of \\n \\t \\r \\0 \\\\ \\\" \\' \\xHH");
        };
        out.write(b);
        pos += 2;
    }

    private static boolean isAscii(char c) {
        return c < 0x80;
    }

    private String utf8(byte[] bytes, int col, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw error(col, what + " must be valid UTF-8");
        }
    }

    private char peek(int ahead) {
        int i = pos + ahead;
        return i < src.length() ? src.charAt(i) : 0;
    }

    private void punct(Kind kind, String text, int col) {
        pos++;
        add(kind, text, col);
    }

    private void add(Kind kind, String text, int col) {
        tokens.add(new Token(kind, text, null, line, col));
    }

    private AssemblyException error(int col, String reason) {
        return new AssemblyException(file, line, col, reason);
    }

    private static String show(char c) {
        return c < 0x20 || c == 0x7F ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }
}
