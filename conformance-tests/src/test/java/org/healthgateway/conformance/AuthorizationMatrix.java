package org.healthgateway.conformance;

import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * The expected-outcome table of {@link AuthorizationMatrixTest}, parsed, and what a run observed in
 * each cell. The table is a grid: a header line {@code interaction | col | col ...}, sections
 * ({@code == name}), comment lines ({@code # ...}) and one line per interaction with one expected
 * outcome per column. An outcome is a status ({@code 200}), {@code in} or {@code out} (a Bundle
 * with or without the target), alternatives ({@code 403/404}) or {@code -} (no cell).
 */
final class AuthorizationMatrix {

  /** One line of the table. {@code expected} has one entry per column. */
  record Row(String section, String label, List<String> expected) {
    boolean applies(int column) {
      return !expected.get(column).equals("-");
    }
  }

  /**
   * What a cell observed: the value compared with the table ({@code 200}, {@code in}, {@code out},
   * {@code batch 403}), broken promises that make the cell unexpected whatever the value (a refused
   * write that changed data, a total that counts hidden resources), and the server's diagnostics.
   */
  record Outcome(String observed, List<String> problems, String diagnostics) {
    static Outcome of(String observed, String diagnostics) {
      return new Outcome(observed, List.of(), diagnostics);
    }

    /** The response's status, with the OperationOutcome's diagnostics if it is an error. */
    static Outcome status(Response response) {
      int status = response.statusCode();
      return of(
          Integer.toString(status),
          status >= 400 ? AuthorizationMatrix.diagnostics(response.asString()) : "");
    }

    Outcome withProblem(String problem) {
      List<String> all = new ArrayList<>(problems);
      all.add(problem);
      return new Outcome(observed, List.copyOf(all), diagnostics);
    }
  }

  private record Result(Row row, int column, Outcome outcome) {
    boolean expected() {
      return outcome.problems().isEmpty()
          && Arrays.asList(row.expected().get(column).split("/")).contains(outcome.observed());
    }
  }

  private final List<String> columns;
  private final List<Row> rows;
  private final List<Result> results = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final List<String> setUpProblems = new ArrayList<>();

  private AuthorizationMatrix(List<String> columns, List<Row> rows) {
    this.columns = List.copyOf(columns);
    this.rows = List.copyOf(rows);
  }

  static AuthorizationMatrix parse(String table) {
    List<String> columns = null;
    List<Row> rows = new ArrayList<>();
    String section = "";
    for (String raw : table.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("==")) {
        section = line.substring(2).strip();
        continue;
      }
      List<String> fields = Arrays.stream(line.split("\\|")).map(String::strip).toList();
      if (columns == null) {
        if (!fields.get(0).equals("interaction")) {
          throw new IllegalArgumentException("the table starts with its header: " + line);
        }
        columns = fields.subList(1, fields.size());
        continue;
      }
      if (fields.size() != columns.size() + 1) {
        throw new IllegalArgumentException(
            "row '"
                + fields.get(0)
                + "' has "
                + (fields.size() - 1)
                + " cells, not "
                + columns.size());
      }
      rows.add(new Row(section, fields.get(0), fields.subList(1, fields.size())));
    }
    if (columns == null) {
      throw new IllegalArgumentException("no header line");
    }
    return new AuthorizationMatrix(columns, rows);
  }

  List<String> columns() {
    return columns;
  }

  List<Row> rows() {
    return rows;
  }

  List<Row> rows(String sectionPrefix) {
    return rows.stream().filter(r -> r.section().startsWith(sectionPrefix)).toList();
  }

  /** Number of cells the table defines (every entry but {@code -}). */
  int cellCount() {
    int cells = 0;
    for (Row row : rows) {
      for (int c = 0; c < columns.size(); c++) {
        cells += row.applies(c) ? 1 : 0;
      }
    }
    return cells;
  }

  synchronized void record(Row row, int column, Outcome outcome) {
    results.add(new Result(row, column, outcome));
  }

  /** A line about the set-up that a reader of the report should know (shown at its top). */
  synchronized void note(String note) {
    notes.add(note);
  }

  /** A set-up step that did not work: the cells that depend on it prove less; the test fails. */
  synchronized void setUpProblem(String problem) {
    setUpProblems.add(problem);
  }

  synchronized List<String> setUpProblems() {
    return List.copyOf(setUpProblems);
  }

  synchronized int checked() {
    return results.size();
  }

  synchronized List<String> unexpectedCells() {
    return results.stream()
        .filter(r -> !r.expected())
        .map(r -> r.row().label() + " / " + columns.get(r.column()))
        .toList();
  }

  /**
   * The report: counts, set-up notes, every unexpected cell with what it observed and the server's
   * diagnostics, grouped by interaction, and the table again with the observed value in each
   * unexpected cell ({@code .} where the cell is as expected).
   */
  synchronized String report(Map<String, String> columnDescriptions) {
    long unexpected = results.stream().filter(r -> !r.expected()).count();
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "Authorization matrix: %d cells checked (the table defines %d), %d unexpected.%n",
            results.size(), cellCount(), unexpected));
    if (!setUpProblems.isEmpty()) {
      out.append("\nSet-up problems (the test fails on these too):\n");
      setUpProblems.forEach(p -> out.append("  ").append(p).append('\n'));
    }
    if (!notes.isEmpty()) {
      out.append("\nSet-up:\n");
      notes.forEach(n -> out.append("  ").append(n).append('\n'));
    }
    out.append("\nColumns:\n");
    columnDescriptions.forEach(
        (column, description) -> out.append(String.format("  %-6s %s%n", column, description)));
    if (unexpected > 0) {
      appendUnexpected(out);
      appendGrid(out);
    }
    return out.toString();
  }

  /** The diagnostics of an OperationOutcome body, on one line; else the start of the body. */
  static String diagnostics(String body) {
    try {
      IBaseResource resource = Fhir.parse(body);
      if (resource instanceof OperationOutcome outcome) {
        return diagnostics(outcome);
      }
    } catch (RuntimeException e) {
      // Not FHIR: show the body itself.
    }
    return shorten(body);
  }

  static String diagnostics(OperationOutcome outcome) {
    List<String> texts = new ArrayList<>();
    for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
      texts.add(issue.hasDiagnostics() ? issue.getDiagnostics() : issue.getDetails().getText());
    }
    return shorten(String.join("; ", texts));
  }

  private static String shorten(String text) {
    String line = text == null ? "" : text.replaceAll("\\s+", " ").strip();
    return line.length() <= 240 ? line : line.substring(0, 240) + "...";
  }

  private void appendUnexpected(StringBuilder out) {
    out.append("\nUnexpected cells, by interaction:\n");
    Map<Row, List<Result>> byRow = new LinkedHashMap<>();
    for (Row row : rows) {
      byRow.put(row, new ArrayList<>());
    }
    for (Result result : results) {
      if (!result.expected()) {
        byRow.get(result.row()).add(result);
      }
    }
    byRow.values().forEach(list -> list.sort(Comparator.comparingInt(Result::column)));
    String section = null;
    for (Map.Entry<Row, List<Result>> entry : byRow.entrySet()) {
      if (entry.getValue().isEmpty()) {
        continue;
      }
      Row row = entry.getKey();
      if (!row.section().equals(section)) {
        section = row.section();
        out.append("\n== ").append(section).append('\n');
      }
      out.append(row.label()).append('\n');
      for (Result result : entry.getValue()) {
        Outcome outcome = result.outcome();
        out.append(
            String.format(
                "  %-6s expected %-8s got %-10s%s%n",
                columns.get(result.column()),
                row.expected().get(result.column()),
                outcome.observed(),
                outcome.diagnostics() == null || outcome.diagnostics().isBlank()
                    ? ""
                    : "  " + outcome.diagnostics()));
        for (String problem : outcome.problems()) {
          out.append("         and: ").append(problem).append('\n');
        }
      }
    }
  }

  private void appendGrid(StringBuilder out) {
    out.append("\nObserved, in the table's layout ('.' as expected, ' ' not checked):\n");
    Map<Row, String[]> grid = new LinkedHashMap<>();
    for (Row row : rows) {
      String[] cells = new String[columns.size()];
      Arrays.fill(cells, " ");
      grid.put(row, cells);
    }
    for (Result result : results) {
      String shown =
          result.outcome().observed().replace("batch ", "b:")
              + (result.outcome().problems().isEmpty() ? "" : "!");
      grid.get(result.row())[result.column()] = result.expected() ? "." : shown;
    }
    int width = 8;
    for (String[] cells : grid.values()) {
      for (String cell : cells) {
        width = Math.max(width, cell.length() + 2);
      }
    }
    out.append(gridLine("interaction", columns.toArray(String[]::new), width));
    String section = null;
    for (Map.Entry<Row, String[]> entry : grid.entrySet()) {
      if (!entry.getKey().section().equals(section)) {
        section = entry.getKey().section();
        out.append("== ").append(section).append('\n');
      }
      out.append(gridLine(entry.getKey().label(), entry.getValue(), width));
    }
    out.append(
        "(b:403 = the whole batch was refused with 403; '!' after a value: a promise listed above"
            + " broke, whatever the value)\n");
  }

  private static String gridLine(String label, String[] cells, int width) {
    StringBuilder line = new StringBuilder(String.format("%-27s", label));
    for (String cell : cells) {
      line.append(String.format("%-" + width + "s", "| " + cell));
    }
    return line.toString().stripTrailing() + "\n";
  }
}
