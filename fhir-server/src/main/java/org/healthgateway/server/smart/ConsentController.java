package org.healthgateway.server.smart;

import java.security.Principal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.fhir.ResourceService;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Patient;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * The consent screen of the embedded authorization server: the signed-in user approves (or unticks)
 * each requested scope and, for a standalone launch with {@code launch/patient} by a user who is
 * not a patient, picks the patient. The form posts to Spring Authorization Server's authorization
 * endpoint; the chosen patient travels as the {@code patient} parameter.
 */
@RestController
@ConditionalOnExpression(SmartProperties.EMBEDDED)
public class ConsentController {
  public static final String PATH = "/oauth2/consent";
  private static final int MAX_PATIENTS = 200;
  private static final OAuth2TokenType STATE = new OAuth2TokenType(OAuth2ParameterNames.STATE);

  private final RegisteredClientRepository clients;
  private final OAuth2AuthorizationService authorizations;
  private final ResourceService service;
  private final FhirUsers fhirUsers;

  public ConsentController(
      RegisteredClientRepository clients,
      OAuth2AuthorizationService authorizations,
      ResourceService service,
      FhirUsers fhirUsers) {
    this.clients = clients;
    this.authorizations = authorizations;
    this.service = service;
    this.fhirUsers = fhirUsers;
  }

  @GetMapping(path = PATH, produces = MediaType.TEXT_HTML_VALUE)
  public String consent(
      Principal principal,
      @RequestParam(OAuth2ParameterNames.SCOPE) String scope,
      @RequestParam(OAuth2ParameterNames.CLIENT_ID) String clientId,
      @RequestParam(OAuth2ParameterNames.STATE) String state) {
    RegisteredClient client = clients.findByClientId(clientId);
    OAuth2Authorization authorization = authorizations.findByToken(state, STATE);
    if (client == null || authorization == null) {
      return page("Authorization request not found", "<p>Start again from the app.</p>");
    }
    OAuth2AuthorizationRequest request =
        authorization.getAttribute(OAuth2AuthorizationRequest.class.getName());
    Map<String, Object> extra = request == null ? Map.of() : request.getAdditionalParameters();
    Set<String> requested = new LinkedHashSet<>(List.of(scope.trim().split("\\s+")));
    String fhirUser = fhirUsers.fhirUserOf(principal.getName());
    boolean pickPatient =
        requested.contains("launch/patient")
            && !extra.containsKey("launch")
            && (fhirUser == null || !fhirUser.startsWith("Patient/"));
    StringBuilder form = new StringBuilder();
    form.append("<p>Signed in as <b>")
        .append(esc(principal.getName()))
        .append("</b>")
        .append(fhirUser == null ? "" : " (" + esc(fhirUser) + ")")
        .append(". <b>")
        .append(esc(client.getClientName()))
        .append("</b> asks for:</p>\n<form method=\"post\" action=\"/oauth2/authorize\">\n");
    hidden(form, OAuth2ParameterNames.CLIENT_ID, clientId);
    hidden(form, OAuth2ParameterNames.STATE, state);
    for (String s : requested) {
      if (s.equals("openid")) {
        hidden(form, OAuth2ParameterNames.SCOPE, s);
        continue;
      }
      form.append("<label><input type=\"checkbox\" name=\"scope\" value=\"")
          .append(esc(s))
          .append("\" checked> ")
          .append(esc(s))
          .append("</label><br>\n");
    }
    if (pickPatient) {
      form.append("<label>Patient <select name=\"patient\" required>\n");
      for (String[] option : patients(fhirUser)) {
        form.append("<option value=\"")
            .append(esc(option[0]))
            .append("\">")
            .append(esc(option[1]))
            .append("</option>\n");
      }
      form.append("</select></label><br>\n");
    }
    form.append("<button type=\"submit\">Allow</button>\n</form>\n");
    form.append("<form method=\"post\" action=\"/oauth2/authorize\">\n");
    hidden(form, OAuth2ParameterNames.CLIENT_ID, clientId);
    hidden(form, OAuth2ParameterNames.STATE, state);
    form.append("<button type=\"submit\">Deny</button>\n</form>\n");
    return page("Allow " + client.getClientName() + "?", form.toString());
  }

  /** Patients of this node, named when the user can open their record. */
  private List<String[]> patients(String fhirUser) {
    List<String[]> options = new ArrayList<>();
    for (VersionMeta meta : service.currentOfType("Patient")) {
      if (options.size() >= MAX_PATIENTS) {
        break;
      }
      if (meta.deleted()) {
        continue;
      }
      String label = meta.id();
      if (fhirUser != null) {
        java.util.Optional<IBaseResource> opened =
            service.openIfAllowed(meta, fhirUser).filter(Patient.class::isInstance);
        if (opened.isPresent()) {
          label =
              ((Patient) opened.get()).getNameFirstRep().getNameAsSingleString()
                  + " ("
                  + meta.id()
                  + ")";
          service.served(fhirUser, List.of(meta), "read");
        }
      }
      options.add(new String[] {meta.id(), label});
    }
    return options;
  }

  private static void hidden(StringBuilder form, String name, String value) {
    form.append("<input type=\"hidden\" name=\"")
        .append(name)
        .append("\" value=\"")
        .append(esc(value))
        .append("\">\n");
  }

  private static String page(String title, String body) {
    return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>"
        + esc(title)
        + "</title></head>\n<body><h1>"
        + esc(title)
        + "</h1>\n"
        + body
        + "</body></html>\n";
  }

  private static String esc(String text) {
    return text == null ? "" : HtmlUtils.htmlEscape(text);
  }
}
