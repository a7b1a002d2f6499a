package io.photobridge.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import io.photobridge.vendor.VendorModes;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulators' own entry point, used only in demo mode or for a vendor marked {@code photobridge.<vendor>.simulated}:
 * starts each simulated vendor's sandbox and points that vendor's settings at it (base URL always; credentials where the
 * settings leave them empty) before the production wiring reads them.
 */
public final class SandboxConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxConfiguration.class);

    private final VendorModes modes;

    public SandboxConfiguration(VendorModes modes) {
        this.modes = modes;
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent p = context.getPropertiesComponent();
        Path dataDir = Path.of(get(p, "photobridge.sandbox.data-dir"));
        if (modes.simulated(VendorModes.RECOVERYCONNECT)) {
            List<Long> orders = Arrays.stream(get(p, "photobridge.sandbox.recoveryconnect.orders").split(","))
                    .map(String::trim).filter(v -> !v.isEmpty()).map(Long::valueOf).toList();
            String username = get(p, "photobridge.sandbox.recoveryconnect.username");
            String password = get(p, "photobridge.sandbox.recoveryconnect.password");
            RecoveryConnectSandbox sandbox = new RecoveryConnectSandbox(new RecoveryConnectSandbox.Settings(
                    "127.0.0.1", integer(p, "photobridge.sandbox.recoveryconnect.port"), dataDir, username, password,
                    optional(p, "photobridge.sandbox.recoveryconnect.static.token"),
                    Duration.ofSeconds(integer(p, "photobridge.sandbox.recoveryconnect.token-ttl-seconds")), orders,
                    Long.parseLong(get(p, "photobridge.sandbox.recoveryconnect.max-body-bytes"))));
            String baseUrl = start(context, "recoveryConnectSandbox", sandbox, sandbox::baseUrl);
            simulate(context, VendorModes.RECOVERYCONNECT, baseUrl);
            fillIn(p, "photobridge.recoveryconnect.username", username);
            fillIn(p, "photobridge.recoveryconnect.password", password);
        }
        if (modes.simulated(VendorModes.INSPEKTLABS)) {
            String apiKey = get(p, "photobridge.sandbox.inspektlabs.api-key");
            InspektlabsSandbox sandbox = new InspektlabsSandbox(InspektlabsSandbox.Settings.defaults()
                    .withPort(integer(p, "photobridge.sandbox.inspektlabs.port"))
                    .withDataDir(dataDir.resolve("inspektlabs"))
                    .withApiKey(apiKey)
                    .withCallbackDelay(Duration.ofMillis(integer(p, "photobridge.sandbox.inspektlabs.callback-delay-ms"))));
            String baseUrl = start(context, "inspektlabsSandbox", sandbox, sandbox::baseUrl);
            simulate(context, VendorModes.INSPEKTLABS, baseUrl);
            fillIn(p, "photobridge.inspektlabs.api-key", apiKey);
        }
        if (modes.simulated(VendorModes.PAVE)) {
            String username = get(p, "photobridge.sandbox.pave.username");
            String apiKey = get(p, "photobridge.sandbox.pave.api-key");
            String apiSecret = get(p, "photobridge.sandbox.pave.api.secret");
            PaveSandbox sandbox = new PaveSandbox(PaveSandbox.Settings.defaults()
                    .withPort(integer(p, "photobridge.sandbox.pave.port"))
                    .withDataDir(dataDir)
                    .withUsername(username)
                    .withApiKey(apiKey)
                    .withApiSecret(apiSecret));
            String baseUrl = start(context, "paveSandbox", sandbox, sandbox::baseUrl);
            simulate(context, VendorModes.PAVE, baseUrl + "/v1");
            fillIn(p, "photobridge.pave.username", username);
            fillIn(p, "photobridge.pave.api-key", apiKey);
            fillIn(p, "photobridge.pave.api.secret", apiSecret);
        }
    }

    private static String start(CamelContext context, String name, Service sandbox, Supplier<String> baseUrl)
            throws Exception {
        sandbox.start();
        try {
            context.addService(sandbox, true, true);
        } catch (Exception e) {
            sandbox.stop();
            throw e;
        }
        context.getRegistry().bind(name, sandbox);
        return baseUrl.get();
    }

    /** The vendor's base URL becomes the sandbox's, whatever it was: a simulated vendor never reaches the real one. */
    private static void simulate(CamelContext context, String vendor, String baseUrl) {
        String key = "photobridge." + vendor + ".base-url";
        PropertiesComponent p = context.getPropertiesComponent();
        if (optional(p, key) != null) {
            LOG.warn("{} is ignored: {} is simulated", key, vendor);
        }
        p.addOverrideProperty(key, baseUrl);
        context.getRegistry().bind(VendorModes.sandboxUrlBean(vendor), baseUrl);
    }

    /** A credential the settings leave empty becomes the sandbox's; one that is set stays (and must match, as with the vendor). */
    private static void fillIn(PropertiesComponent p, String key, String sandboxValue) {
        if (optional(p, key) == null) {
            p.addOverrideProperty(key, sandboxValue);
        }
    }

    private static String get(PropertiesComponent p, String key) {
        return p.resolveProperty(key).map(String::trim)
                .orElseThrow(() -> new IllegalStateException("Setting " + key + " is missing from config/application.properties"));
    }

    private static String optional(PropertiesComponent p, String key) {
        String value = p.resolveProperty(key).orElse("").trim();
        return value.isEmpty() ? null : value;
    }

    private static int integer(PropertiesComponent p, String key) {
        String value = get(p, key);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Setting " + key + " must be a whole number, not '" + value + "'");
        }
    }
}
