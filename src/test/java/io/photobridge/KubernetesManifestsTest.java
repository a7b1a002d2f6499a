package io.photobridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.photobridge.vendor.VendorModes;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * ops/kubernetes/ checked offline, without a cluster: every object parses strictly against the Kubernetes object model
 * (fabric8, unknown fields and wrongly typed values refused, as kubectl --validate=strict does), and the objects fit
 * PhotoBridge: the image Jib builds, every setting and secret production needs, probes on the management port's health
 * paths, the shared inbox, the ConfigMaps equal to the shipped config and routes, and connection pools within PostgreSQL's
 * max_connections.
 */
class KubernetesManifestsTest {

    private static final Path DIR = Path.of("ops/kubernetes");
    /** PostgreSQL keeps these for superusers (superuser_reserved_connections' default). */
    private static final int RESERVED_CONNECTIONS = 3;
    /** Environment variables PhotoBridge reads that are no key of the properties file. */
    private static final List<String> NOT_IN_FILE = List.of("PHOTOBRIDGE_LOG_FORMAT", "PHOTOBRIDGE_CONFIG");
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/ConfigMap", ConfigMap.class, "v1/Secret", Secret.class, "v1/Service", Service.class,
            "v1/PersistentVolumeClaim", PersistentVolumeClaim.class, "apps/v1/Deployment", Deployment.class,
            "apps/v1/StatefulSet", StatefulSet.class);

    private static List<HasMetadata> objects;

    @TempDir
    Path temp;

    @BeforeAll
    static void parse() throws IOException {
        objects = new ArrayList<>();
        for (Path file : manifestFiles()) {
            objects.addAll(parse(file.getFileName().toString(), Files.readString(file)));
        }
    }

    @Test
    void everyManifestIsListedInTheKustomization() throws IOException {
        Map<?, ?> kustomization = (Map<?, ?>) load(Files.readString(DIR.resolve("kustomization.yaml"))).get(0);
        assertThat(kustomization.get("kind")).isEqualTo("Kustomization");
        assertThat(new TreeSet<>((List<?>) kustomization.get("resources")))
                .isEqualTo(manifestFiles().stream().map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)));
    }

    @Test
    void theStrictParserRefusesUnknownFieldsAndWronglyTypedValues() {
        assertThatThrownBy(() -> parse("typo.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec: {replica: 2}
                """)).hasMessageContaining("typo.yaml").hasMessageContaining("\"replica\"");
        assertThatThrownBy(() -> parse("port.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: x}
                data: {CAMEL_SERVER_PORT: 8080}
                """)).hasMessageContaining("port.yaml").hasMessageContaining("CAMEL_SERVER_PORT");
        assertThatThrownBy(() -> parse("count.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec: {replicas: "2"}
                """)).hasMessageContaining("count.yaml").hasMessageContaining("replicas");
        assertThatThrownBy(() -> parse("kind.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n"))
                .hasMessageContaining("kind.yaml").hasMessageContaining("v1/Pod");
    }

    @Test
    void theConfigMapsHoldTheShippedConfigAndRoutes() throws IOException {
        String sync = "; run ops/kubernetes/sync-config";
        assertThat(configMap("photobridge-config").getData().get("application.properties"))
                .as("photobridge-config's application.properties is config/application.properties" + sync)
                .isEqualTo(Files.readString(Path.of("config/application.properties")));
        Map<String, String> routes = new TreeMap<>();
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path route : files.filter(p -> p.toString().endsWith(".camel.yaml")).toList()) {
                routes.put(route.getFileName().toString(), Files.readString(route));
            }
        }
        assertThat(new TreeMap<>(configMap("photobridge-routes").getData())).as("photobridge-routes is routes/" + sync).isEqualTo(routes);
    }

    @Test
    void theDeploymentRunsTheImageJibBuilds() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        String version = match(pom, "<artifactId>photobridge</artifactId>\\s*<version>([^<]+)</version>");
        String image = match(pom, "<to><image>([^<]+)</image></to>").replace("${project.version}", version);
        assertThat(container().getImage()).isEqualTo(image);
        assertThat(deployment().getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void everyEnvironmentVariableSetsASettingAndEveryReferenceResolves() throws IOException {
        String file = configMap("photobridge-config").getData().get("application.properties");
        Properties keys = properties(file);
        List<String> known = new ArrayList<>(NOT_IN_FILE);
        keys.stringPropertyNames().forEach(k -> known.add(PhotoBridge.environmentName(k)));
        Matcher env = Pattern.compile("\\{\\{env:([A-Za-z0-9_]+)").matcher(file);
        while (env.find()) {
            known.add(env.group(1));
        }
        assertThat(environment(container()).keySet().stream().filter(name -> !known.contains(name)).toList())
                .as("environment variables of the photobridge container that no setting of config/application.properties reads").isEmpty();
        assertThat(environment(postgres())).containsKeys("POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD");
    }

    @Test
    void productionStartsWithTheSecretsFilledIn() throws Exception {
        Map<String, String> settings = settings();
        assertThat(settings.get(VendorModes.MODE)).isEqualTo("production");
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            PropertiesComponent properties = camel.getPropertiesComponent();
            Path file = Files.writeString(temp.resolve("application.properties"),
                    configMap("photobridge-config").getData().get("application.properties"));
            properties.setLocation("file:" + file);
            Properties overrides = new Properties();
            overrides.putAll(settings);
            properties.setOverrideProperties(overrides);
            VendorModes modes = VendorModes.of(properties);
            assertThat(modes.describe()).isEqualTo("recoveryconnect=real, inspektlabs=real, pave=real");
            // throws naming every setting production needs that the Deployment leaves empty
            PhotoBridgeConfiguration.refuseUnsafeStart(new Settings(properties), modes);
        }
    }

    @Test
    void probesAskTheManagementPortForCamelsHealthChecks() throws IOException {
        Map<String, String> settings = settings();
        Container c = container();
        Map<String, Integer> ports = c.getPorts().stream().collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
        assertThat(ports).containsEntry("management", Integer.valueOf(settings.get("camel.management.port")))
                .containsEntry("http", Integer.valueOf(settings.get("camel.server.port")));
        assertThat(settings.get("camel.management.host")).as("the kubelet probes the pod's address").isEqualTo("0.0.0.0");
        assertThat(settings.get("camel.server.host")).as("the Service sends to the pod's address").isEqualTo("0.0.0.0");
        String health = settings.getOrDefault("camel.management.health-path", "/observe/health");
        assertProbe(c.getReadinessProbe(), health + "/ready", ports, settings);
        assertProbe(c.getLivenessProbe(), health + "/live", ports, settings);
        assertProbe(c.getStartupProbe(), health + "/live", ports, settings);
        Service service = object(Service.class, "photobridge");
        assertThat(deployment().getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(service.getSpec().getSelector());
        for (ServicePort port : service.getSpec().getPorts()) {
            assertThat(ports).containsKey(port.getTargetPort().getStrVal());
        }
    }

    @Test
    void configRoutesAndTheSharedFoldersAreMounted() throws IOException {
        String workDir = match(Files.readString(Path.of("pom.xml")), "<container>[\\s\\S]*?<workingDirectory>([^<]+)</workingDirectory>");
        PodSpec pod = deployment().getSpec().getTemplate().getSpec();
        Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
        Map<String, String> mounts = new LinkedHashMap<>();
        for (VolumeMount mount : container().getVolumeMounts()) {
            Volume volume = volumes.get(mount.getName());
            assertThat(volume).as("volume of mount " + mount.getMountPath()).isNotNull();
            if (volume.getConfigMap() != null) {
                configMap(volume.getConfigMap().getName());
            }
            if (volume.getPersistentVolumeClaim() != null) {
                object(PersistentVolumeClaim.class, volume.getPersistentVolumeClaim().getClaimName());
            }
            mounts.put(mount.getMountPath(), mount.getName());
        }
        assertThat(volumes.get(mounts.get(workDir + "/config")).getConfigMap().getName()).isEqualTo("photobridge-config");
        assertThat(volumes.get(mounts.get(workDir + "/routes")).getConfigMap().getName()).isEqualTo("photobridge-routes");
        assertThat(settings().get("photobridge.routes.reload-enabled")).as("ConfigMap volumes change by symlink swaps; rollouts apply edits")
                .isEqualTo("false");
        // what one replica hands to another must be on the volume they all mount
        String shared = mounts.entrySet().stream().filter(m -> {
            var claim = volumes.get(m.getValue()).getPersistentVolumeClaim();
            return claim != null && object(PersistentVolumeClaim.class, claim.getClaimName()).getSpec().getAccessModes().contains("ReadWriteMany");
        }).map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError("no ReadWriteMany volume is mounted"));
        for (String folder : List.of("photobridge.inbox.dir", "photobridge.inspektlabs.media-dir", "photobridge.pave.link-dir",
                "photobridge.pave.staging-dir", "photobridge.recoveryconnect.transfer-dir")) {
            assertThat(settings().get(folder)).as(folder).startsWith(shared + "/");
        }
    }

    @Test
    void theLedgerIsThePostgresqlServiceWithRoomForEveryPool() throws IOException {
        Map<String, String> settings = settings();
        URI url = URI.create(settings.get("photobridge.records.url").substring("jdbc:".length()));
        assertThat(url.getScheme()).isEqualTo("postgresql");
        Service service = object(Service.class, url.getHost());
        assertThat(service.getSpec().getPorts()).extracting(ServicePort::getPort).contains(url.getPort());
        StatefulSet postgres = object(StatefulSet.class, "photobridge-postgres");
        assertThat(postgres.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(service.getSpec().getSelector());
        Map<String, String> db = environment(postgres());
        assertThat(db.get("POSTGRES_DB")).isEqualTo(url.getPath().substring(1));
        assertThat(db.get("POSTGRES_USER")).isEqualTo(settings.get("photobridge.records.user"));
        assertThat(secretRef(postgres(), "POSTGRES_PASSWORD")).isEqualTo(secretRef(container(), "PHOTOBRIDGE_RECORDS_PASSWORD"));
        int maxConnections = 100;
        List<String> args = postgres().getArgs();
        for (int i = 0; args != null && i < args.size(); i++) {
            if (args.get(i).startsWith("max_connections=")) {
                maxConnections = Integer.parseInt(args.get(i).substring("max_connections=".length()));
            }
        }
        int pods = deployment().getSpec().getReplicas() + deployment().getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal();
        int pool = Integer.parseInt(settings.get("photobridge.records.pool-size"));
        assertThat(pods * pool).as("%d pods (replicas + surge) x pool %d within max_connections %d less %d reserved", pods, pool,
                maxConnections, RESERVED_CONNECTIONS).isLessThanOrEqualTo(maxConnections - RESERVED_CONNECTIONS);
    }

    @Test
    void everyContainerHasRequestsAndLimits() {
        for (Container c : List.of(container(), postgres())) {
            assertThat(c.getResources().getRequests()).as(c.getName() + " requests").containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).as(c.getName() + " limits").containsKeys("cpu", "memory");
        }
    }

    // ---------------------------------------------------------------- reading the manifests

    /** The manifests: every YAML file of ops/kubernetes/ except the kustomization. */
    private static List<Path> manifestFiles() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(p -> p.toString().endsWith(".yaml") && !p.endsWith("kustomization.yaml")).sorted().toList();
        }
    }

    /** Each YAML document as its Kubernetes type, strictly: an unknown field or a value of the wrong type fails, naming the file. */
    static List<HasMetadata> parse(String name, String yaml) {
        JsonMapper strict = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                // fabric8 keeps unknown fields in an "additionalProperties" any-setter: switched off, they fail as the API server's strict validation does
                .annotationIntrospector(new JacksonAnnotationIntrospector() {
                    @Override
                    public Boolean hasAnySetter(Annotated a) {
                        return Boolean.FALSE;
                    }
                })
                .build();
        strict.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        List<HasMetadata> parsed = new ArrayList<>();
        for (Object document : load(yaml)) {
            if (document == null) {
                continue;
            }
            Map<?, ?> tree = (Map<?, ?>) document;
            String type = tree.get("apiVersion") + "/" + tree.get("kind");
            Class<? extends HasMetadata> kind = KINDS.get(type);
            if (kind == null) {
                throw new IllegalArgumentException(name + ": no schema here for " + type + " (known: " + new TreeSet<>(KINDS.keySet()) + ")");
            }
            try {
                HasMetadata object = strict.convertValue(tree, kind);
                if (object.getMetadata() == null || object.getMetadata().getName() == null) {
                    throw new IllegalArgumentException("metadata.name is missing");
                }
                parsed.add(object);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + type + " does not match the Kubernetes schema: " + e.getMessage(), e);
            }
        }
        return parsed;
    }

    private static List<Object> load(String yaml) {
        List<Object> documents = new ArrayList<>();
        new Load(LoadSettings.builder().setSchema(new CoreSchema()).build()).loadAllFromString(yaml).forEach(documents::add);
        return documents;
    }

    private static <T extends HasMetadata> T object(Class<T> kind, String name) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " " + name + " in " + DIR));
    }

    private static ConfigMap configMap(String name) {
        return object(ConfigMap.class, name);
    }

    private static Deployment deployment() {
        return object(Deployment.class, "photobridge");
    }

    private static Container container() {
        return deployment().getSpec().getTemplate().getSpec().getContainers().stream().filter(c -> c.getName().equals("photobridge"))
                .findFirst().orElseThrow();
    }

    private static Container postgres() {
        return object(StatefulSet.class, "photobridge-postgres").getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    /**
     * A container's environment: envFrom ConfigMaps first, then env (which wins, as in Kubernetes). Every referenced ConfigMap,
     * Secret and key must exist; a Secret's value is taken as filled in (the shipped Secret has empty placeholders).
     */
    private static Map<String, String> environment(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : c.getEnvFrom() == null ? List.<EnvFromSource>of() : c.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                env.putAll(configMap(from.getConfigMapRef().getName()).getData());
            }
            if (from.getSecretRef() != null) {
                object(Secret.class, from.getSecretRef().getName()).getStringData().keySet().forEach(k -> env.put(k, filled(k)));
            }
        }
        for (EnvVar var : c.getEnv()) {
            if (var.getValueFrom() == null) {
                env.put(var.getName(), var.getValue());
            } else if (var.getValueFrom().getSecretKeyRef() != null) {
                var ref = var.getValueFrom().getSecretKeyRef();
                assertThat(object(Secret.class, ref.getName()).getStringData()).as("Secret " + ref.getName() + " of " + var.getName())
                        .containsKey(ref.getKey());
                env.put(var.getName(), filled(ref.getKey()));
            } else if (var.getValueFrom().getConfigMapKeyRef() != null) {
                var ref = var.getValueFrom().getConfigMapKeyRef();
                assertThat(configMap(ref.getName()).getData()).as("ConfigMap " + ref.getName() + " of " + var.getName()).containsKey(ref.getKey());
                env.put(var.getName(), configMap(ref.getName()).getData().get(ref.getKey()));
            } else {
                throw new AssertionError(var.getName() + " of " + c.getName() + ": only values, Secret and ConfigMap keys are checked here");
            }
        }
        return env;
    }

    private static String filled(String secretKey) {
        return "filled-in-" + secretKey.toLowerCase();
    }

    private static String secretRef(Container c, String name) {
        var ref = c.getEnv().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow().getValueFrom().getSecretKeyRef();
        return ref.getName() + "/" + ref.getKey();
    }

    /**
     * The settings the photobridge container runs with: the ConfigMap's properties file, its {{env:NAME:default}} values
     * and the environment overrides resolved against the container's environment, as PhotoBridge does at start-up.
     */
    private Map<String, String> settings() throws IOException {
        String text = configMap("photobridge-config").getData().get("application.properties");
        Properties file = properties(text);
        Map<String, String> env = environment(container());
        Map<String, String> settings = new TreeMap<>();
        Pattern envValue = Pattern.compile("\\{\\{env:([A-Za-z0-9_]+)(?::(.*))?}}");
        for (String key : file.stringPropertyNames()) {
            String value = file.getProperty(key).trim();
            Matcher m = envValue.matcher(value);
            settings.put(key, m.matches() ? env.getOrDefault(m.group(1), m.group(2) == null ? "" : m.group(2)) : value);
        }
        Path copy = Files.writeString(Files.createTempFile(temp, "application", ".properties"), text);
        settings.putAll(PhotoBridge.environmentOverrides(copy, env, new Properties()));
        return settings;
    }

    private static Properties properties(String text) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return properties;
    }

    private static void assertProbe(Probe probe, String path, Map<String, Integer> ports, Map<String, String> settings) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        IntOrString port = probe.getHttpGet().getPort();
        int number = port.getIntVal() != null ? port.getIntVal() : ports.getOrDefault(port.getStrVal(), -1);
        assertThat(number).as(path + " probe port").isEqualTo(Integer.parseInt(settings.get("camel.management.port")));
    }

    private static String match(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(regex).isTrue();
        return m.group(1);
    }
}
