package io.photobridge;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.photobridge.ingest.DropFolderNames;
import io.photobridge.ingest.DropFolderSource;
import io.photobridge.ingest.IngestOutcomes;
import io.photobridge.ingest.IngestPipeline;
import io.photobridge.cluster.ClusterHealthCheck;
import io.photobridge.cluster.LedgerClusterService;
import io.photobridge.cluster.SingletonRoutes;
import io.photobridge.console.ApiAnswers;
import io.photobridge.console.ConsoleApi;
import io.photobridge.console.ConsoleAssets;
import io.photobridge.console.FailedFiles;
import io.photobridge.console.Thumbnails;
import io.photobridge.ingest.IngestProgress;
import io.photobridge.ingest.LedgerClaims;
import io.photobridge.ingest.InspectionRules;
import io.photobridge.ingest.MediaInspector;
import io.photobridge.ingest.NameRules;
import io.photobridge.ingest.S3RouteLoader;
import io.photobridge.ingest.S3Source;
import io.photobridge.ingest.S3Urls;
import io.photobridge.ingest.UrlEncodedListings;
import io.photobridge.inspektlabs.DamageBatchStrategy;
import io.photobridge.inspektlabs.DamageBatching;
import io.photobridge.inspektlabs.DamageSubmitter;
import io.photobridge.inspektlabs.DamageWebhook;
import io.photobridge.inspektlabs.InspektlabsClient;
import io.photobridge.inspektlabs.InspektlabsSettings;
import io.photobridge.inspektlabs.MediaStore;
import io.photobridge.jobs.Housekeeping;
import io.photobridge.jobs.Job;
import io.photobridge.jobs.JobRecords;
import io.photobridge.jobs.JobsApi;
import io.photobridge.jobs.JobsHealthCheck;
import io.photobridge.jobs.Reconciliation;
import io.photobridge.jobs.ScheduledJobs;
import io.photobridge.pave.PaveClient;
import io.photobridge.pave.PaveLinkApi;
import io.photobridge.pave.PaveRelay;
import io.photobridge.pave.PaveSettings;
import io.photobridge.pave.PaveWebhook;
import io.photobridge.records.ApiToken;
import io.photobridge.records.DamageRecords;
import io.photobridge.records.Ledger;
import io.photobridge.records.LedgerGauges;
import io.photobridge.records.LedgerHealthCheck;
import io.photobridge.records.OrderRecordsApi;
import io.photobridge.records.PaveRecords;
import io.photobridge.records.TransferRecords;
import io.photobridge.recoveryconnect.PhotoTransfers;
import io.photobridge.recoveryconnect.PhotoUploader;
import io.photobridge.recoveryconnect.RecoveryConnectClient;
import io.photobridge.recoveryconnect.RecoveryConnectSettings;
import io.photobridge.recoveryconnect.TransferApi;
import io.photobridge.recoveryconnect.TransferFiles;
import io.photobridge.routes.Reload;
import io.photobridge.routes.ReloadsApi;
import io.photobridge.routes.RoutesHealthCheck;
import io.photobridge.routes.ValidatingRouteReloadStrategy;
import io.photobridge.vendor.VendorHealth;
import io.photobridge.vendor.VendorModes;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.direct.DirectComponent;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Builds PhotoBridge's beans from the settings: the ledger, the vendor clients and the ingest steps. It never constructs a
 * simulator: a simulated vendor's settings already point at its sandbox (see SandboxConfiguration).
 */
