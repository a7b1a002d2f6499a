package io.photobridge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Every key of the properties file can be set by its environment variable, Camel's own camel.* keys included; -D wins. */
class EnvironmentOverridesTest {

    @TempDir
    Path dir;

    @Test
    void eachKeyOfTheFileIsOverriddenByItsVariableUnlessASystemPropertySetsIt() throws Exception {
        Path config = Files.writeString(dir.resolve("application.properties"), """
                camel.server.port = 8080
                camel.management.port = 8081
                photobridge.inbox.poll-ms = 500
                photobridge.api.token = {{env:PHOTOBRIDGE_API_TOKEN:}}
                """);
        Properties system = new Properties();
        system.setProperty("camel.management.port", "9191");

        Map<String, String> overrides = PhotoBridge.environmentOverrides(config, Map.of(
                "CAMEL_SERVER_PORT", "28090", "CAMEL_MANAGEMENT_PORT", "28091", "PHOTOBRIDGE_INBOX_POLL_MS", "250",
                "UNRELATED", "x"), system);

        assertThat(overrides).containsExactlyInAnyOrderEntriesOf(Map.of("camel.server.port", "28090",
                "photobridge.inbox.poll-ms", "250"));
    }

    @Test
    void aMissingFileGivesNoOverrides() {
        assertThat(PhotoBridge.environmentOverrides(dir.resolve("none.properties"), Map.of("CAMEL_SERVER_PORT", "1"),
                new Properties())).isEmpty();
    }

    @Test
    void theVariableOfAKeyIsItsUpperCaseFormWithUnderscores() {
        assertThat(PhotoBridge.environmentName("camel.server.port")).isEqualTo("CAMEL_SERVER_PORT");
        assertThat(PhotoBridge.environmentName("photobridge.pave.api.secret")).isEqualTo("PHOTOBRIDGE_PAVE_API_SECRET");
        assertThat(PhotoBridge.environmentName("photobridge.inbox.min-age-ms")).isEqualTo("PHOTOBRIDGE_INBOX_MIN_AGE_MS");
    }

    @Test
    void aModeArgumentThatContradictsTheEnvironmentOrASystemPropertyIsRefusedNamingBoth() {
        Properties system = new Properties();
        assertThat(PhotoBridge.modeConflict("demo", Map.of("PHOTOBRIDGE_MODE", "production"), system))
                .contains("the argument 'demo' contradicts PHOTOBRIDGE_MODE=production: remove one of them");
        system.setProperty("photobridge.mode", "production");
        assertThat(PhotoBridge.modeConflict("demo", Map.of(), system))
                .contains("the argument 'demo' contradicts -Dphotobridge.mode=production: remove one of them");
        assertThat(PhotoBridge.modeConflict("production", Map.of("PHOTOBRIDGE_MODE", "Production"), system)).isEmpty();
        assertThat(PhotoBridge.modeConflict("demo", Map.of("PHOTOBRIDGE_MODE", " "), new Properties())).isEmpty();
    }
}
