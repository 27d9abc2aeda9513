package org.healthgateway.server.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.interceptor.RequestValidatingInterceptor;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.jwk.JWK;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.SecretKey;
import org.healthgateway.keys.EncryptedKeyStore;
import org.healthgateway.keys.consent.ChangeRule;
import org.healthgateway.keys.consent.ConsentEngine;
import org.healthgateway.keys.consent.ReadRule;
import org.healthgateway.keys.envelope.Envelope;
import org.healthgateway.keys.grant.GrantRing;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.keys.internal.AesGcmContentCipher;
import org.healthgateway.keys.internal.AesKeyWrapper;
import org.healthgateway.keys.internal.JweKeyWrapper;
import org.healthgateway.keys.log.KeyLog;
import org.healthgateway.keys.log.KeyLogException;
import org.healthgateway.ledger.CheckpointSigner;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.Ledger;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.embedded.EmbeddedLedger;
import org.healthgateway.ledger.ethereum.EthereumLedger;
import org.healthgateway.ledger.ethereum.RecordLogDeployer;
import org.healthgateway.server.audit.AuditService;
import org.healthgateway.server.audit.DisclosureInterceptor;
import org.healthgateway.server.consent.ChangeGuard;
import org.healthgateway.server.consent.ConsentService;
import org.healthgateway.server.consent.KeyReleaseService;
import org.healthgateway.server.fhir.KeyRegistrationProvider;
import org.healthgateway.server.fhir.LedgerOperations;
import org.healthgateway.server.fhir.ResourceService;
import org.healthgateway.server.fhir.TransactionProcessor;
import org.healthgateway.server.fhir.TransactionProvider;
import org.healthgateway.server.members.MembersEndpoint;
import org.healthgateway.server.properties.GatewayProperties;
import org.healthgateway.server.search.SearchEngine;
import org.healthgateway.server.security.TokenSigningKey;
import org.healthgateway.server.store.FactPositions;
import org.healthgateway.server.store.LedgerKeyLog;
import org.healthgateway.server.store.RecordStore;
import org.healthgateway.server.store.ResourceIndex;
import org.healthgateway.server.store.TransactionSigning;
import org.healthgateway.server.subscription.Subscriptions;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;
import org.web3j.crypto.exception.CipherException;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/** The one place that assembles ledger, keys, store and FHIR server. */
@Configuration
public class GatewayConfig {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayConfig.class);

  @Bean
  FhirContext fhirContext() {
    return FhirContext.forR4Cached();
  }

  @Bean
  EncryptedKeyStore keyStore(GatewayProperties properties) {
    char[] password = KeystorePassword.resolve(properties);
    try {
      Files.createDirectories(properties.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + properties.dataDir(), e);
    }
    DataFormat.requireCurrent(properties.dataDir());
    try {
      return EncryptedKeyStore.openOrCreate(
          properties.dataDir().resolve("keystore.bcfks"), password);
    } catch (org.healthgateway.keys.KeyStorageException e) {
      throw new IllegalStateException("Refusing to start: " + e.getMessage(), e);
    }
  }

  @Bean
  Identities identities(EncryptedKeyStore keyStore, GatewayProperties properties) {
    return new Identities(keyStore, properties.node().reference());
  }

  @Bean
  TokenSigningKey tokenSigningKey(EncryptedKeyStore keyStore) {
    return new TokenSigningKey(keyStore);
  }

  @Bean(destroyMethod = "close")
  Ledger ledger(
      GatewayProperties properties, Identities identities, ObjectProvider<MeterRegistry> meters) {
    JWK nodeKey = identities.nodeKey();
    Path dir = properties.dataDir().resolve("ledger");
    try {
      NodeKeyFile.write(properties.dataDir(), nodeKey.toPublicJWK(), identities.node());
      if (properties.ledger().type().equals("ethereum")) {
        return ethereumLedger(
            properties,
            identities.node(),
            nodeKey,
            meters.getIfAvailable(SimpleMeterRegistry::new));
      }
      return EmbeddedLedger.open(
          dir,
          CheckpointSigner.of(nodeKey),
          nodeKey.toPublicJWK(),
          EmbeddedLedger.Options.defaults()
              .withSegmentBytes(properties.ledger().segmentBytes())
              .withCheckpointInterval(properties.ledger().checkpointInterval()));
    } catch (LedgerException e) {
      throw new IllegalStateException(
          "Refusing to start: the ledger in " + dir + " does not verify: " + e.getMessage(), e);
    }
  }

  /**
   * The ledger on an EVM chain (ledger-ethereum/README.md): the account from a V3 keystore under
   * the data directory, opened with the node keystore's password; the contract configured, or
   * deployed on first start and remembered in {@code ethereum-contract.properties}.
   */
  private static Ledger ethereumLedger(
      GatewayProperties properties, String node, JWK nodeKey, MeterRegistry meters)
      throws LedgerException {
    GatewayProperties.Ethereum config = properties.ledger().ethereum();
    if (config.rpcUrl() == null || config.rpcUrl().isBlank()) {
      throw new IllegalStateException("Refusing to start: set gateway.ledger.ethereum.rpc-url");
    }
    Path keystore =
        config.accountKeystore() != null
            ? config.accountKeystore()
            : properties.dataDir().resolve("ethereum-account.json");
    Credentials account;
    try {
      account =
          WalletUtils.loadCredentials(
              new String(KeystorePassword.resolve(properties)), keystore.toFile());
    } catch (IOException | CipherException e) {
      throw new IllegalStateException(
          "Refusing to start: cannot open the Ethereum account keystore " + keystore, e);
    }
    List<JWK> registry = registryKeys(config, nodeKey);
    Web3j web3j = Web3j.build(new HttpService(config.rpcUrl()));
    try {
      RecordLogDeployer.Deployed contract = contract(properties, config, web3j, account);
      EthereumLedger.Options options =
          EthereumLedger.Options.of(contract.address())
              .withConfirmationDepth(config.confirmationDepth())
              .withStartBlock(Math.max(config.startBlock(), contract.block()))
              .withPollInterval(config.pollInterval());
      EthereumLedger ledger =
          EthereumLedger.open(
              properties.dataDir().resolve("ledger-ethereum"),
              web3j,
              account,
              node,
              registry,
              CheckpointSigner.of(nodeKey),
              nodeKey.toPublicJWK(),
              options,
              meters);
      ledger.onClose(web3j::shutdown);
      awaitAdmission(ledger, node, nodeKey.toPublicJWK(), config.admissionTimeout());
      return ledger;
    } catch (LedgerException | RuntimeException e) {
      web3j.shutdown();
      throw e;
    }
  }

  /**
   * Waits until this node is a member of the chain (a founding member is one at once): until then
   * every node, this one included, refuses its records, so it must not write.
   */
  private static void awaitAdmission(
      EthereumLedger ledger, String node, JWK nodeKey, Duration timeout) throws LedgerException {
    if (ledger.isMember(nodeKey)) {
      return;
    }
    String thumbprint = DetachedJws.thumbprint(nodeKey);
    LOG.warn(
        "{} (node key {}) is not a member of the chain yet. A member's operator admits it: POST"
            + " /actuator/members/{} on that member's management port, with this node's"
            + " node-key.jwk.json as the body. Waiting up to {}.",
        node,
        thumbprint,
        node.substring(node.indexOf('/') + 1),
        timeout);
    try {
      ledger.awaitMembership(nodeKey, timeout);
      LOG.info("{} is a member of the chain", node);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ledger.close();
      throw new LedgerException("interrupted while waiting for admission", e);
    } catch (LedgerException e) {
      ledger.close();
      throw new IllegalStateException(
          "Refusing to start: " + node + " was not admitted to the chain within " + timeout, e);
    }
  }

  /**
   * The founding members' keys (files or inline JWK JSON); this node's own when none is configured:
   * the node that starts a chain is its first member.
   */
  private static List<JWK> registryKeys(GatewayProperties.Ethereum config, JWK nodeKey) {
    if (config.registryKeys().isEmpty()) {
      return List.of(nodeKey.toPublicJWK());
    }
    List<JWK> keys = new ArrayList<>();
    for (String key : config.registryKeys()) {
      try {
        String json = key.strip().startsWith("{") ? key : Files.readString(Path.of(key.strip()));
        keys.add(JWK.parse(json).toPublicJWK());
      } catch (IOException | java.text.ParseException e) {
        throw new IllegalStateException("Refusing to start: unreadable registry key " + key, e);
      }
    }
    return keys;
  }

  /** The configured contract, the one deployed earlier, or a new one. */
  private static RecordLogDeployer.Deployed contract(
      GatewayProperties properties,
      GatewayProperties.Ethereum config,
      Web3j web3j,
      Credentials account)
      throws LedgerException {
    if (config.contractAddress() != null && !config.contractAddress().isBlank()) {
      return new RecordLogDeployer.Deployed(config.contractAddress(), config.startBlock());
    }
    Path file = properties.dataDir().resolve("ethereum-contract.properties");
    java.util.Properties stored = new java.util.Properties();
    try {
      if (Files.exists(file)) {
        try (var in = Files.newBufferedReader(file)) {
          stored.load(in);
        }
        return new RecordLogDeployer.Deployed(
            stored.getProperty("address"), Long.parseLong(stored.getProperty("block")));
      }
      RecordLogDeployer.Deployed deployed =
          RecordLogDeployer.deploy(web3j, account, java.time.Duration.ofMinutes(2));
      stored.setProperty("address", deployed.address());
      stored.setProperty("block", Long.toString(deployed.block()));
      try (var out = Files.newBufferedWriter(file)) {
        stored.store(out, "RecordLog contract deployed by this node");
      }
      LOG.info(
          "Deployed the RecordLog contract at {} in block {} (kept in {})",
          deployed.address(),
          deployed.block(),
          file);
      return deployed;
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("Refusing to start: unreadable " + file, e);
    }
  }

  /** What the node knows of every version, rebuilt from the ledger at start. */
  @Bean
  ResourceIndex resourceIndex() {
    return new ResourceIndex();
  }

  /** The node's signatures on what it appends: its own facts and its users' writes. */
  @Bean
  TransactionSigning transactionSigning(Identities identities) {
    return new TransactionSigning(identities);
  }

  /** The broker's key facts, as IDENTITY and KEY_RELEASE transactions on the ledger. */
  @Bean
  LedgerKeyLog keyLog(Ledger ledger, TransactionSigning signing, FactPositions positions) {
    return new LedgerKeyLog(ledger, signing, positions);
  }

  /** The shared chain's members and the admission of other nodes, on the management port. */
  @Bean
  MembersEndpoint membersEndpoint(Ledger ledger, LedgerKeyLog keyLog) {
    return new MembersEndpoint(ledger, keyLog);
  }

  /** Where the key facts are on the ledger: what a start from an index snapshot replays. */
  @Bean
  FactPositions factPositions() {
    return new FactPositions();
  }

  @Bean
  GrantRing grantRing(Identities identities, GatewayProperties properties, MeterRegistry meters) {
    Cache<String, SecretKey> grantKeys =
        Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterAccess(properties.cache().dataKeyTtl())
            .recordStats()
            .build();
    CaffeineCacheMetrics.monitor(meters, grantKeys, "gateway.grant-keys");
    return new GrantRing(identities, JweKeyWrapper.create(), grantKeys, meters);
  }

  @Bean
  Envelope envelope(GrantRing grants, GatewayProperties properties, MeterRegistry meters) {
    Cache<Long, SecretKey> dataKeys =
        Caffeine.newBuilder()
            .maximumSize(properties.cache().dataKeys())
            .expireAfterAccess(properties.cache().dataKeyTtl())
            .recordStats()
            .build();
    CaffeineCacheMetrics.monitor(meters, dataKeys, "gateway.data-keys");
    return new Envelope(
        grants, AesGcmContentCipher.create(), AesKeyWrapper.create(), dataKeys, meters);
  }

  @Bean(destroyMethod = "close")
  RecordStore recordStore(
      FhirContext fhir,
      Ledger ledger,
      ResourceIndex index,
      Identities identities,
      GrantRing grants,
      Envelope envelope,
      LedgerKeyLog keyLog,
      TransactionSigning signing,
      FactPositions positions,
      GatewayProperties properties,
      MeterRegistry meters) {
    Cache<Long, IBaseResource> opened =
        Caffeine.newBuilder()
            .maximumSize(properties.cache().openedResources())
            .expireAfterAccess(properties.cache().dataKeyTtl())
            .recordStats()
            .build();
    CaffeineCacheMetrics.monitor(meters, opened, "gateway.opened-resources");
    RecordStore store =
        new RecordStore(
            fhir,
            ledger,
            index,
            identities,
            grants,
            envelope,
            keyLog,
            signing,
            new ReadRule(new ConsentEngine()),
            opened,
            meters,
            positions,
            new RecordStore.Snapshots(
                properties.dataDir().resolve("index.snapshot"),
                properties.ledger().snapshotAfter()));
    try {
      store.open();
    } catch (LedgerException | KeyLogException e) {
      throw new IllegalStateException("Refusing to start: " + e.getMessage(), e);
    }
    return store;
  }

  @Bean
  ResourceService resourceService(
      FhirContext fhir,
      RecordStore store,
      ConsentService consents,
      AuditService audit,
      GatewayProperties properties,
      SearchEngine search) {
    ResourceService service = new ResourceService(fhir, store, search);
    List<String> editors =
        properties.recordEditors() == null ? List.of() : properties.recordEditors();
    service.addGuard(
        new ChangeGuard(
            fhir,
            store,
            consents,
            new ChangeRule(consents.engine(), java.util.Set.copyOf(editors))));
    service.addGuard(consents);
    service.setAuditTrail(audit);
    return service;
  }

  @Bean(destroyMethod = "close")
  AuditService auditService(
      RecordStore store,
      MeterRegistry meters,
      ConsentService consents,
      GatewayProperties properties) {
    AuditService audit =
        new AuditService(
            store::write,
            meters,
            new org.healthgateway.server.consent.GrantingConsents(store, consents),
            auditor(properties));
    store.addListener(audit);
    return audit;
  }

  /**
   * The access log's author, an identity of this node: Device/gateway-audit on the default node,
   * Device/<id>-audit on a named one (on a shared chain an identity has one home node).
   */
  private static String auditor(GatewayProperties properties) {
    return properties.node().id().equals("node")
        ? AuditService.AUDITOR
        : "Device/" + properties.node().id() + "-audit";
  }

  @Bean
  org.healthgateway.server.audit.AuditPolicy auditPolicy(GatewayProperties properties) {
    List<String> auditors = new ArrayList<>(properties.audit().auditors());
    if (properties.demo()) {
      // The demo auditor of a named node (gateway.node.id) is <node-id>-auditor.
      auditors.add(
          "Practitioner/"
              + org.healthgateway.server.security.DemoClients.demoId(
                  properties.node().id(), "auditor"));
    }
    return org.healthgateway.server.audit.AuditPolicy.of(auditors, properties.audit().retention());
  }

  /** The retention's runs: once now, before requests are served, then every expiry interval. */
  @Bean(destroyMethod = "close")
  org.healthgateway.server.audit.AuditExpiry auditExpiry(
      org.healthgateway.server.audit.AuditPolicy policy,
      RecordStore store,
      ResourceService service,
      GatewayProperties properties) {
    org.healthgateway.server.audit.AuditExpiry expiry =
        new org.healthgateway.server.audit.AuditExpiry(
            policy,
            store.index(),
            meta ->
                service
                    .openIfAllowed(meta, auditor(properties))
                    .map(org.hl7.fhir.r4.model.AuditEvent.class::cast),
            store::write,
            auditor(properties));
    expiry.start(properties.audit().expiryInterval());
    return expiry;
  }

  @Bean
  ConsentService consentService(
      FhirContext fhir,
      RecordStore store,
      ResourceIndex index,
      Identities identities,
      GatewayProperties properties) {
    List<String> registrars =
        new ArrayList<>(properties.registrars() == null ? List.of() : properties.registrars());
    if (properties.demo()) {
      // The demo registrar of a named node (gateway.node.id) is <node-id>-registrar.
      registrars.add(
          "Practitioner/"
              + org.healthgateway.server.security.DemoClients.demoId(
                  properties.node().id(), "registrar"));
    }
    ConsentService consents = new ConsentService(fhir, store, index, identities, registrars);
    store.addListener(consents);
    consents.load();
    store.setConsentBook(consents);
    store.setRecipientPolicy(consents);
    store.setReleaseCheck(consents);
    store.startFollowing();
    return consents;
  }

  @Bean
  KeyReleaseService keyReleaseService(
      FhirContext fhir,
      RecordStore store,
      ResourceIndex index,
      Ledger ledger,
      Identities identities,
      GrantRing grants,
      Envelope envelope,
      LedgerKeyLog keyLog,
      ConsentService consents,
      AuditService audit) {
    KeyReleaseService releases =
        new KeyReleaseService(
            fhir, store, index, ledger, identities, grants, envelope, keyLog, consents, audit);
    consents.onActivation(releases::releaseCustodial);
    return releases;
  }

  @Bean
  LedgerOperations ledgerOperations(
      RecordStore store, ResourceIndex index, Ledger ledger, Identities identities) {
    return new LedgerOperations(store, index, ledger, identities);
  }

  /**
   * The one search engine of the node (searches, SMART scope filters, Subscription criteria): its
   * FHIRPath engine loads every StructureDefinition when made, once.
   */
  @Bean
  SearchEngine searchEngine(FhirContext fhir, SharedValidationSupport validationSupport) {
    return new SearchEngine(fhir, validationSupport.loaded());
  }

  @Bean
  SharedValidationSupport sharedValidationSupport(FhirContext fhir) {
    return SharedValidationSupport.start(fhir);
  }

  /** FHIR Subscriptions: reloaded from the ledger, told of every write, websocket handler. */
  @Bean(destroyMethod = "close")
  Subscriptions subscriptions(
      FhirContext fhir,
      RecordStore store,
      JwtDecoder jwtDecoder,
      MeterRegistry meters,
      GatewayProperties properties,
      SearchEngine search) {
    return Subscriptions.start(
        fhir, store, search, jwtDecoder, meters, properties.subscriptions().allowedEndpoints());
  }

  /** Runs batch entries concurrently; shut down with the application. */
  @Bean(destroyMethod = "shutdown")
  java.util.concurrent.ExecutorService batchWorkers() {
    return java.util.concurrent.Executors.newFixedThreadPool(8);
  }

  @Bean
  ServletRegistrationBean<FhirServlet> fhirServlet(
      FhirContext fhir,
      ResourceService service,
      LedgerOperations ledgerOperations,
      KeyReleaseService releases,
      Identities identities,
      GrantRing grants,
      KeyLog keyLog,
      ResourceIndex index,
      GatewayProperties properties,
      MeterRegistry meters,
      Subscriptions subscriptions,
      AuditService audit,
      java.util.concurrent.ExecutorService batchWorkers,
      SearchEngine search,
      SharedValidationSupport validationSupport,
      org.healthgateway.server.audit.AuditPolicy auditPolicy,
      org.healthgateway.server.audit.AuditExpiry auditExpiry) {
    org.healthgateway.server.audit.RetentionFilter retention =
        new org.healthgateway.server.audit.RetentionFilter(auditPolicy, index);
    List<Object> interceptors = new ArrayList<>();
    interceptors.add(new ErrorOutcomeInterceptor());
    interceptors.add(new FhirMetricsInterceptor(meters));
    interceptors.add(new UnparsableBodyInterceptor());
    interceptors.add(new CapabilityInterceptor(fhir));
    interceptors.add(new org.healthgateway.server.security.HomeNodeInterceptor(identities));
    org.healthgateway.server.smart.SmartScopeInterceptor scopes =
        new org.healthgateway.server.smart.SmartScopeInterceptor(fhir, service, search);
    interceptors.add(scopes);
    interceptors.add(new DisclosureInterceptor(index, audit));
    interceptors.add(retention);
    interceptors.add(subscriptions.interceptor());
    if (properties.validation()) {
      interceptors.add(validatingInterceptor(fhir, validationSupport));
    }
    FhirServlet servlet =
        new FhirServlet(
            fhir,
            service,
            ledgerOperations,
            new TransactionProvider(new TransactionProcessor(service), batchWorkers, scopes),
            releases,
            new KeyRegistrationProvider(
                identities,
                grants,
                keyLog,
                index,
                java.util.Set.copyOf(
                    properties.registrars() == null ? List.of() : properties.registrars()),
                audit),
            new org.healthgateway.server.fhir.AuditEventProvider(
                service, auditPolicy, retention, auditor(properties)),
            interceptors);
    ServletRegistrationBean<FhirServlet> registration =
        new ServletRegistrationBean<>(servlet, "/fhir/*");
    registration.setLoadOnStartup(1);
    return registration;
  }

  @Bean
  FilterRegistrationBean<RequestSyntaxFilter> requestSyntaxFilter(GatewayProperties properties) {
    FilterRegistrationBean<RequestSyntaxFilter> registration =
        new FilterRegistrationBean<>(new RequestSyntaxFilter(properties.maxBodyBytes()));
    registration.addUrlPatterns("/fhir/*");
    registration.setOrder(Integer.MIN_VALUE);
    return registration;
  }

  private static RequestValidatingInterceptor validatingInterceptor(
      FhirContext fhir, SharedValidationSupport support) {
    RequestValidatingInterceptor interceptor = new ParseAwareValidatingInterceptor();
    interceptor.addValidatorModule(
        new BackgroundValidatorModule(
            fhir,
            () -> {
              support.loaded().join();
              return instanceValidator(support.chain());
            }));
    interceptor.setFailOnSeverity(ResultSeverityEnum.ERROR);
    interceptor.setAddResponseHeaderOnSeverity(null);
    return interceptor;
  }

  private static FhirInstanceValidator instanceValidator(ValidationSupportChain chain) {
    FhirInstanceValidator validator = new FhirInstanceValidator(chain);
    // HAPI's worker context cannot list code systems, which the validator needs for ValueSets that
    // include urn:oid: systems (HAPI-0650, a 500 before); this one lists the chain's.
    validator.setWrappedWorkerContext(chain, new CatalogWorkerContext(chain));
    validator.setAnyExtensionsAllowed(true);
    // Synthea and most EHRs declare US Core and other profiles we do not hold; base R4 rules still
    // apply.
    validator.setErrorForUnknownProfiles(false);
    // Best-practice checks (dom-6 "should have a narrative", "observations should have a
    // performer") only ever warn, and requests fail on errors alone; skipping them halves the
    // messages of a Synthea Bundle (2,476 -> 1,464) and HAPI de-duplicates messages in quadratic
    // time.
    validator.setBestPracticeWarningLevel(BestPracticeWarningLevel.Ignore);
    return validator;
  }
}
