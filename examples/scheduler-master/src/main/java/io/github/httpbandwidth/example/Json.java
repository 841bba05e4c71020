package io.github.httpbandwidth.example;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict JSON for the API: parses a document into maps, lists, strings, doubles, booleans and null, and says
 * where and why a malformed one fails; quotes strings for output.
 */
final class Json {

    /** A document that is not valid JSON; the message says what and where. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    /** Deeper documents are refused: a recursive parser must not run out of stack on hostile input. */
    static final int MAX_DEPTH = 64;

    private final String text;
    private int pos;
    private int depth;

    private Json(String text) {
        this.text = text;
    }

    static Object parse(String text) throws MalformedException {
        Json json = new Json(text);
        Object value = json.value();
        json.space();
        if (json.pos < text.length()) {
            throw json.fail("unexpected " + json.describe() + " after the value");
        }
        return value;
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private Object value() throws MalformedException {
        space();
        if (pos >= text.length()) {
            throw fail("the document ends where a value was expected");
        }
        char c = text.charAt(pos);
        if ((c == '{' || c == '[') && ++depth > MAX_DEPTH) {
            throw fail("objects and arrays nest deeper than " + MAX_DEPTH + " levels");
        }
        if (c == '{') {
            Map<String, Object> object = object();
            depth--;
            return object;
        } else if (c == '[') {
            List<Object> array = array();
            depth--;
            return array;
        } else if (c == '"') {
            return string();
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
        } else if (text.startsWith("true", pos)) {
            pos += 4;
            return Boolean.TRUE;
        } else if (text.startsWith("false", pos)) {
            pos += 5;
            return Boolean.FALSE;
        } else if (text.startsWith("null", pos)) {
            pos += 4;
            return null;
        }
        throw fail("expected a value but found " + describe());
    }

    private Map<String, Object> object() throws MalformedException {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++;
        space();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            space();
            if (peek() != '"') {
                throw fail("expected a quoted field name but found " + describe());
            }
            String key = string();
            space();
            expect(':');
            if (map.put(key, value()) != null) {
                throw fail("field " + quote(key) + " appears twice");
            }
            space();
            char c = peek();
            pos++;
            if (c == '}') {
                return map;
            }
            if (c != ',') {
                pos--;
                throw fail("expected ',' or '}' but found " + describe());
            }
        }
    }

    private List<Object> array() throws MalformedException {
        List<Object> list = new ArrayList<>();
        pos++;
        space();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            list.add(value());
            space();
            char c = peek();
            pos++;
            if (c == ']') {
                return list;
            }
            if (c != ',') {
                pos--;
                throw fail("expected ',' or ']' but found " + describe());
            }
        }
    }

    private String string() throws MalformedException {
        pos++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw fail("a string is not closed");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                pos--;
                throw fail("control character in a string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = pos < text.length() ? text.charAt(pos++) : 0;
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw fail("incomplete \\u escape");
                    }
                    try {
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw fail("bad \\u escape");
                    }
                    pos += 4;
                }
                default -> throw fail("unknown escape \\" + e);
            }
        }
    }

    private Double number() throws MalformedException {
        int start = pos;
        while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        try {
            return Double.valueOf(text.substring(start, pos));
        } catch (NumberFormatException e) {
            pos = start;
            throw fail("malformed number");
        }
    }

    private void expect(char c) throws MalformedException {
        if (peek() != c) {
            throw fail("expected '" + c + "' but found " + describe());
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private void space() {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private String describe() {
        return pos >= text.length() ? "the end of the document" : "'" + text.charAt(pos) + "'";
    }

    private MalformedException fail(String message) {
        return new MalformedException("request body is not valid JSON: " + message + " at offset " + pos);
    }
}
