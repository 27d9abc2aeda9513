package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The node loses power while practitioners are writing: after a restart every write that was
 * acknowledged with 201 is there, and the ledger verifies.
 */
@Order(6)
class CrashRecoveryTest {

  private static final int WRITERS = 8;

  @Test
  void kill9_duringConcurrentWrites_acknowledgedWritesSurviveAndLedgerVerifies() throws Exception {
    try (GatewayProcess gateway = GatewayProcess.create("crash")) {
      gateway.start();
      String patient = gateway.fhirUser(GatewayProcess.PATIENT_P);
      String token = gateway.token(GatewayProcess.PRACTITIONER_A);
      // Warm-up: the first write of an author for a patient sets up keys and takes seconds.
      Response warmUp =
          Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
              .contentType(Fhir.JSON_TYPE)
              .body(Observations.heartRate(patient, "crash-warm-up", 1))
              .post("/Observation");
      assertThat(warmUp.statusCode()).as("warm-up write: %s", warmUp.asString()).isEqualTo(201);
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      Map<String, String> acknowledged = new ConcurrentHashMap<>(); // Location -> identifier
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicBoolean killing = new AtomicBoolean(false);
      AtomicInteger unexpected = new AtomicInteger();
      List<String> unexpectedSamples = new java.util.concurrent.CopyOnWriteArrayList<>();
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        Thread thread =
            new Thread(
                () -> {
                  for (int n = 0; running.get(); n++) {
                    String identifier = "crash-" + writer + "-" + n;
                    HttpRequest request =
                        HttpRequest.newBuilder(URI.create(gateway.fhirBase() + "/Observation"))
                            .timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", Fhir.JSON_TYPE)
                            .POST(
                                HttpRequest.BodyPublishers.ofString(
                                    Observations.heartRate(patient, identifier, n % 200)))
                            .build();
                    try {
                      HttpResponse<String> response =
                          http.send(request, HttpResponse.BodyHandlers.ofString());
                      if (response.statusCode() == 201) {
                        acknowledged.put(
                            response.headers().firstValue("Location").orElse("?"), identifier);
                      } else if (!killing.get()) {
                        unexpected.incrementAndGet();
                        if (unexpectedSamples.size() < 3) {
                          unexpectedSamples.add(response.statusCode() + " " + response.body());
                        }
                      }
                    } catch (IOException e) {
                      if (!killing.get()) {
                        unexpected.incrementAndGet();
                        unexpectedSamples.add(e.toString());
                      }
                      return; // the server is gone
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                },
                "writer-" + w);
        thread.start();
        writers.add(thread);
      }
      Thread.sleep(5000);
      int beforeKill = acknowledged.size();
      killing.set(true); // requests still in flight now fail, as they should
      gateway.kill();
      running.set(false);
      for (Thread thread : writers) {
        thread.join(60_000);
      }
      assertThat(unexpected.get())
          .as("non-201 answers before the kill: %s", unexpectedSamples)
          .isZero();
      assertThat(beforeKill).as("writes acknowledged in 5 s").isPositive();

      gateway.start();
      List<String> lost = new ArrayList<>();
      for (Map.Entry<String, String> write : acknowledged.entrySet()) {
        Response read =
            Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
                .get("/" + Fhir.relativeId(write.getKey()));
        if (read.statusCode() != 200) {
          lost.add(write.getKey() + " -> " + read.statusCode());
          continue;
        }
        Observation observation = Fhir.parse(Observation.class, read.asString());
        if (!write.getValue().equals(observation.getIdentifierFirstRep().getValue())) {
          lost.add(write.getKey() + " holds " + observation.getIdentifierFirstRep().getValue());
        }
      }
      assertThat(lost.stream().limit(10).toList())
          .as("%d of %d acknowledged writes lost or wrong", lost.size(), acknowledged.size())
          .isEmpty();
      assertThat(Fhir.ledgerHead(gateway).treeSize()).isGreaterThanOrEqualTo(acknowledged.size());
      gateway.stop();
      LedgerTamperTest.assertVerifiesOk(gateway);
    }
  }
}
