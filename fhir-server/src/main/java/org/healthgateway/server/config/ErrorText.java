package org.healthgateway.server.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Error messages as a client sees them: HAPI's parser and validator messages without the Java
 * exception names they quote ({@code com.google.gson.JsonSyntaxException: java.io.EOFException: End
 * of input at line 1 column 40} becomes {@code End of input at line 1 column 40}), so that a
 * message is stable across library versions and tells nobody which libraries run here. HAPI's own
 * message codes ({@code HAPI-1861}) stay: they are documented and searchable.
 */
public final class ErrorText {
  /** A qualified exception name and the colon after it, as {@code Throwable.toString} writes it. */
  private static final Pattern QUALIFIED_EXCEPTION =
      Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][\\w$]*(?:Exception|Error)\\b:?\\s*");

  /** HAPI's XML parser: {@code DataFormatException at [[row,col {unknown-source}]: [1,110]]: }. */
  private static final Pattern SIMPLE_EXCEPTION_AT =
      Pattern.compile("\\b[A-Z]\\w*(?:Exception|Error) at ");

  /** Woodstox's position, {@code [row,col {unknown-source}]: [1,64]}, possibly bracketed again. */
  private static final Pattern XML_POSITION =
      Pattern.compile("\\[?\\[row,col \\{unknown-source\\}\\]: \\[(\\d+),(\\d+)\\]\\]?");

  /** Whatever still looks like a Java type: {@code org.hl7.fhir.instance.model.api.IIdType}. */
  private static final Pattern JAVA_NAME =
      Pattern.compile(
          "\\b(?:java|javax|jakarta|com|org|ca|net|io)\\.(?:[a-z][a-z0-9_]*\\.)*[A-Z]\\w*"
              + "|\\b[A-Z]\\w+(?:Exception|Error)\\b");

  private ErrorText() {}

  /** The message without exception class names; blank or null become a generic sentence. */
  public static String withoutClassNames(String message) {
    if (message == null || message.isBlank()) {
      return "The request could not be processed";
    }
    String text = QUALIFIED_EXCEPTION.matcher(message).replaceAll("");
    text = SIMPLE_EXCEPTION_AT.matcher(text).replaceAll("at ");
    Matcher position = XML_POSITION.matcher(text);
    text = position.replaceAll("line $1, column $2");
    return text.replaceAll("\\s*\\n\\s*", " ").trim();
  }

  /** True if the text still names a Java class or exception after cleaning. */
  public static boolean namesJavaClass(String text) {
    return text != null && JAVA_NAME.matcher(text).find();
  }

  private static final Pattern HAPI_CODE = Pattern.compile("HAPI-\\d{4}");

  /**
   * The exception classes of a failure, their HAPI message codes and where the deepest one was
   * thrown, for the log. Messages are left out: a parser's or validator's message can quote the
   * refused resource's values, and clinical content never goes to the log.
   */
  static String describe(Throwable e) {
    StringBuilder text = new StringBuilder();
    Throwable deepest = e;
    int depth = 0;
    for (Throwable t = e; t != null && depth < 10; t = t.getCause(), depth++) {
      if (depth > 0) {
        text.append(" <- ");
      }
      text.append(t.getClass().getName());
      Matcher code = HAPI_CODE.matcher(String.valueOf(t.getMessage()));
      if (code.find()) {
        text.append(" (").append(code.group()).append(')');
      }
      deepest = t;
    }
    StackTraceElement[] frames = deepest.getStackTrace();
    if (frames.length > 0) {
      text.append(" at ").append(frames[0]);
    }
    return text.toString();
  }
}
