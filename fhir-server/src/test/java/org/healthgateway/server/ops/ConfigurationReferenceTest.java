package org.healthgateway.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.yaml.snakeyaml.Yaml;

/**
 * The configuration reference ({@code docs/configuration.md}) lists every {@code gateway.*}
 * property of the code's {@code @ConfigurationProperties} records, found by scanning the server's
 * packages and walking nested records, with its type, and with application.yml's default.
 */
class ConfigurationReferenceTest {
  private static final Path REFERENCE = Path.of("..", "docs", "configuration.md");
  private static final Pattern ROW =
      Pattern.compile("^\\| `(gateway\\.[a-z0-9.-]+)` \\| ([^|]+) \\| ([^|]*) \\| .+ \\|$");
  private static final Pattern LITERAL = Pattern.compile("^`([^`]*)`");

  private record Row(String type, String defaultCell) {}

  @Test
  void reference_everyPropertyOfTheCode_listedOnceWithItsType() throws IOException {
    Map<String, String> code = codeProperties();
    Map<String, Row> table = tableRows();

    assertThat(code).as("@ConfigurationProperties found").hasSizeGreaterThan(30);
    assertThat(table.keySet())
        .as("rows of %s against the code's properties", REFERENCE)
        .containsExactlyInAnyOrderElementsOf(code.keySet());
    code.forEach(
        (name, type) -> assertThat(table.get(name).type()).as("type of %s", name).isEqualTo(type));
  }

  @Test
  void reference_defaults_matchApplicationYml() throws IOException {
    Map<String, Object> yml = new TreeMap<>();
    flatten("gateway", applicationYml().get("gateway"), yml);
    for (Map.Entry<String, Row> row : tableRows().entrySet()) {
      Object value = yml.get(row.getKey());
      String cell = row.getValue().defaultCell().trim();
      if (value == null || value.toString().isEmpty()) {
        assertThat(cell)
            .as("default of %s (none in application.yml)", row.getKey())
            .startsWith("none");
      } else {
        Matcher literal = LITERAL.matcher(cell);
        assertThat(literal.find())
            .as("default of %s is a `literal`: %s", row.getKey(), cell)
            .isTrue();
        assertThat(literal.group(1)).as("default of %s", row.getKey()).isEqualTo(value.toString());
      }
    }
    assertThat(tableRows().keySet())
        .as("application.yml's gateway.* keys")
        .containsAll(yml.keySet());
  }

  @Test
  void kebab_camelCaseName_dashedLowerCase() {
    assertThat(kebab("dataKeyTtl")).isEqualTo("data-key-ttl");
    assertThat(kebab("fhirBaseUrl")).isEqualTo("fhir-base-url");
    assertThat(kebab("demo")).isEqualTo("demo");
  }

  /** Property name to documented type, from every annotated record under the server's package. */
  private static Map<String, String> codeProperties() {
    ClassPathScanningCandidateComponentProvider scanner =
        new ClassPathScanningCandidateComponentProvider(false);
    scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
    Map<String, String> properties = new TreeMap<>();
    for (BeanDefinition candidate : scanner.findCandidateComponents("org.healthgateway.server")) {
      Class<?> type = load(candidate.getBeanClassName());
      walk(type.getAnnotation(ConfigurationProperties.class).prefix(), type, properties);
    }
    return properties;
  }

  private static void walk(String prefix, Class<?> type, Map<String, String> properties) {
    assertThat(type.isRecord()).as("%s: settings are records", type.getName()).isTrue();
    for (RecordComponent component : type.getRecordComponents()) {
      String name = prefix + "." + kebab(component.getName());
      Class<?> valueType = component.getType();
      if (valueType.isRecord() && valueType.getName().startsWith("org.healthgateway.")) {
        walk(name, valueType, properties);
      } else {
        properties.put(name, typeName(component.getGenericType()));
      }
    }
  }

  private static String typeName(Type type) {
    if (type instanceof ParameterizedType list && list.getRawType() == List.class) {
      return "list of " + typeName(list.getActualTypeArguments()[0]) + "s";
    }
    if (type == String.class) {
      return "string";
    }
    if (type == boolean.class) {
      return "boolean";
    }
    if (type == int.class || type == long.class) {
      return "integer";
    }
    if (type == Path.class) {
      return "path";
    }
    if (type == Duration.class) {
      return "duration";
    }
    throw new AssertionError("no documented type name for " + type);
  }

  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
  }

  private static Map<String, Row> tableRows() throws IOException {
    Map<String, Row> rows = new LinkedHashMap<>();
    for (String line : Files.readAllLines(REFERENCE, StandardCharsets.UTF_8)) {
      Matcher row = ROW.matcher(line);
      if (row.matches()) {
        Row previous = rows.put(row.group(1), new Row(row.group(2).trim(), row.group(3)));
        assertThat(previous).as("%s listed twice", row.group(1)).isNull();
      }
    }
    return rows;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> applicationYml() throws IOException {
    try (InputStream in =
        ConfigurationReferenceTest.class.getResourceAsStream("/application.yml")) {
      return (Map<String, Object>) new Yaml().load(in);
    }
  }

  @SuppressWarnings("unchecked")
  private static void flatten(String prefix, Object value, Map<String, Object> out) {
    if (value instanceof Map<?, ?> map) {
      ((Map<String, Object>) map).forEach((k, v) -> flatten(prefix + "." + k, v, out));
    } else {
      out.put(prefix, value);
    }
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name);
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
  }
}
