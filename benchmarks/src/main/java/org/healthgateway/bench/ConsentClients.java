package org.healthgateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The three identities of the consent flow, as the gateway's demo clients (its {@code
 * secrets-dir/demo-clients.json}: clientId, clientSecret, fhirUser), each with its own
 * client-credentials token: the patient who holds the wallet, the practitioner who asks and reads
 * (the actor), and the practitioner who writes the data.
 */
record ConsentClients(
    String base,
    FhirHttp patient,
    String patientRef,
    FhirHttp actor,
    String actorRef,
    FhirHttp writer) {

  /**
   * @param tokenUrl the token endpoint; null for the gateway's own, {@code <base without
   *     /fhir>/oauth2/token}
   */
  static ConsentClients load(
      Path demoClients,
      String base,
      String tokenUrl,
      String patientClient,
      String actorClient,
      String writerClient)
      throws IOException {
    JsonNode clients = FhirHttp.json().readTree(demoClients.toFile()).path("clients");
    String fhirBase = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    String tokens =
        tokenUrl != null
            ? tokenUrl
            : fhirBase.substring(0, fhirBase.length() - (fhirBase.endsWith("/fhir") ? 5 : 0))
                + "/oauth2/token";
    JsonNode patient = client(clients, patientClient, demoClients);
    JsonNode actor = client(clients, actorClient, demoClients);
    return new ConsentClients(
        fhirBase,
        http(fhirBase, tokens, patient),
        patient.path("fhirUser").asText(),
        http(fhirBase, tokens, actor),
        actor.path("fhirUser").asText(),
        http(fhirBase, tokens, client(clients, writerClient, demoClients)));
  }

  void authenticate() throws IOException, InterruptedException {
    patient.authenticate();
    actor.authenticate();
    writer.authenticate();
  }

  private static JsonNode client(JsonNode clients, String clientId, Path file) {
    for (JsonNode client : clients) {
      if (clientId.equals(client.path("clientId").asText())) {
        return client;
      }
    }
    throw new IllegalArgumentException("no client " + clientId + " in " + file);
  }

  private static FhirHttp http(String base, String tokenUrl, JsonNode client) {
    return new FhirHttp(
        base,
        null,
        tokenUrl,
        client.path("clientId").asText(),
        client.path("clientSecret").asText());
  }
}
