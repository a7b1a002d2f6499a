package io.photobridge.records;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import javax.sql.DataSource;

/**
 * Tells, with one query, whether the ledger's schema is what Flyway would leave it: every migration shipped under
 * {@code db/migration} applied successfully with the same checksum, and nothing else in the history. Start-up then skips
 * Flyway, whose own start (about half a second of CPU) was the largest part of opening an up-to-date ledger. Anything else
 * (a new database, a new migration, a changed or failed one, a history Flyway would judge) goes to Flyway as before.
 */
final class SchemaCheck {

    static final String LOCATION = "db/migration";
    private static final Pattern VERSIONED = Pattern.compile("V([0-9]+(?:[._][0-9]+)*)__.+\\.sql");

    private SchemaCheck() {
    }

    /** True when the history matches the shipped migrations exactly; false when Flyway must look (or the check cannot tell). */
    static boolean upToDate(DataSource dataSource) {
        Optional<Map<String, Integer>> shipped = shipped();
        if (shipped.isEmpty() || shipped.get().isEmpty()) {
            return false;
        }
        Map<String, Integer> applied = new HashMap<>();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select \"version\", \"checksum\", \"success\", \"type\" from \"flyway_schema_history\"")) {
            while (rs.next()) {
                String version = rs.getString(1);
                String type = rs.getString(4);
                if (version == null && ("SCHEMA".equals(type) || "TABLE".equals(type))) {
                    // Flyway's own marker: it created the schema, or the history table in an existing one
                    continue;
                }
                int checksum = rs.getInt(2);
                boolean noChecksum = rs.wasNull();
                if (version == null || !rs.getBoolean(3) || !"SQL".equals(type) || noChecksum
                        || applied.put(version, checksum) != null) {
                    return false;
                }
            }
        } catch (SQLException noHistoryYet) {
            return false;
        }
        return applied.equals(shipped.get());
    }

    /** The shipped versioned migrations (version as Flyway writes it, with dots) and their Flyway checksums; empty if unreadable. */
    static Optional<Map<String, Integer>> shipped() {
        try {
            Map<String, Integer> migrations = new TreeMap<>();
            URL location = SchemaCheck.class.getProtectionDomain().getCodeSource().getLocation();
            Path where = Path.of(location.toURI());
            if (Files.isDirectory(where)) {
                Path dir = where.resolve(LOCATION);
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : (Iterable<Path>) files::iterator) {
                        if (!add(migrations, file.getFileName().toString(), () -> Files.newInputStream(file))) {
                            return Optional.empty();
                        }
                    }
                }
            } else {
                try (JarFile jar = new JarFile(where.toFile())) {
                    Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        JarEntry entry = entries.nextElement();
                        String name = entry.getName();
                        if (!entry.isDirectory() && name.startsWith(LOCATION + "/")
                                && !add(migrations, name.substring(LOCATION.length() + 1), () -> jar.getInputStream(entry))) {
                            return Optional.empty();
                        }
                    }
                }
            }
            return Optional.of(migrations);
        } catch (IOException | URISyntaxException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    private interface Opener {
        InputStream open() throws IOException;
    }

    /** Adds a versioned migration; false for anything Flyway would treat otherwise (repeatable, nested, another kind). */
    private static boolean add(Map<String, Integer> migrations, String name, Opener opener) throws IOException {
        Matcher m = VERSIONED.matcher(name);
        if (!m.matches()) {
            return false;
        }
        try (InputStream in = opener.open()) {
            migrations.put(m.group(1).replace('_', '.'), checksum(in));
        }
        return true;
    }

    /** Flyway's checksum of a SQL migration: CRC-32 of its lines' UTF-8 bytes, line breaks and a leading BOM left out. */
    static int checksum(InputStream in) throws IOException {
        CRC32 crc = new CRC32();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 4096)) {
            String line = reader.readLine();
            if (line != null && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            for (; line != null; line = reader.readLine()) {
                crc.update(line.getBytes(StandardCharsets.UTF_8));
            }
        }
        return (int) crc.getValue();
    }
}
