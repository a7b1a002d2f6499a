package io.photobridge;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The offline validate command: the shipped routes pass; broken ones are listed with file, line and rule, and exit 1. */
class ValidateCommandTest {

    @TempDir
    Path home;

    @Test
    void shippedRoutesAndSettingsPassInDemoMode() throws Exception {
        Path routes = copyOfShippedRoutes();

        Result result = validate("--demo", routes.toString(), "config/application.properties");

        assertThat(result.code()).as(result.output()).isZero();
        assertThat(result.output()).contains("OK: ").contains("routes checked");
    }

    @Test
    void everyBrokenRouteIsListedWithItsFileLineAndRule() throws Exception {
        Path routes = copyOfShippedRoutes();
        int pollLine = lineOf(routes.resolve("ingest-drop-folder.camel.yaml"), "{{photobridge.inbox.poll-ms}}");
        edit(routes.resolve("ingest-drop-folder.camel.yaml"), "{{photobridge.inbox.poll-ms}}", "{{photobridge.inbox.poll-msx}}");
        edit(routes.resolve("records-api.camel.yaml"), "ref: orderRecordsApi", "ref: orderRecordsApii");

        Result result = validate("--demo", routes.toString(), "config/application.properties");

        assertThat(result.code()).isEqualTo(1);
        assertThat(result.output())
                .contains("ingest-drop-folder.camel.yaml line " + pollLine + ": placeholder {{photobridge.inbox.poll-msx}} does not resolve")
                .contains("records-api.camel.yaml line ").contains("No bean could be found in the registry for: orderRecordsApii")
                .contains("2 problem(s)");
    }

    @Test
    void productionSettingsWithoutVendorUrlsAreRefusedNamingTheSetting() throws Exception {
        Result result = validate(copyOfShippedRoutes().toString(), "config/application.properties");

        assertThat(result.code()).isEqualTo(1);
        assertThat(result.output()).contains("photobridge.recoveryconnect.base-url is empty (env PHOTOBRIDGE_RECOVERYCONNECT_BASE_URL)");
    }

    @Test
    void aMissingRoutesFolderIsAUsageError() {
        Result result = validate("--demo", home.resolve("nowhere").toString());

        assertThat(result.code()).isEqualTo(2);
        assertThat(result.output()).contains("nowhere: not a folder");
    }

    private record Result(int code, String output) {
    }

    private static Result validate(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = ValidateCommand.run(List.of(args), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Result(code, bytes.toString(StandardCharsets.UTF_8));
    }

    private Path copyOfShippedRoutes() throws Exception {
        Path routes = Files.createDirectories(home.resolve("routes"));
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        return routes;
    }

    /** The 1-based number of the first line of {@code file} that contains {@code text}. */
    private static int lineOf(Path file, String text) throws Exception {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text + " not in " + file);
    }

    private static void edit(Path file, String from, String to) throws Exception {
        String text = Files.readString(file);
        assertThat(text).contains(from);
        Files.writeString(file, text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)));
    }
}