public class PhotoBridgeConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(PhotoBridgeConfiguration.class);
    /** The setting that turns the S3 source on: the bucket to poll. */
    static final String S3_BUCKET = "photobridge.s3.bucket";
    /** Values shipped for the demo: outside demo mode none of them may guard a webhook or the API. */
    private static final Set<String> DEMO_SECRETS = Set.of("sandbox-webhook-secret", "sandbox-pave-webhook-secret",
            "sandbox-inspektlabs-key", "sandbox-pave-key", "sandbox-pave-secret", "sandbox", "sandbox-demo-token");
    private static final List<String> SANDBOX_SECRETS = List.of("photobridge.sandbox.recoveryconnect.password",
            "photobridge.sandbox.recoveryconnect.static.token", "photobridge.sandbox.inspektlabs.api-key",
            "photobridge.sandbox.pave.api-key", "photobridge.sandbox.pave.api.secret");

    private final Settings settings;
    private final LedgerOpening ledgerOpening;

    /** From the settings the ledger is being opened with (see LedgerOpening): the rest is set up meanwhile. */
    PhotoBridgeConfiguration(Settings settings, LedgerOpening ledgerOpening) {
        this.settings = settings;
        this.ledgerOpening = ledgerOpening;
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings s = settings;
        Registry registry = context.getRegistry();
        String runId = UUID.randomUUID().toString();
        VendorModes modes = VendorModes.of(context.getPropertiesComponent());
        // read here too, so that an edit of the config file that changes them says a restart is needed
        s.optional(VendorModes.MODE);
        VendorModes.vendors().forEach(vendor -> s.optional("photobridge." + vendor + ".simulated"));
        s.withPrefix("photobridge.sandbox.");
        Duration healthCache = s.seconds("photobridge.health.vendor-cache-seconds");

        Map<String, Integer> typeFolders = new HashMap<>();
        s.withPrefix("photobridge.recoveryconnect.type-folders.").forEach((folder, type) ->
                typeFolders.put(folder, Integer.parseInt(type)));
        Map<Integer, String> typeLabels = new HashMap<>();
        s.withPrefix("photobridge.recoveryconnect.type-labels.").forEach((type, label) ->
                typeLabels.put(Integer.parseInt(type), label));
        NameRules nameRules = new NameRules(typeFolders, s.integer("photobridge.recoveryconnect.default-type"),
                NameRules.namePattern(s.optional("photobridge.ingest.name-pattern")));

        ZoneId zone = s.zone("photobridge.ingest.zone");
        MediaInspector inspector = new MediaInspector(new InspectionRules(
                Long.parseLong(s.get("photobridge.ingest.max-image-bytes")),
                Long.parseLong(s.get("photobridge.ingest.min-video-bytes")),
                Long.parseLong(s.get("photobridge.ingest.max-video-bytes")),
                zone == null ? ZoneId.systemDefault() : zone,
                Long.parseLong(s.get("photobridge.ingest.max-image-pixels")),
                s.bool("photobridge.inspektlabs.enabled")));

        ZoneId pictureTimeZone = s.zone("photobridge.recoveryconnect.picture-time-zone");

        RecoveryConnectClient recoveryConnect = new RecoveryConnectClient(recoveryConnectSettings(s,
                baseUrl(context, s, modes, VendorModes.RECOVERYCONNECT)));
        registry.bind("recoveryConnect", recoveryConnect);
        registry.bind("recoveryConnectHealth", new VendorHealth(VendorModes.RECOVERYCONNECT,
                modes.simulated(VendorModes.RECOVERYCONNECT), healthCache, "authentication", recoveryConnect::checkAccess));

        // what needs no ledger is built above, while it opens
        Ledger ledger = ledgerOpening.await();
        closeWith(context, ledger);
        registry.bind("ledger", ledger);
        registry.bind("ledgerDataSource", ledger.dataSource());
        LedgerClusterService cluster = configureCluster(context, s, ledger);

        registry.bind("ingest", new IngestPipeline(nameRules, inspector, ledger, typeLabels));
        registry.bind("ingestOutcomes", new IngestOutcomes(ledger));
        registry.bind("dropFolder", new DropFolderSource(s.get("photobridge.inbox.error-folder")));
        LedgerClaims dropFolderClaims = claims(context, s, ledger, "ingest-drop-folder", runId, true);
        registry.bind("dropFolderClaims", dropFolderClaims);
        registry.bind("dropFolderNames", new DropFolderNames(s.get("photobridge.inbox.error-folder"), ledger, dropFolderClaims));
        registry.bind("ingestProgress", new IngestProgress(Path.of(s.get("photobridge.inbox.dir")),
                s.integer("photobridge.ingest.progress-every-files"), s.seconds("photobridge.ingest.progress-every-seconds")));

        registry.bind("recoveryConnectUploader", new PhotoUploader(recoveryConnect, ledger, runId,
                s.get("photobridge.recoveryconnect.picture-time-format"), pictureTimeZone,
                s.millis("photobridge.retry.max-delay-ms"), s.millis("photobridge.recoveryconnect.unknown-outcome-delay-ms")));
        configureS3(context, s, ledger, runId);
        configureInspektlabs(context, s, ledger, modes, healthCache, cluster.instance());
        ApiToken apiToken = new ApiToken(s.bool("photobridge.api.enabled") ? s.optional("photobridge.api.token") : null);
        configurePave(context, s, ledger, runId, apiToken, modes, healthCache);
        TransferRecords transferRecords = new TransferRecords(ledger);
        PhotoTransfers transfers = new PhotoTransfers(recoveryConnect, ledger, transferRecords, s.millis("photobridge.retry.max-delay-ms"),
                s.millis("photobridge.recoveryconnect.unknown-outcome-delay-ms"));
        registry.bind("photoTransfers", transfers);
        registry.bind("transferApi", new TransferApi(transfers, apiToken));
        registry.bind("transferFiles", new TransferFiles(transfers));
        registry.bind("orderRecordsApi", new OrderRecordsApi(ledger, registry.lookupByNameAndType("damageRecords", DamageRecords.class),
                registry.lookupByNameAndType("paveRecords", PaveRecords.class), transferRecords, typeLabels));

        configureJobs(context, s, ledger, recoveryConnect, apiToken, cluster);
        configureRoutes(context, s, apiToken);
        // the API's routes (records, console) and the console page: refusals are answered by apiAnswers (routeConfiguration api-errors)
        registry.bind("apiToken", apiToken);
        registry.bind("apiAnswers", new ApiAnswers());
        registry.bind("consoleAssets", new ConsoleAssets());
        Path inbox = Path.of(s.get("photobridge.inbox.dir"));
        ValidatingRouteReloadStrategy reloads = registry.lookupByNameAndType("routeReloader", ValidatingRouteReloadStrategy.class);
        registry.bind("consoleApi", new ConsoleApi(context, ledger, registry.lookupByNameAndType("ingestProgress", IngestProgress.class),
                modes, reloads == null ? List::of : reloads::recentReloads,
                new FailedFiles(inbox, s.get("photobridge.inbox.error-folder"), registry.lookupByNameAndType("photobridgeS3", S3Client.class),
                        s.optional(S3_BUCKET), s.get("photobridge.s3.error-prefix"),
                        registry.lookupByNameAndType("s3Processed", IdempotentRepository.class), ledger),
                new Thumbnails(Path.of(s.get("photobridge.console.thumbnail-dir")), inbox,
                        () -> context.getPropertiesComponent().resolveProperty("photobridge.inbox.done-folder").orElse(".done"),
                        s.get("photobridge.inbox.error-folder"))));
        configureMetrics(context, ledger);
        LOG.info("PhotoBridge run {} (instance {}): ledger {}, RecoveryConnect {}", runId, cluster.instance(),
                redactJdbc(s.get("photobridge.records.url")), recoveryConnect.settings());
    }

    /**
     * Route edits: the validating reload (when on) and the readiness of the ledger and of every route that should run.
     * A swap waits for a route's in-flight work, so a caller of a direct: route being swapped waits as long.
     */
    private void configureRoutes(CamelContext context, Settings s, ApiToken apiToken) throws Exception {
        Registry registry = context.getRegistry();
        Duration drain = s.millis("photobridge.routes.drain-timeout-ms");
        context.getComponent("direct", DirectComponent.class).setTimeout(drain.plusMinutes(1).toMillis());
        registry.bind("ledgerHealth", new LedgerHealthCheck(registry.lookupByNameAndType("ledger", Ledger.class)));
        if (s.bool("photobridge.routes.reload-enabled")) {
            Set<String> javaSendsTo = javaSendsTo(s);
            String config = System.getProperty(PhotoBridge.CONFIG, System.getenv().getOrDefault("PHOTOBRIDGE_CONFIG",
                    "config/application.properties"));
            ValidatingRouteReloadStrategy reloader = new ValidatingRouteReloadStrategy(s.get("photobridge.routes.dir"),
                    s.get("photobridge.routes.pattern"),
                    file -> file.equals(PhotoBridge.S3_ROUTE_FILE) && !s3Loaded(context) || PhotoBridge.switchedOff(context, file),
                    drain, Path.of(config), s::wasRead, javaSendsTo);
            context.addService(reloader, true, true);
            registry.bind("routeReloader", reloader);
            registry.bind("routesHealth", new RoutesHealthCheck(reloader::expectedRoutes, reloader));
            registry.bind("reloadsApi", new ReloadsApi(reloader, apiToken));
        } else {
            Set<String> started = ConcurrentHashMap.newKeySet();
            context.addStartupListener(new StartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext camel, boolean alreadyStarted) {
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext camel, boolean alreadyStarted) {
                    camel.getRoutes().forEach(route -> started.add(route.getRouteId()));
                }
            });
            registry.bind("routesHealth", new RoutesHealthCheck(() -> started, null));
            registry.bind("reloadsApi", new ReloadsApi(null, apiToken));
        }
    }

    /**
     * The singletons of several instances on one ledger: routes grouped {@code singleton-<name>} run on the instance leading
     * that singleton (see SingletonRoutes); on H2 that is always this instance.
     */
    private static LedgerClusterService configureCluster(CamelContext context, Settings s, Ledger ledger) throws Exception {
        String instance = s.optional("photobridge.cluster.instance-id");
        if (instance == null) {
            instance = defaultInstanceId();
        }
        LedgerClusterService cluster = new LedgerClusterService(instance, s.get("photobridge.records.url"),
                s.optional("photobridge.records.user"), s.optional("photobridge.records.password"), ledger.dataSource(),
                s.millis("photobridge.cluster.check-interval-ms"));
        context.addService(cluster, true, true);
        SingletonRoutes singletons = new SingletonRoutes(cluster);
        context.addRoutePolicyFactory(singletons);
        context.addStartupListener(singletons);
        context.getRegistry().bind("cluster", cluster);
        context.getRegistry().bind("clusterHealth", new ClusterHealthCheck(cluster));
        return cluster;
    }

    /** The host name (HOSTNAME, a container's pod name, else the resolver's) and the process id. */
    static String defaultInstanceId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "localhost";
            }
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    /** The scheduled jobs (reconciliation, housekeeping) their YAML routes run, their API and their readiness details. */
    private void configureJobs(CamelContext context, Settings s, Ledger ledger, RecoveryConnectClient recoveryConnect,
                               ApiToken apiToken, LedgerClusterService cluster) {
        JobRecords records = new JobRecords(ledger);
        Path inbox = Path.of(s.get("photobridge.inbox.dir"));
        Path media = Path.of(s.get("photobridge.inspektlabs.media-dir"));
        // settings the routes read too are looked up at each run, so that editing them stays a live edit
        Supplier<Path> done = () -> inbox.resolve(context.getPropertiesComponent().resolveProperty("photobridge.inbox.done-folder")
                .orElse(".done"));
        BooleanSupplier s3MovesToDone = () -> Boolean.parseBoolean(context.getPropertiesComponent()
                .resolveProperty("photobridge.s3.move-to-done").orElse("false").trim());
        Housekeeping housekeeping = new Housekeeping(records);
        Map<String, Job> jobs = new LinkedHashMap<>();
        jobs.put("reconcile", new Reconciliation(records, ledger, recoveryConnect, context::createProducerTemplate,
                Duration.ofDays(s.integer("photobridge.reconcile.days")), s.bool("photobridge.reconcile.reupload"),
                Duration.ofMinutes(s.integer("photobridge.reconcile.uploading-minutes")), inbox, done, media));
        jobs.put("housekeeping-done", housekeeping.doneFiles(done, s.integer("photobridge.housekeeping.done-days")));
        jobs.put("housekeeping-storage", housekeeping.storage(s.integer("photobridge.housekeeping.s3-processed-days"),
                s3MovesToDone, media, s.integer("photobridge.housekeeping.media-days")));
        jobs.put("housekeeping-timeline", housekeeping.timeline(s.integer("photobridge.housekeeping.timeline-days")));
        ScheduledJobs scheduled = new ScheduledJobs(records, jobs, cluster.instance(), cluster);
        scheduled.setCamelContext(context);
        context.getRegistry().bind("scheduledJobs", scheduled);
        context.getRegistry().bind("jobsApi", new JobsApi(scheduled, apiToken));
        context.getRegistry().bind("jobsHealth", new JobsHealthCheck(scheduled));
    }

    /**
     * Refuses a start that would be unsafe or silently wrong, with every reason in one message: an enabled, real vendor without
     * its base URL or credentials, and (outside demo mode) an enabled webhook or the API guarded by an empty or shipped demo
     * secret. Names each setting and its environment variable, never a value.
     */
    static void refuseUnsafeStart(Settings s, VendorModes modes) {
        List<String> problems = new ArrayList<>();
        if (modes.state(VendorModes.RECOVERYCONNECT) == VendorModes.State.REAL) {
            require(s, problems, "photobridge.recoveryconnect.base-url");
            if (s.optional("photobridge.recoveryconnect.token") == null) {
                List<String> missing = new ArrayList<>();
                require(s, missing, "photobridge.recoveryconnect.username");
                require(s, missing, "photobridge.recoveryconnect.password");
                missing.forEach(m -> problems.add(m + " (or set photobridge.recoveryconnect.token, env "
                        + s.envName("photobridge.recoveryconnect.token") + ")"));
            }
        }
        if (modes.state(VendorModes.INSPEKTLABS) == VendorModes.State.REAL) {
            require(s, problems, "photobridge.inspektlabs.base-url");
            require(s, problems, "photobridge.inspektlabs.api-key");
        }
        if (modes.state(VendorModes.PAVE) == VendorModes.State.REAL) {
            require(s, problems, "photobridge.pave.base-url");
            require(s, problems, "photobridge.pave.username");
            require(s, problems, "photobridge.pave.api-key");
            require(s, problems, "photobridge.pave.api.secret");
        }
        if (!modes.demo()) {
            Set<String> demoValues = new LinkedHashSet<>(DEMO_SECRETS);
            SANDBOX_SECRETS.stream().map(s::optional).filter(v -> v != null).forEach(demoValues::add);
            if (modes.state(VendorModes.INSPEKTLABS) != VendorModes.State.OFF) {
                ownSecret(s, problems, "photobridge.inspektlabs.webhook.secret", demoValues, "photobridge.inspektlabs.enabled=false");
            }
            if (modes.state(VendorModes.PAVE) != VendorModes.State.OFF) {
                ownSecret(s, problems, "photobridge.pave.webhook.secret", demoValues, "photobridge.pave.enabled=false");
            }
            if (s.bool("photobridge.api.enabled")) {
                ownSecret(s, problems, "photobridge.api.token", demoValues, "photobridge.api.enabled=false");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("PhotoBridge refuses to start in " + modes.mode() + " mode (" + modes.describe() + "): "
                    + String.join("; ", problems) + ". Set them (environment variables keep secrets out of the file), mark a"
                    + " vendor photobridge.<vendor>.simulated=true, or run the demo: java -jar target/photobridge.jar demo");
        }
    }

    private static void require(Settings s, List<String> problems, String key) {
        if (s.optional(key) == null) {
            problems.add(key + " is empty (env " + s.envName(key) + ")");
        }
    }

    private static void ownSecret(Settings s, List<String> problems, String key, Set<String> demoValues, String orSwitchOff) {
        String value = s.optional(key);
        if (value == null) {
            problems.add(key + " is empty (env " + s.envName(key) + "; or " + orSwitchOff + ")");
        } else if (demoValues.contains(value)) {
            problems.add(key + " is a shipped demo value (env " + s.envName(key) + "): set your own secret");
        }
    }

    /** The direct: endpoints the Java wiring sends to (the PAVE relay, the damage batches' dead letter): they must keep a consumer. */
    static Set<String> javaSendsTo(Settings s) {
        Set<String> uris = new HashSet<>();
        if (s.bool("photobridge.pave.enabled")) {
            uris.add("direct:ingest");
        }
        if (s.bool("photobridge.inspektlabs.enabled")) {
            uris.add("direct:inspektlabs-give-up");
        }
        return uris;
    }

    /**
     * A vendor's base URL: a simulated vendor's is its sandbox's, bound by SandboxConfiguration, whatever the settings, the
     * environment or -D say (Camel lets an environment variable beat an override property, so a property alone could not
     * keep a simulated vendor from calling the real one).
     */
    private static String baseUrl(CamelContext context, Settings s, VendorModes modes, String vendor) {
        if (modes.simulated(vendor)) {
            String url = context.getRegistry().lookupByNameAndType(VendorModes.sandboxUrlBean(vendor), String.class);
            if (url == null) {
                throw new IllegalStateException(vendor + " is simulated but its sandbox did not start");
            }
            return url;
        }
        return s.get("photobridge." + vendor + ".base-url").trim();
    }

    /** RecoveryConnect as the settings say; a simulated one's credentials were filled in by SandboxConfiguration. */
    private RecoveryConnectSettings recoveryConnectSettings(Settings s, String baseUrl) {
        return new RecoveryConnectSettings(URI.create(baseUrl),
                s.get("photobridge.recoveryconnect.api-version"),
                s.get("photobridge.recoveryconnect.transfer-api-version"),
                s.optional("photobridge.recoveryconnect.token"),
                s.optional("photobridge.recoveryconnect.username"),
                s.optional("photobridge.recoveryconnect.password"),
                s.millis("photobridge.recoveryconnect.connect-timeout-ms"),
                s.millis("photobridge.recoveryconnect.request-timeout-ms"),
                s.millis("photobridge.recoveryconnect.upload-timeout-ms"),
                s.seconds("photobridge.recoveryconnect.token-refresh-margin-seconds"));
    }

    /** The PAVE QA relay: the PAVE client, the session records, the relay, linking and the webhook. */
    private void configurePave(CamelContext context, Settings s, Ledger ledger, String runId, ApiToken apiToken, VendorModes modes,
                               Duration healthCache) throws Exception {
        Registry registry = context.getRegistry();
        if (!s.bool("photobridge.pave.enabled")) {
            LOG.info("PAVE relay off (photobridge.pave.enabled=false)");
            return;
        }
        String baseUrl = baseUrl(context, s, modes, VendorModes.PAVE);
        PaveClient client = new PaveClient(new PaveSettings(URI.create(baseUrl), s.get("photobridge.pave.username"),
                s.get("photobridge.pave.api-key"), s.get("photobridge.pave.api.secret"),
                s.millis("photobridge.pave.connect-timeout-ms"), s.millis("photobridge.pave.request-timeout-ms")));
        PaveRecords records = new PaveRecords(ledger);
        registry.bind("paveClient", client);
        registry.bind("paveHealth", new VendorHealth(VendorModes.PAVE, modes.simulated(VendorModes.PAVE), healthCache,
                "signed request", client::checkAccess));
        registry.bind("paveRecords", records);
        Map<Integer, Integer> types = new HashMap<>();
        s.withPrefix("photobridge.pave.types.").forEach((code, type) -> types.put(Integer.parseInt(code), Integer.parseInt(type)));
        registry.bind("paveRelay", new PaveRelay(client, records, ledger, context.createProducerTemplate(), types,
                Path.of(s.get("photobridge.pave.staging-dir")), runId, s.seconds("photobridge.pave.lease-seconds")));
        registry.bind("paveLinkApi", new PaveLinkApi(client, records, apiToken));
        registry.bind("paveWebhook", new PaveWebhook(records, s.get("photobridge.pave.webhook.header"),
                s.get("photobridge.pave.webhook.secret")));
    }

    /** Damage analysis: the Inspektlabs client, the media store, the durable batcher and the webhook. */
    private void configureInspektlabs(CamelContext context, Settings s, Ledger ledger, VendorModes vendorModes, Duration healthCache,
                                      String instance) throws Exception {
        Registry registry = context.getRegistry();
        boolean enabled = s.bool("photobridge.inspektlabs.enabled");
        registry.bind("damageAnalysis", Boolean.valueOf(enabled));
        if (!enabled) {
            LOG.info("Damage analysis off (photobridge.inspektlabs.enabled=false)");
            return;
        }
        String baseUrl = baseUrl(context, s, vendorModes, VendorModes.INSPEKTLABS);
        InspektlabsClient client = new InspektlabsClient(new InspektlabsSettings(URI.create(baseUrl),
                s.get("photobridge.inspektlabs.api-key"), s.optional("photobridge.inspektlabs.client-id"),
                s.get("photobridge.inspektlabs.bearer"), s.millis("photobridge.inspektlabs.connect-timeout-ms"),
                s.millis("photobridge.inspektlabs.request-timeout-ms"), s.millis("photobridge.inspektlabs.upload-timeout-ms")));
        registry.bind("inspektlabs", client);
        registry.bind("inspektlabsHealth", new VendorHealth(VendorModes.INSPEKTLABS, vendorModes.simulated(VendorModes.INSPEKTLABS),
                healthCache, "reachability (authenticating would open an inspection)", client::checkReachable));
        DamageRecords damage = new DamageRecords(ledger);
        registry.bind("damageRecords", damage);
        MediaStore store = new MediaStore(Path.of(s.get("photobridge.inspektlabs.media-dir")));
        registry.bind("damageBatching", new DamageBatching(store, damage, instance, s.integer("photobridge.inspektlabs.max-images-per-batch"),
                s.integer("photobridge.inspektlabs.max-videos-per-batch")));
        registry.bind("damageBatchStrategy", new DamageBatchStrategy());
        String secret = s.get("photobridge.inspektlabs.webhook.secret");
        String callbackUrl = s.get("photobridge.inspektlabs.public-base-url").replaceAll("/+$", "")
                + "/webhooks/inspektlabs/" + secret;
        Map<String, DamageSubmitter.Mode> modes = Map.of(
                "folder", DamageSubmitter.Mode.of(s.get("photobridge.inspektlabs.mode.folder")),
                "s3", DamageSubmitter.Mode.of(s.get("photobridge.inspektlabs.mode.s3")));
        registry.bind("damageSubmitter", new DamageSubmitter(client, damage, ledger, store, callbackUrl, modes,
                registry.lookupByNameAndType("s3Urls", S3Urls.class),
                registry.lookupByNameAndType("recoveryConnect", RecoveryConnectClient.class),
                s.millis("photobridge.inspektlabs.lost-answer-wait-ms")));
        registry.bind("damageWebhook", new DamageWebhook(damage, secret, s.integer("photobridge.inspektlabs.webhook-max-bytes"),
                s.integer("photobridge.inspektlabs.unmatched-max-count"), s.integer("photobridge.inspektlabs.unmatched-max-bytes")));

        JdbcAggregationRepository batches = new JdbcAggregationRepository(
                new DataSourceTransactionManager(ledger.dataSource()), "damage_batches", ledger.dataSource());
        batches.setUseRecovery(true);
        batches.setRecoveryInterval(s.integer("photobridge.inspektlabs.recovery-interval-ms"));
        batches.setMaximumRedeliveries(s.integer("photobridge.inspektlabs.recovery-max-attempts"));
        batches.setDeadLetterUri("direct:inspektlabs-give-up");
        registry.bind("damageBatches", batches);
        LOG.info("Damage analysis: Inspektlabs at {}, reports to {}/webhooks/inspektlabs/***", baseUrl,
                s.get("photobridge.inspektlabs.public-base-url").replaceAll("/+$", ""));
    }

    /** The S3 source's client, object describer and processed-object repository, when a bucket is configured. */
    private void configureS3(CamelContext context, Settings s, Ledger ledger, String runId) throws Exception {
        String bucket = s.optional(S3_BUCKET);
        if (!PhotoBridge.s3Configured(context)) {
            LOG.info("S3 source off ({} is empty): routes/ingest-s3.camel.yaml is not loaded", S3_BUCKET);
            return;
        }
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(s.get("photobridge.s3.region")))
                .forcePathStyle(s.bool("photobridge.s3.path-style"))
                .overrideConfiguration(o -> o.addExecutionInterceptor(new UrlEncodedListings()))
                .httpClientBuilder(ApacheHttpClient.builder()
                        .connectionTimeout(s.millis("photobridge.s3.connect-timeout-ms"))
                        .socketTimeout(s.millis("photobridge.s3.socket-timeout-ms")));
        String endpoint = s.optional("photobridge.s3.endpoint");
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        String accessKey = s.optional("photobridge.s3.access-key");
        if (accessKey != null) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(accessKey, s.get("photobridge.s3.secret-key"))));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        S3Client s3 = builder.build();
        closeWith(context, s3);
        S3Presigner.Builder presigner = S3Presigner.builder().region(Region.of(s.get("photobridge.s3.region")))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(s.bool("photobridge.s3.path-style")).build());
        if (endpoint != null) {
            presigner.endpointOverride(URI.create(endpoint));
        }
        presigner.credentialsProvider(accessKey != null ? StaticCredentialsProvider.create(
                AwsBasicCredentials.create(accessKey, s.get("photobridge.s3.secret-key"))) : DefaultCredentialsProvider.builder().build());
        S3Urls urls = new S3Urls(s3, presigner.build(), s.get("photobridge.s3.done-prefix"), s.bool("photobridge.s3.move-to-done"),
                Duration.ofMinutes(s.integer("photobridge.inspektlabs.url-expiry-minutes")));
        closeWith(context, urls);
        context.getRegistry().bind("s3Urls", urls);
        context.getRegistry().bind("photobridgeS3", s3);
        context.getRegistry().bind("s3Source", new S3Source(s3, s.get("photobridge.s3.prefix"), s.get("photobridge.s3.error-prefix")));
        context.getRegistry().bind("s3Processed", claims(context, s, ledger, "ingest-s3", runId, false));
        String where = endpoint == null ? "AWS " + s.get("photobridge.s3.region") : endpoint;
        LOG.info("S3 source: s3://{}/{} ({}, {})", bucket, s.get("photobridge.s3.prefix"), where,
                accessKey == null ? "default AWS credentials chain" : "access key from settings");
        S3RouteLoader loader = new S3RouteLoader(context, s3, bucket, where,
                Path.of(s.get("photobridge.routes.dir"), PhotoBridge.S3_ROUTE_FILE),
                s.millis("photobridge.s3.retry-initial-ms"), s.millis("photobridge.s3.retry-max-ms"));
        context.getRegistry().bind("s3RouteLoader", loader);
        context.getRegistry().bind("s3SourceHealth", loader.healthCheck());
        context.addService(loader, true, true);
    }

    /**
     * Claims of one source in the ledger, shared by every instance on it; started and stopped with the context. readLocksOnly:
     * the source never confirms an input, so on a ledger of this process alone its claims are held in memory.
     */
    private static LedgerClaims claims(CamelContext context, Settings s, Ledger ledger, String processor, String runId,
                                       boolean readLocksOnly) throws Exception {
        String url = s.get("photobridge.records.url").trim();
        // an embedded H2 ledger is opened by one process only: claims of another run are a crashed run's
        boolean soleUser = url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:tcp:") && !url.startsWith("jdbc:h2:ssl:")
                && !url.toUpperCase(java.util.Locale.ROOT).contains("AUTO_SERVER=TRUE");
        LedgerClaims claims = soleUser && readLocksOnly
                ? LedgerClaims.local(context, ledger.dataSource(), processor, runId, s.millis("photobridge.claims.keep-alive-ms"),
                        s.millis("photobridge.claims.max-age-ms"))
                : new LedgerClaims(context, ledger.dataSource(), processor, runId, s.millis("photobridge.claims.keep-alive-ms"),
                        s.millis("photobridge.claims.max-age-ms"), soleUser);
        context.addService(claims, true, true);
        return claims;
    }

    private static boolean s3Loaded(CamelContext context) {
        S3RouteLoader loader = context.getRegistry().lookupByNameAndType("s3RouteLoader", S3RouteLoader.class);
        return loader != null && loader.loaded();
    }

    /**
     * Once Camel's metrics registry exists: the ledger's gauges, and the vendor call timers (Micrometer's global registry, see
     * VendorHttp) shown in it until the context stops. JVM and process metrics come from camel.metrics.binders.
     */
    private static void configureMetrics(CamelContext context, Ledger ledger) throws Exception {
        context.addStartupListener((started, alreadyStarted) -> {
            MeterRegistry registry = MicrometerUtils.getMeterRegistryFromCamelRegistry(started.getRegistry(),
                    MicrometerConstants.METRICS_REGISTRY_NAME);
            if (registry == null || alreadyStarted) {
                return;
            }
            new LedgerGauges(ledger.dataSource(), Duration.ofSeconds(5)).bindTo(registry);
            // every reload outcome's counter exists from the start (at 0), so that a dashboard's rate() has a series
            for (Reload.Outcome outcome : Reload.Outcome.values()) {
                registry.counter("photobridge.routes.reloads", "outcome", outcome.label());
            }
            Metrics.addRegistry(registry);
            closeWith(started, () -> Metrics.removeRegistry(registry));
        });
    }

    private static void closeWith(CamelContext context, AutoCloseable resource) throws Exception {
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() throws Exception {
                resource.close();
            }
        }, true, true);
    }

    /** A JDBC URL without anything that looks like a password parameter. */
    static String redactJdbc(String url) {
        return url.replaceAll("(?i)(password|pwd)=[^;&]*", "$1=***");
    }
}
