package io.photobridge;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.photobridge.ingest.DropFolderNames;
import io.photobridge.ingest.DropFolderSource;
import io.photobridge.ingest.IngestOutcomes;
import io.photobridge.ingest.IngestPipeline;
import io.photobridge.ingest.IngestProgress;
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
import io.photobridge.pave.PaveClient;
import io.photobridge.pave.PaveLinkApi;
import io.photobridge.pave.PaveRelay;
import io.photobridge.pave.PaveSettings;
import io.photobridge.pave.PaveWebhook;
import io.photobridge.records.ApiToken;
import io.photobridge.records.DamageRecords;
import io.photobridge.records.Ledger;
import io.photobridge.records.OrderRecordsApi;
import io.photobridge.records.PaveRecords;
import io.photobridge.recoveryconnect.PhotoUploader;
import io.photobridge.recoveryconnect.RecoveryConnectClient;
import io.photobridge.recoveryconnect.RecoveryConnectSettings;
import io.photobridge.sandbox.InspektlabsSandbox;
import io.photobridge.sandbox.PaveSandbox;
import io.photobridge.sandbox.RecoveryConnectSandbox;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
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

/** Builds PhotoBridge's beans from the settings: the ledger, the vendor clients (or their sandboxes) and the ingest steps. */
public class PhotoBridgeConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(PhotoBridgeConfiguration.class);
    /** The setting that turns the S3 source on: the bucket to poll. */
    static final String S3_BUCKET = "photobridge.s3.bucket";

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings s = new Settings(context.getPropertiesComponent());
        Registry registry = context.getRegistry();
        String runId = UUID.randomUUID().toString();

        Ledger ledger = Ledger.open(s.get("photobridge.records.url"), s.optional("photobridge.records.user"),
                s.optional("photobridge.records.password"), s.integer("photobridge.records.pool-size"));
        closeWith(context, ledger);
        registry.bind("ledger", ledger);

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
                zone == null ? ZoneId.systemDefault() : zone));

        ZoneId pictureTimeZone = s.zone("photobridge.recoveryconnect.picture-time-zone");

        // settings are all read and checked above; only now start the sandbox (a bound port) if one is needed
        RecoveryConnectClient recoveryConnect = new RecoveryConnectClient(recoveryConnectSettings(context, s));
        registry.bind("recoveryConnect", recoveryConnect);

        registry.bind("ingest", new IngestPipeline(nameRules, inspector, ledger, typeLabels));
        registry.bind("ingestOutcomes", new IngestOutcomes(ledger));
        registry.bind("dropFolder", new DropFolderSource(s.get("photobridge.inbox.error-folder")));
        registry.bind("dropFolderNames", new DropFolderNames(s.get("photobridge.inbox.error-folder"), ledger));
        registry.bind("ingestProgress", new IngestProgress(Path.of(s.get("photobridge.inbox.dir")),
                s.integer("photobridge.ingest.progress-every-files"), s.seconds("photobridge.ingest.progress-every-seconds")));

        registry.bind("recoveryConnectUploader", new PhotoUploader(recoveryConnect, ledger, runId,
                s.get("photobridge.recoveryconnect.picture-time-format"), pictureTimeZone,
                s.millis("photobridge.retry.max-delay-ms"), s.millis("photobridge.recoveryconnect.unknown-outcome-delay-ms")));
        configureS3(context, s, ledger);
        configureInspektlabs(context, s, ledger);
        ApiToken apiToken = new ApiToken(s.optional("photobridge.api.token"));
        configurePave(context, s, ledger, runId, apiToken);
        registry.bind("orderRecordsApi", new OrderRecordsApi(ledger, registry.lookupByNameAndType("damageRecords", DamageRecords.class),
                registry.lookupByNameAndType("paveRecords", PaveRecords.class), apiToken));

        if (s.bool("photobridge.routes.reload-enabled")) {
            ValidatingRouteReloadStrategy reloader = new ValidatingRouteReloadStrategy(s.get("photobridge.routes.dir"),
                    s.get("photobridge.routes.pattern"),
                    file -> file.equals(PhotoBridge.S3_ROUTE_FILE) && !s3Loaded(context) || PhotoBridge.switchedOff(context, file));
            context.addService(reloader, true, true);
            registry.bind("routeReloader", reloader);
        }
        LOG.info("PhotoBridge run {}: ledger {}, RecoveryConnect {}", runId, redactJdbc(s.get("photobridge.records.url")),
                recoveryConnect.settings());
    }

    /** The real RecoveryConnect when a base URL is set, otherwise the in-process sandbox (started here). */
    private RecoveryConnectSettings recoveryConnectSettings(CamelContext context, Settings s) {
        String baseUrl = s.optional("photobridge.recoveryconnect.base-url");
        if (baseUrl == null) {
            if (!s.bool("photobridge.sandbox.enabled")) {
                throw new IllegalStateException("photobridge.recoveryconnect.base-url is empty and photobridge.sandbox.enabled is"
                        + " false: set the RecoveryConnect URL (env PHOTOBRIDGE_RECOVERYCONNECT_BASE_URL) or turn the sandbox on");
            }
            List<Long> orders = Arrays.stream(s.get("photobridge.sandbox.recoveryconnect.orders").split(","))
                    .map(String::trim).filter(v -> !v.isEmpty()).map(Long::valueOf).toList();
            RecoveryConnectSandbox sandbox = new RecoveryConnectSandbox(new RecoveryConnectSandbox.Settings(
                    "127.0.0.1", s.integer("photobridge.sandbox.recoveryconnect.port"),
                    Path.of(s.get("photobridge.sandbox.data-dir")),
                    s.get("photobridge.sandbox.recoveryconnect.username"), s.get("photobridge.sandbox.recoveryconnect.password"),
                    s.optional("photobridge.sandbox.recoveryconnect.static.token"),
                    s.seconds("photobridge.sandbox.recoveryconnect.token-ttl-seconds"), orders,
                    Long.parseLong(s.get("photobridge.sandbox.recoveryconnect.max-body-bytes"))));
            sandbox.start();
            try {
                context.addService(sandbox, true, true);
            } catch (Exception e) {
                sandbox.stop();
                throw new IllegalStateException("cannot register the RecoveryConnect sandbox", e);
            }
            context.getRegistry().bind("recoveryConnectSandbox", sandbox);
            baseUrl = sandbox.baseUrl();
            LOG.info("RecoveryConnect sandbox listening on {} (set photobridge.recoveryconnect.base-url to use the real service)",
                    baseUrl);
        }
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

    /** The PAVE QA relay: the PAVE client (or its sandbox), the session records, the relay, linking and the webhook. */
    private void configurePave(CamelContext context, Settings s, Ledger ledger, String runId, ApiToken apiToken) throws Exception {
        Registry registry = context.getRegistry();
        if (!s.bool("photobridge.pave.enabled")) {
            LOG.info("PAVE relay off (photobridge.pave.enabled=false)");
            return;
        }
        String baseUrl = s.optional("photobridge.pave.base-url");
        if (baseUrl == null) {
            if (!s.bool("photobridge.sandbox.enabled")) {
                throw new IllegalStateException("photobridge.pave.base-url is empty and photobridge.sandbox.enabled is false: set"
                        + " the PAVE URL (env PHOTOBRIDGE_PAVE_BASE_URL), turn the sandbox on, or set photobridge.pave.enabled=false");
            }
            PaveSandbox sandbox = new PaveSandbox(PaveSandbox.Settings.defaults()
                    .withPort(s.integer("photobridge.sandbox.pave.port"))
                    .withDataDir(Path.of(s.get("photobridge.sandbox.data-dir")))
                    .withUsername(s.get("photobridge.pave.username"))
                    .withApiKey(s.get("photobridge.pave.api-key"))
                    .withApiSecret(s.get("photobridge.sandbox.pave.api.secret")));
            sandbox.start();
            context.addService(sandbox, true, true);
            registry.bind("paveSandbox", sandbox);
            baseUrl = sandbox.baseUrl() + "/v1";
            LOG.info("PAVE sandbox listening on {} (set photobridge.pave.base-url to use the real service)", sandbox.baseUrl());
        }
        PaveClient client = new PaveClient(new PaveSettings(URI.create(baseUrl), s.get("photobridge.pave.username"),
                s.get("photobridge.pave.api-key"), s.get("photobridge.pave.api.secret"),
                s.millis("photobridge.pave.connect-timeout-ms"), s.millis("photobridge.pave.request-timeout-ms")));
        PaveRecords records = new PaveRecords(ledger);
        registry.bind("paveClient", client);
        registry.bind("paveRecords", records);
        Map<Integer, Integer> types = new HashMap<>();
        s.withPrefix("photobridge.pave.types.").forEach((code, type) -> types.put(Integer.parseInt(code), Integer.parseInt(type)));
        registry.bind("paveRelay", new PaveRelay(client, records, ledger, context.createProducerTemplate(), types,
                Path.of(s.get("photobridge.pave.staging-dir")), runId, s.seconds("photobridge.pave.lease-seconds")));
        registry.bind("paveLinkApi", new PaveLinkApi(client, records, apiToken));
        registry.bind("paveWebhook", new PaveWebhook(records, s.get("photobridge.pave.webhook.header"),
                s.get("photobridge.pave.webhook.secret")));
    }

    /** Damage analysis: the Inspektlabs client (or its sandbox), the media store, the durable batcher and the webhook. */
    private void configureInspektlabs(CamelContext context, Settings s, Ledger ledger) throws Exception {
        Registry registry = context.getRegistry();
        boolean enabled = s.bool("photobridge.inspektlabs.enabled");
        registry.bind("damageAnalysis", Boolean.valueOf(enabled));
        if (!enabled) {
            LOG.info("Damage analysis off (photobridge.inspektlabs.enabled=false)");
            return;
        }
        String baseUrl = s.optional("photobridge.inspektlabs.base-url");
        if (baseUrl == null) {
            if (!s.bool("photobridge.sandbox.enabled")) {
                throw new IllegalStateException("photobridge.inspektlabs.base-url is empty and photobridge.sandbox.enabled is false:"
                        + " set the Inspektlabs URL (env PHOTOBRIDGE_INSPEKTLABS_BASE_URL), turn the sandbox on, or set"
                        + " photobridge.inspektlabs.enabled=false");
            }
            InspektlabsSandbox sandbox = new InspektlabsSandbox(InspektlabsSandbox.Settings.defaults()
                    .withPort(s.integer("photobridge.sandbox.inspektlabs.port"))
                    .withDataDir(Path.of(s.get("photobridge.sandbox.data-dir"), "inspektlabs"))
                    .withApiKey(s.get("photobridge.sandbox.inspektlabs.api-key"))
                    .withCallbackDelay(s.millis("photobridge.sandbox.inspektlabs.callback-delay-ms")));
            sandbox.start();
            context.addService(sandbox, true, true);
            registry.bind("inspektlabsSandbox", sandbox);
            baseUrl = sandbox.baseUrl();
            LOG.info("Inspektlabs sandbox listening on {} (set photobridge.inspektlabs.base-url to use the real service)", baseUrl);
        }
        InspektlabsClient client = new InspektlabsClient(new InspektlabsSettings(URI.create(baseUrl),
                s.get("photobridge.inspektlabs.api-key"), s.optional("photobridge.inspektlabs.client-id"),
                s.get("photobridge.inspektlabs.bearer"), s.millis("photobridge.inspektlabs.connect-timeout-ms"),
                s.millis("photobridge.inspektlabs.request-timeout-ms"), s.millis("photobridge.inspektlabs.upload-timeout-ms")));
        registry.bind("inspektlabs", client);
        DamageRecords damage = new DamageRecords(ledger);
        registry.bind("damageRecords", damage);
        MediaStore store = new MediaStore(Path.of(s.get("photobridge.inspektlabs.media-dir")));
        registry.bind("damageBatching", new DamageBatching(store, s.integer("photobridge.inspektlabs.max-images-per-batch"),
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
    private void configureS3(CamelContext context, Settings s, Ledger ledger) throws Exception {
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
        JdbcMessageIdRepository processed = new JdbcMessageIdRepository(ledger.dataSource(), "ingest-s3");
        processed.setCreateTableIfNotExists(false);
        context.getRegistry().bind("s3Processed", processed);
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

    private static boolean s3Loaded(CamelContext context) {
        S3RouteLoader loader = context.getRegistry().lookupByNameAndType("s3RouteLoader", S3RouteLoader.class);
        return loader != null && loader.loaded();
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
