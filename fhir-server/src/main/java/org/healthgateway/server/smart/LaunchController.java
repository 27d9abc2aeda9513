package org.healthgateway.server.smart;

import java.util.LinkedHashMap;
import java.util.Map;
import org.healthgateway.server.fhir.ResourceService;
import org.healthgateway.server.requester.Requester;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * EHR launch: an EHR (or a practitioner's session in it), authenticated with its bearer token,
 * creates a launch context for a patient and optionally an encounter and passes the returned opaque
 * id to the app as {@code launch}. Patients can't create launches.
 */
@RestController
@ConditionalOnExpression(SmartProperties.EMBEDDED)
public class LaunchController {
  private static final String ID = "[A-Za-z0-9\\-.]{1,64}";

  private final LaunchContexts launches;
  private final ResourceService service;

  public LaunchController(LaunchContexts launches, ResourceService service) {
    this.launches = launches;
    this.service = service;
  }

  @PostMapping(path = "/smart/launch", produces = "application/json")
  public ResponseEntity<Map<String, Object>> create(
      @RequestParam("patient") String patient,
      @RequestParam(value = "encounter", required = false) String encounter) {
    String requester;
    try {
      requester = Requester.current();
    } catch (RuntimeException e) {
      return error(HttpStatus.UNAUTHORIZED, "A valid bearer token is needed");
    }
    if (!requester.startsWith("Practitioner/") && !requester.startsWith("Device/")) {
      return error(HttpStatus.FORBIDDEN, "Only EHR systems and practitioners create launches");
    }
    String patientId = patient.startsWith("Patient/") ? patient.substring(8) : patient;
    String encounterId =
        encounter != null && encounter.startsWith("Encounter/")
            ? encounter.substring(10)
            : encounter;
    if (!patientId.matches(ID) || (encounterId != null && !encounterId.matches(ID))) {
      return error(HttpStatus.BAD_REQUEST, "patient and encounter must be FHIR ids");
    }
    if (!service.isLive("Patient", patientId)) {
      return error(HttpStatus.BAD_REQUEST, "Patient/" + patientId + " is not known");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("launch", launches.create(patientId, encounterId));
    body.put("patient", patientId);
    if (encounterId != null) {
      body.put("encounter", encounterId);
    }
    body.put("expires_in", LaunchContexts.LAUNCH_TTL.toSeconds());
    return ResponseEntity.status(HttpStatus.CREATED).body(body);
  }

  private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String message) {
    return ResponseEntity.status(status).body(Map.of("error", message));
  }
}
