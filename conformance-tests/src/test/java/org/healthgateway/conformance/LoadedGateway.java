package org.healthgateway.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One gateway loaded with the whole Synthea sample as {@code demo-ehr}, shared by every test class
 * that needs loaded data (loading takes minutes). Started on first use, stopped when the test JVM
 * exits.
 */
final class LoadedGateway {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static LoadedGateway shared;
  private static RuntimeException failure;

  final GatewayProcess gateway;
  final List<LoadedBundle> directory = new ArrayList<>();
  final List<LoadedBundle> patients = new ArrayList<>();

  /** fullUrl of every created entry -> {@code Type/id} on the server. */
  final Map<String, String> idByFullUrl = new HashMap<>();

  /** {@code Type?identifier=system|value} (conditional reference) -> {@code Type/id}. */
  final Map<String, String> idByCondition = new HashMap<>();

  private LoadedGateway(GatewayProcess gateway) {
    this.gateway = gateway;
  }

  /** The shared loaded gateway; a failed load is reported to every caller without retrying. */
  static synchronized LoadedGateway shared() {
    if (failure != null) {
      throw new IllegalStateException("Synthea load failed earlier", failure);
    }
    if (shared == null) {
      GatewayProcess process = GatewayProcess.create("synthea");
      Runtime.getRuntime().addShutdownHook(new Thread(process::stop));
      try {
        process.start();
        LoadedGateway loaded = new LoadedGateway(process);
        loaded.load();
        shared = loaded;
      } catch (RuntimeException | AssertionError e) {
        failure = new IllegalStateException(e.getMessage() + "\nserver log: " + process.tail(), e);
        throw failure;
      }
    } else if (!shared.gateway.isRunning()) {
      shared.gateway.start(); // stopped by a test that inspects the files at rest
    }
    return shared;
  }

  private void load() {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    for (Path path : SyntheaData.directoryBundles()) {
      directory.add(post(http, SyntheaData.read(path)));
    }
    for (Path path : SyntheaData.patientBundles()) {
      patients.add(post(http, SyntheaData.read(path)));
    }
  }

  private LoadedBundle post(HttpClient http, SyntheaData.BundleFile bundle) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(gateway.fhirBase()))
              .timeout(Duration.ofMinutes(10))
              .header("Authorization", "Bearer " + gateway.token(GatewayProcess.EHR))
              .header("Content-Type", Fhir.JSON_TYPE)
              .header("Accept", "application/fhir+json")
              .POST(HttpRequest.BodyPublishers.ofFile(bundle.path()))
              .build();
      long started = System.nanoTime();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      long millis = (System.nanoTime() - started) / 1_000_000;
      List<EntryResult> results = new ArrayList<>();
      if (response.statusCode() == 200) {
        JsonNode entries = JSON.readTree(response.body()).path("entry");
        for (int i = 0; i < entries.size(); i++) {
          JsonNode answer = entries.get(i).path("response");
          results.add(
              new EntryResult(
                  answer.path("status").asText(), answer.path("location").asText(null)));
        }
        recordIds(bundle, results);
      }
      return new LoadedBundle(bundle, response.statusCode(), response.body(), results, millis);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private void recordIds(SyntheaData.BundleFile bundle, List<EntryResult> results) {
    for (int i = 0; i < Math.min(bundle.entries().size(), results.size()); i++) {
      SyntheaData.Entry entry = bundle.entries().get(i);
      EntryResult result = results.get(i);
      if (result.location() == null || !result.is2xx()) {
        continue;
      }
      String id = Fhir.relativeId(result.location());
      if (entry.fullUrl() != null) {
        idByFullUrl.put(entry.fullUrl(), id);
      }
      if (entry.ifNoneExist() != null) {
        idByCondition.put(entry.resourceType() + "?" + entry.ifNoneExist(), id);
      }
    }
  }

  /** Maps a sent reference (urn:uuid fullUrl or conditional reference) to the server id. */
  UnaryOperator<String> referenceMap() {
    return reference -> {
      String id = idByFullUrl.get(reference);
      return id != null ? id : idByCondition.get(reference);
    };
  }

  /** Server id ({@code Type/id}) of the Patient of a loaded patient Bundle. */
  String patientId(LoadedBundle bundle) {
    String id = idByFullUrl.get(bundle.file().patient().fullUrl());
    if (id == null) {
      throw new AssertionError(
          "the Patient of "
              + bundle.file().name()
              + " was not created (HTTP "
              + bundle.httpStatus()
              + "): "
              + abbreviate(bundle.responseBody()));
    }
    return id;
  }

  /** Fails unless every Bundle was accepted, so that no test passes on an empty server. */
  void assertFullyLoaded() {
    for (LoadedBundle bundle : directory) {
      assertAccepted(bundle);
    }
    for (LoadedBundle bundle : patients) {
      assertAccepted(bundle);
    }
  }

  private static void assertAccepted(LoadedBundle bundle) {
    if (bundle.httpStatus() != 200) {
      throw new AssertionError(
          bundle.file().name()
              + " was refused with HTTP "
              + bundle.httpStatus()
              + ": "
              + abbreviate(bundle.responseBody()));
    }
  }

  private static String abbreviate(String text) {
    return text == null || text.length() <= 500 ? text : text.substring(0, 500) + "...";
  }

  /** A Bundle as sent with the server's answer to it. */
  record LoadedBundle(
      SyntheaData.BundleFile file,
      int httpStatus,
      String responseBody,
      List<EntryResult> results,
      long millis) {}

  /** {@code Bundle.entry.response} of one entry. */
  record EntryResult(String status, String location) {
    boolean is2xx() {
      return status != null && status.trim().startsWith("2");
    }

    boolean created() {
      return status != null && status.trim().startsWith("201");
    }
  }
}
