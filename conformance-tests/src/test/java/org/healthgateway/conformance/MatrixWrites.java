package org.healthgateway.conformance;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.healthgateway.conformance.AuthorizationMatrix.Outcome;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;

/**
 * The write side of the authorization matrix: create, update, delete, conditional create and
 * conditional update, directly, as the single entry of a batch, or of a transaction. Every cell
 * works on its own target, written just before by its author (A for {@code ALG} and {@code LAB}, P
 * for {@code OWN}), so that no cell sees another's effects. After the actor's request the patient
 * looks: a refused write changed nothing, an accepted one left a version the patient and the
 * target's author can read.
 */
final class MatrixWrites {
  private enum Mode {
    DIRECT,
    BATCH,
    TRANSACTION
  }

  private static final List<String> VERBS =
      List.of("create", "update", "delete", "cond-create", "cond-create-match", "cond-update");

  /** A resource written for a cell: its reference, its identifier and the resource as sent. */
  private record Target(
      String reference, String identifier, Resource resource, MatrixActor author) {}

  private final GatewayProcess gateway;
  private final MatrixActor practitionerA;
  private final MatrixActor patientP;
  private final Map<String, Target> early = new java.util.concurrent.ConcurrentHashMap<>();

  MatrixWrites(GatewayProcess gateway, MatrixActor practitionerA, MatrixActor patientP) {
    this.gateway = gateway;
    this.practitionerA = practitionerA;
    this.patientP = patientP;
  }

  /** A write row: {@code [batch|tx] verb TARGET}. */
  private record WriteRow(String label, Mode mode, String verb, String kind) {
    boolean creating() {
      return verb.equals("create") || verb.equals("cond-create");
    }

    static WriteRow parse(String label) {
      String[] words = label.split(" ");
      Mode mode = Mode.DIRECT;
      int first = 0;
      if (words[0].equals("batch") || words[0].equals("tx")) {
        mode = words[0].equals("batch") ? Mode.BATCH : Mode.TRANSACTION;
        first = 1;
      }
      if (words.length != first + 2
          || !VERBS.contains(words[first])
          || !List.of("ALG", "LAB", "OWN").contains(words[first + 1])) {
        return null;
      }
      return new WriteRow(label, mode, words[first], words[first + 1]);
    }
  }

  /** The interaction of a row label {@code [batch|tx] verb TARGET}, or null if it is not one. */
  Function<MatrixActor, Outcome> interaction(String label) {
    WriteRow row = WriteRow.parse(label);
    return row == null ? null : actor -> run(row, actor);
  }

  /**
   * Writes now, for each of the columns, the target of every row among {@code labels} that needs
   * one; that column's cell uses it instead of a fresh one. Called while a Consent is still active,
   * so that its actor holds the keys of targets it will be refused to change once the Consent ends.
   */
  void writeTargetsNow(List<String> labels, List<String> columns) {
    for (String label : labels) {
      WriteRow row = WriteRow.parse(label);
      if (row != null && !row.creating()) {
        for (String column : columns) {
          early.put(label + "|" + column, prepare(row.kind()));
        }
      }
    }
  }

  /** The targets {@link #writeTargetsNow} wrote for the column (null: one could not be written). */
  List<String> targetsWrittenEarly(String column) {
    return early.entrySet().stream()
        .filter(e -> e.getKey().endsWith("|" + column))
        .map(e -> e.getValue().reference())
        .toList();
  }

  private Outcome run(WriteRow row, MatrixActor actor) {
    Mode mode = row.mode();
    String verb = row.verb();
    String kind = row.kind();
    boolean creating = row.creating();
    Target target = null;
    if (!creating) {
      target = early.remove(row.label() + "|" + actor.column());
      if (target == null) {
        target = prepare(kind);
      }
      if (target.reference() == null) {
        return Outcome.of("setup", "")
            .withProblem("its target could not be written by " + target.author().column());
      }
    }
    Resource body;
    String identifier;
    if (creating || verb.equals("cond-create-match")) {
      identifier = creating ? MatrixResources.newIdentifier() : target.identifier();
      body = newResource(kind, identifier);
    } else {
      identifier = target.identifier();
      body = target.resource().copy();
      note(body, "changed by " + actor.fhirUser());
    }
    Sent sent =
        switch (mode) {
          case DIRECT -> direct(verb, body, identifier, target, actor);
          case BATCH, TRANSACTION -> bundle(mode, verb, body, identifier, target, actor);
        };
    return check(mode, verb, sent, body.fhirType(), identifier, target, actor);
  }

