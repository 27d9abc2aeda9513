package org.healthgateway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorTextTest {

  @Test
  void withoutClassNames_gsonMessage_keepsPositionOnly() {
    assertThat(
            ErrorText.withoutClassNames(
                "HAPI-0331: com.google.gson.JsonSyntaxException: java.io.EOFException: End of"
                    + " input at line 1 column 40 path $.status"))
        .isEqualTo("HAPI-0331: End of input at line 1 column 40 path $.status");
  }

  @Test
  void withoutClassNames_hapiXmlParserMessage_lineAndColumn() {
    String cleaned =
        ErrorText.withoutClassNames(
            "HAPI-0450: Failed to parse request body as XML resource. Error was: HAPI-1851:"
                + " DataFormatException at [[row,col {unknown-source}]: [1,110]]: HAPI-1821:"
                + " [element=\"value\"] Invalid attribute value \"abc\"");
    assertThat(cleaned)
        .isEqualTo(
            "HAPI-0450: Failed to parse request body as XML resource. Error was: HAPI-1851: at"
                + " line 1, column 110: HAPI-1821: [element=\"value\"] Invalid attribute value"
                + " \"abc\"");
    assertThat(ErrorText.namesJavaClass(cleaned)).isFalse();
  }

  @Test
  void withoutClassNames_woodstoxPosition_lineAndColumn() {
    assertThat(
            ErrorText.withoutClassNames(
                "HAPI-1852: Failed to parse XML content: Unexpected EOF; was expecting a close tag"
                    + " for element <Observation>\n at [row,col {unknown-source}]: [1,64]"))
        .isEqualTo(
            "HAPI-1852: Failed to parse XML content: Unexpected EOF; was expecting a close tag"
                + " for element <Observation> at line 1, column 64");
  }

  @Test
  void namesJavaClass_internalTypeInMessage_true() {
    String npe =
        ErrorText.withoutClassNames(
            "HAPI-0389: Failed to call access method: java.lang.NullPointerException: Cannot"
                + " invoke \"org.hl7.fhir.instance.model.api.IIdType.getIdPart()\"");
    assertThat(ErrorText.namesJavaClass(npe)).as(npe).isTrue();
  }

  @Test
  void namesJavaClass_fhirPathsUrlsAndCodes_false() {
    assertThat(ErrorText.namesJavaClass("Observation.value[x].value: Line[1] Col[98]")).isFalse();
    assertThat(ErrorText.namesJavaClass("http://hl7.org/fhir/StructureDefinition/Observation"))
        .isFalse();
    assertThat(ErrorText.namesJavaClass("Unknown ObservationStatus code 'bogus'")).isFalse();
    assertThat(ErrorText.namesJavaClass("Error parsing JSON: the primitive value")).isFalse();
  }
}
