package org.healthgateway.server.config;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Strict checks of request text: charsets, byte sequences and percent-escapes. */
final class TextEncoding {
  private TextEncoding() {}

  /**
   * The charset of a body: UTF-8 when the Content-Type names none, or names UTF-8 or its subset
   * US-ASCII. FHIR bodies are UTF-8, and HAPI decodes them as UTF-8 whatever the Content-Type says,
   * so a body in any other charset would be stored garbled.
   *
   * @throws IllegalArgumentException for any other charset
   */
  static Charset charsetOf(String name) {
    if (name == null || name.isBlank()) {
      return StandardCharsets.UTF_8;
    }
    Charset charset = Charset.forName(name.trim());
    if (!charset.equals(StandardCharsets.UTF_8) && !charset.equals(StandardCharsets.US_ASCII)) {
      throw new IllegalArgumentException("not UTF-8: " + charset.name());
    }
    return StandardCharsets.UTF_8;
  }

  /** Bodies the FHIR layer decodes as text: JSON, XML, {@code text/*} and forms. */
  static boolean isText(String contentType) {
    if (contentType == null) {
      return true;
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.isEmpty()
        || type.startsWith("text/")
        || type.contains("json")
        || type.contains("xml")
        || type.equals("application/x-www-form-urlencoded");
  }

  /** True if every byte sequence is valid in the charset: no replacement, no unmappable input. */
  static boolean decodes(byte[] body, Charset charset) {
    CharsetDecoder decoder =
        charset
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    CharBuffer out = CharBuffer.allocate(8192);
    while (true) {
      CoderResult result = decoder.decode(in, out, true);
      if (result.isError()) {
        return false;
      }
      if (result.isUnderflow()) {
        break;
      }
      out.clear();
    }
    try {
      out.clear();
      return !decoder.flush(out).isError();
    } catch (IllegalStateException e) {
      return false;
    }
  }

  /** True if every {@code %} of the text is followed by two hex digits (RFC 3986, 2.1). */
  static boolean wellFormedPercentEscapes(String text) {
    if (text == null) {
      return true;
    }
    for (int i = text.indexOf('%'); i >= 0; i = text.indexOf('%', i + 1)) {
      if (i + 2 >= text.length() || !hex(text.charAt(i + 1)) || !hex(text.charAt(i + 2))) {
        return false;
      }
    }
    return true;
  }

  private static boolean hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