  /** What the actor's request observed, and where a created or matched resource is. */
  private record Sent(Outcome outcome, String location) {
    boolean succeeded() {
      return outcome.observed().startsWith("2");
    }
  }

  private Sent direct(
      String verb, Resource body, String identifier, Target target, MatrixActor actor) {
    String type = body.fhirType();
    RequestSpecification request = actor.fhir(gateway);
    Response response =
        switch (verb) {
          case "create" -> send(request, body).post("/" + type);
          case "cond-create", "cond-create-match" ->
              send(
                      request.header("If-None-Exist", MatrixResources.identifierToken(identifier)),
                      body)
                  .post("/" + type);
          case "update" ->
              send(request, withId(body, target.reference())).put("/" + target.reference());
          case "delete" -> request.delete("/" + target.reference());
          case "cond-update" ->
              send(request, body)
                  .put("/" + type + "?" + MatrixResources.identifierToken(identifier));
          default -> throw new IllegalArgumentException(verb);
        };
    String location = response.header("Location");
    if (location == null && verb.equals("cond-create-match") && response.statusCode() == 200) {
      location = target.reference();
    }
    return new Sent(Outcome.status(response), location);
  }

  private Sent bundle(
      Mode mode, String verb, Resource body, String identifier, Target target, MatrixActor actor) {
    Bundle bundle =
        new Bundle()
            .setType(mode == Mode.BATCH ? Bundle.BundleType.BATCH : Bundle.BundleType.TRANSACTION);
    Bundle.BundleEntryComponent entry = bundle.addEntry();
    String type = body.fhirType();
    switch (verb) {
      case "create", "cond-create", "cond-create-match" -> {
        entry.setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(body);
        entry.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl(type);
        if (!verb.equals("create")) {
          entry.getRequest().setIfNoneExist(MatrixResources.identifierToken(identifier));
        }
      }
      case "update" -> {
        entry
            .setFullUrl(gateway.fhirBase() + "/" + target.reference())
            .setResource(withId(body, target.reference()));
        entry.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(target.reference());
      }
      case "delete" ->
          entry.getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl(target.reference());
      case "cond-update" -> {
        entry.setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(body);
        entry
            .getRequest()
            .setMethod(Bundle.HTTPVerb.PUT)
            .setUrl(type + "?" + MatrixResources.identifierToken(identifier));
      }
      default -> throw new IllegalArgumentException(verb);
    }
    Response response = send(actor.fhir(gateway), bundle).post("/");
    if (mode == Mode.TRANSACTION || response.statusCode() != 200) {
      Sent sent = new Sent(Outcome.status(response), null);
      if (mode == Mode.BATCH) {
        return new Sent(
            Outcome.of("batch " + response.statusCode(), sent.outcome().diagnostics()), null);
      }
      return new Sent(sent.outcome(), response.statusCode() == 200 ? location(response) : null);
    }
    Bundle answer = Fhir.parse(Bundle.class, response.asString());
    if (answer.getEntry().size() != 1) {
      return new Sent(
          Outcome.of("batch 200", "").withProblem(answer.getEntry().size() + " entries answered"),
          null);
    }
    Bundle.BundleEntryResponseComponent entryResponse = answer.getEntryFirstRep().getResponse();
    String status =
        entryResponse.getStatus() == null ? "?" : entryResponse.getStatus().split(" ")[0];
    String diagnostics =
        entryResponse.getOutcome() instanceof OperationOutcome outcome
            ? AuthorizationMatrix.diagnostics(outcome)
            : "";
    return new Sent(Outcome.of(status, diagnostics), entryResponse.getLocation());
  }

  private static String location(Response transaction) {
    Bundle answer = Fhir.parse(Bundle.class, transaction.asString());
    return answer.getEntry().isEmpty()
        ? null
        : answer.getEntryFirstRep().getResponse().getLocation();
  }

