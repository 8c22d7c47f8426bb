package org.securecmd.daemon.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON subset the admin protocol uses, both ways: objects ({@link Map}, insertion order kept), arrays
 * ({@link List}), strings, numbers ({@link Long} when integral, else {@link Double}), booleans and null.
 * Written on one line, so a reply is one line; the daemon writes it, {@code securecmdctl} reads it.
 */
public final class Json {
  private final String text;
  private int pos;

  private Json(String text) {
    this.text = text;
  }

  /** One line of JSON for {@code value}. */
  public static String write(Object value) {
    StringBuilder b = new StringBuilder();
    write(b, value);
    return b.toString();
  }

  private static void write(StringBuilder b, Object v) {
    switch (v) {
      case null -> b.append("null");
      case String s -> string(b, s);
      case Boolean bool -> b.append(bool);
      case Long l -> b.append(l);
      case Integer i -> b.append(i);
      case Number n -> b.append(n.toString());
      case Map<?, ?> m -> {
        b.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (!first) b.append(',');
          first = false;
          string(b, String.valueOf(e.getKey()));
          b.append(':');
          write(b, e.getValue());
        }
        b.append('}');
      }
      case List<?> list -> {
        b.append('[');
        for (int i = 0; i < list.size(); i++) {
          if (i > 0) b.append(',');
          write(b, list.get(i));
        }
        b.append(']');
      }
      default -> string(b, v.toString());
    }
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || unsafeOnATerminal(c)) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    b.append('"');
  }

  /**
   * DEL, C1 controls, bidi controls and U+2028/U+2029: valid raw in JSON, but a reply printed with
   * {@code securecmdctl --json} must not carry a device's escape sequences to the operator's terminal.
   */
  private static boolean unsafeOnATerminal(char c) {
    return (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x2028 && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069);
  }

  /**
   * Parses one JSON value.
   *
   * @throws IllegalArgumentException naming the offset and what was expected
   */
  public static Object parse(String text) {
    Json p = new Json(text);
    Object v = p.value();
    p.skipSpace();
    if (p.pos != text.length()) throw p.error("end of input");
    return v;
  }

  private Object value() {
    skipSpace();
    if (pos >= text.length()) throw error("a value");
    char c = text.charAt(pos);
    return switch (c) {
      case '{' -> object();
      case '[' -> array();
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> number();
    };
  }

  private Map<String, Object> object() {
    Map<String, Object> m = new LinkedHashMap<>();
    pos++;
    skipSpace();
    if (peek('}')) return m;
    do {
      skipSpace();
      if (pos >= text.length() || text.charAt(pos) != '"') throw error("a string key");
      String key = string();
      skipSpace();
      expect(':');
      m.put(key, value());
      skipSpace();
    } while (peek(','));
    expect('}');
    return m;
  }

  private List<Object> array() {
    List<Object> list = new ArrayList<>();
    pos++;
    skipSpace();
    if (peek(']')) return list;
    do {
      list.add(value());
      skipSpace();
    } while (peek(','));
    expect(']');
    return list;
  }

  private String string() {
    pos++;
    StringBuilder b = new StringBuilder();
    while (pos < text.length()) {
      char c = text.charAt(pos++);
      if (c == '"') return b.toString();
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (pos >= text.length()) break;
      char e = text.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'u' -> {
          if (pos + 4 > text.length()) throw error("4 hex digits");
          b.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          pos += 4;
        }
        default -> throw error("an escape");
      }
    }
    throw error("a closing quote");
  }

  private Object number() {
    int start = pos;
    while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) pos++;
    String n = text.substring(start, pos);
    if (n.isEmpty()) throw error("a value");
    try {
      return n.matches("-?[0-9]+") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
    } catch (NumberFormatException e) {
      throw error("a number");
    }
  }

  private Object literal(String word, Object value) {
    if (!text.startsWith(word, pos)) throw error(word);
    pos += word.length();
    return value;
  }

  private boolean peek(char c) {
    if (pos < text.length() && text.charAt(pos) == c) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(char c) {
    if (!peek(c)) throw error("'" + c + "'");
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
  }

  private IllegalArgumentException error(String expected) {
    return new IllegalArgumentException("malformed JSON at offset " + pos + ": expected " + expected);
  }
}
