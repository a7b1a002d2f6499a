package io.photobridge.console;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI description served at /api/openapi.yaml names exactly the operations the rest DSL declares. */
class ApiDescriptionTest {

    private static final List<String> VERBS = List.of("get", "post", "put", "delete", "patch");

    @Test
    @SuppressWarnings("unchecked")
    void everyRestOperationIsDescribedAndNothingElse() throws Exception {
        Set<String> declared = new TreeSet<>();
        Load load = new Load(LoadSettings.builder().build());
        for (Object item : (List<Object>) load.loadFromString(Files.readString(Path.of("routes/api-rest.camel.yaml")))) {
            Map<String, Object> rest = (Map<String, Object>) ((Map<String, Object>) item).get("rest");
            for (String verb : VERBS) {
                for (Map<String, Object> op : (List<Map<String, Object>>) rest.getOrDefault(verb, List.of())) {
                    declared.add(verb + " " + rest.get("path") + op.getOrDefault("path", "") + " " + op.get("id"));
                }
            }
        }
        Set<String> described = new TreeSet<>();
        Map<String, Object> openapi = (Map<String, Object>) load.loadFromString(
                Files.readString(Path.of("src/main/resources/console/openapi.yaml")));
        ((Map<String, Map<String, Object>>) openapi.get("paths")).forEach((path, ops) -> ops.forEach((verb, op) ->
                described.add(verb + " " + path + " " + ((Map<String, Object>) op).get("operationId"))));

        assertThat(declared).hasSizeGreaterThan(5);
        assertThat(described).isEqualTo(declared);
    }
}