  /**
   * What the patient sees after the actor's request; a broken promise makes the cell unexpected.
   */
  private Outcome check(
      Mode mode,
      String verb,
      Sent sent,
      String type,
      String identifier,
      Target target,
      MatrixActor actor) {
    Outcome outcome = sent.outcome();
    if (!outcome.observed().matches("(batch )?\\d{3}")) {
      return outcome;
    }
    switch (verb) {
      case "create", "cond-create", "cond-create-match" -> {
        boolean matching = verb.equals("cond-create-match");
        if (!sent.succeeded()) {
          return count(outcome, type, identifier, matching ? 1 : 0);
        }
        if (sent.location() == null) {
          return outcome.withProblem("no location of the created or matched resource");
        }
        String created = Fhir.relativeId(sent.location());
        outcome = readable(outcome, patientP, created, "the patient");
        outcome = readable(outcome, actor, created, "the writer");
        if (matching && mode == Mode.DIRECT) {
          outcome = count(outcome, type, identifier, outcome.observed().equals("200") ? 1 : 2);
        }
        return outcome;
      }
      case "update", "cond-update" -> {
        outcome = version(outcome, target, sent.succeeded() ? "2" : "1");
        return sent.succeeded()
            ? readable(outcome, target.author(), target.reference(), "the earlier author")
            : outcome;
      }
      case "delete" -> {
        Response read = patientP.fhir(gateway).get("/" + target.reference());
        int expected = sent.succeeded() ? 410 : 200;
        return read.statusCode() == expected
            ? outcome
            : outcome.withProblem(
                "the patient's read of the target answered "
                    + read.statusCode()
                    + ", not "
                    + expected
                    + (sent.succeeded() ? " (deleted)" : " (a refused delete changed it)"));
      }
      default -> throw new IllegalArgumentException(verb);
    }
  }

  private Outcome readable(Outcome outcome, MatrixActor reader, String reference, String who) {
    Response read = reader.fhir(gateway).get("/" + reference);
    return read.statusCode() == 200
        ? outcome
        : outcome.withProblem(
            who + " (" + reader.column() + ") cannot read " + reference + ": " + read.statusCode());
  }

  private Outcome version(Outcome outcome, Target target, String expected) {
    Response read = patientP.fhir(gateway).get("/" + target.reference());
    if (read.statusCode() != 200) {
      return outcome.withProblem(
          "the patient's read of the target answered " + read.statusCode() + ", not 200");
    }
    Resource current = (Resource) Fhir.parse(read.asString());
    String version = current.getMeta().getVersionId();
    return expected.equals(version)
        ? outcome
        : outcome.withProblem(
            "the target is at version "
                + version
                + ", not "
                + expected
                + (expected.equals("1") ? " (a refused write changed it)" : ""));
  }

  /** The patient counts the resources with the identifier (the patient reads all of its own). */
  private Outcome count(Outcome outcome, String type, String identifier, int expected) {
    Response search =
        patientP
            .fhir(gateway)
            .get("/" + type + "?" + MatrixResources.identifierToken(identifier) + "&_count=1000");
    if (search.statusCode() != 200) {
      return outcome.withProblem(
          "the patient's search by identifier answered " + search.statusCode());
    }
    int found = Fhir.parse(Bundle.class, search.asString()).getEntry().size();
    return found == expected
        ? outcome
        : outcome.withProblem(
            found
                + " resources with the identifier, not "
                + expected
                + (found > expected ? " (a refused create wrote one)" : ""));
  }

  /** Writes a fresh target of the kind with its author's full token. */
  private Target prepare(String kind) {
    String identifier = MatrixResources.newIdentifier();
    Resource resource = newResource(kind, identifier);
    MatrixActor author = kind.equals("OWN") ? patientP : practitionerA;
    Response created = send(author.fhir(gateway), resource).post("/" + resource.fhirType());
    if (created.statusCode() != 201) {
      return new Target(null, identifier, resource, author);
    }
    String reference = Fhir.relativeId(created.header("Location"));
    resource.setId(reference);
    return new Target(reference, identifier, resource, author);
  }

  /** A new resource of the kind for P ({@code OWN}: an allergy, written by P itself). */
  private Resource newResource(String kind, String identifier) {
    String patient = patientP.fhirUser();
    return kind.equals("LAB")
        ? MatrixResources.laboratory(patient, identifier)
        : MatrixResources.allergy(patient, identifier);
  }

  private static Resource withId(Resource resource, String reference) {
    Resource copy = resource.copy();
    copy.setId(reference);
    return copy;
  }

  private static void note(Resource resource, String text) {
    if (resource instanceof AllergyIntolerance a) {
      a.addNote().setText(text);
    } else if (resource instanceof Observation o) {
      o.addNote().setText(text);
    }
  }

  private static RequestSpecification send(RequestSpecification request, Resource resource) {
    return request.contentType(Fhir.JSON_TYPE).body(Fhir.json().encodeResourceToString(resource));
  }
}
