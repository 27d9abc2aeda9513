package org.healthgateway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextEncodingTest {

  private static boolean utf8(int... bytes) {
    byte[] body = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      body[i] = (byte) bytes[i];
    }
    return TextEncoding.decodes(body, StandardCharsets.UTF_8);
  }

  @Test
  void decodes_validUtf8_true() {
    assertThat(
            TextEncoding.decodes(
                "Müller ✓ 𝄞".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
        .isTrue();
    assertThat(TextEncoding.decodes(new byte[0], StandardCharsets.UTF_8)).isTrue();
    byte[] large = "é".repeat(20_000).getBytes(StandardCharsets.UTF_8);
    assertThat(TextEncoding.decodes(large, StandardCharsets.UTF_8)).isTrue();
  }

  @Test
  void decodes_malformedUtf8_false() {
    assertThat(utf8('M', 0xFC, 'l')).as("Latin-1 ü").isFalse();
    assertThat(utf8('a', 0xC3)).as("truncated at the end").isFalse();
    assertThat(utf8(0xC0, 0xAF)).as("overlong /").isFalse();
    assertThat(utf8(0xED, 0xA0, 0x80)).as("encoded surrogate").isFalse();
    assertThat(utf8(0xF4, 0x90, 0x80, 0x80)).as("beyond U+10FFFF").isFalse();
  }

  @Test
  void wellFormedPercentEscapes_cases() {
    assertThat(TextEncoding.wellFormedPercentEscapes(null)).isTrue();
    assertThat(TextEncoding.wellFormedPercentEscapes("code=http%3A%2F%2Floinc.org%7C8867-4"))
        .isTrue();
    assertThat(TextEncoding.wellFormedPercentEscapes("name=%zz")).isFalse();
    assertThat(TextEncoding.wellFormedPercentEscapes("name=a%4")).isFalse();
    assertThat(TextEncoding.wellFormedPercentEscapes("name=a%")).isFalse();
    assertThat(TextEncoding.wellFormedPercentEscapes("name=%4g")).isFalse();
  }

  @Test
  void charsetOf_utf8OrNone_else_refused() {
    assertThat(TextEncoding.charsetOf(null)).isEqualTo(StandardCharsets.UTF_8);
    assertThat(TextEncoding.charsetOf("utf-8")).isEqualTo(StandardCharsets.UTF_8);
    assertThat(TextEncoding.charsetOf("US-ASCII")).isEqualTo(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> TextEncoding.charsetOf("ISO-8859-1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TextEncoding.charsetOf("no-such-charset"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TextEncoding.charsetOf("bad name!"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void isText_fhirJsonXmlFormsAndText_true_binary_false() {
    assertThat(TextEncoding.isText("application/fhir+json; charset=UTF-8")).isTrue();
    assertThat(TextEncoding.isText("application/fhir+xml")).isTrue();
    assertThat(TextEncoding.isText("application/json-patch+json")).isTrue();
    assertThat(TextEncoding.isText("application/x-www-form-urlencoded")).isTrue();
    assertThat(TextEncoding.isText("text/plain")).isTrue();
    assertThat(TextEncoding.isText("application/pdf")).isFalse();
    assertThat(TextEncoding.isText("image/png")).isFalse();
  }
}
