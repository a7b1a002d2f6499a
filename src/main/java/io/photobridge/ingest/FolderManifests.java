package io.photobridge.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the {@code manifest.csv} (file,order_id[,type]) of a folder under a root, e.g. a drop folder's flat camera dump;
 * each manifest is parsed once per version (path, last-modified time, size).
 */
public final class FolderManifests implements Manifests {

    /** The manifest's file name; {@code MANIFEST.CSV} and {@code Manifest.csv} are found too. */
    public static final String FILE_NAME = "manifest.csv";
    /** Largest manifest read (bytes); a 10,000-row manifest is well under 1 MB. */
    static final long MAX_BYTES = 16L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(FolderManifests.class);
    private static final List<String> SPELLINGS = List.of(FILE_NAME, "MANIFEST.CSV", "Manifest.csv");
    private static final String LAYOUT = "file,order_id[,type]";
    private static final int MISSING_NAMES_LOGGED = 5;
    /** Parsed manifests kept (least recently used dropped first); a dump being delivered stays parsed. */
    static final int MAX_CACHED = 64;
    private static final String UNCLOSED = "the quote opened on this line is never closed, so the rows after it cannot be read";

    private final Path root;
    private final Map<Path, Parsed> cache = new ConcurrentHashMap<>();
    private final AtomicLong uses = new AtomicLong();
    /** How many times a manifest was parsed (tests: many lookups, one parse). */
    final AtomicInteger parses = new AtomicInteger();

    /** root: the folder that manifest folders are relative to (the drop folder's inbox). */
    public FolderManifests(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** How many parsed manifests are kept (tests). */
    int cached() {
        return cache.size();
    }

    @Override
    public Optional<ManifestRow> lookup(String folder, String fileName) throws IOException {
        Path dir = folder == null || folder.isEmpty() ? root : root.resolve(folder).normalize();
        if (!dir.startsWith(root)) {
            throw new IOException("folder '" + NameRules.printable(folder) + "' is outside the source root; no manifest is read there");
        }
        Path file = find(dir);
        if (file == null) {
            return Optional.empty();
        }
        String display = display(file);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        } catch (IOException e) {
            throw unreadable(display, e);
        }
        Version version = new Version(attributes.lastModifiedTime(), attributes.size());
        Parsed parsed;
        try {
            parsed = cache.compute(file, (key, cached) -> cached != null && cached.version.equals(version)
                    ? cached : parse(key, display, version));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        parsed.used().set(uses.incrementAndGet());
        if (cache.size() > MAX_CACHED) {
            evictLeastRecentlyUsed();
        }
        return parsed.lookup(fileName);
    }

    /** Keeps the cache bounded: manifests stay in their dump folders after the dump is delivered. */
    private void evictLeastRecentlyUsed() {
        while (cache.size() > MAX_CACHED) {
            cache.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().used().get()))
                    .ifPresent(oldest -> cache.remove(oldest.getKey(), oldest.getValue()));
        }
    }

    /** The manifest file of a folder, or null. */
    private static Path find(Path dir) {
        for (String spelling : SPELLINGS) {
            Path candidate = dir.resolve(spelling);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private String display(Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }

    /**
     * Reads and parses one manifest version. A read failure (permissions, I/O) is thrown and not cached, so it is tried
     * again; a content failure (not UTF-8, too large) is cached with the version, like the rows.
     */
    private Parsed parse(Path file, String display, Version version) {
        parses.incrementAndGet();
        if (version.size() > MAX_BYTES) {
            return Parsed.failed(display, version, display + " cannot be read: it is " + version.size()
                    + " bytes, more than the " + MAX_BYTES + " bytes a manifest may have");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(unreadable(display, e));
        }
        String text;
        try {
            text = decode(bytes, display);
        } catch (IOException e) {
            return Parsed.failed(display, version, e.getMessage());
        }
        List<Record> records = records(text);
        Map<String, List<Row>> rows = rows(records, display);
        String unclosed = records.stream().filter(r -> UNCLOSED.equals(r.problem())).findFirst()
                .map(r -> display + " line " + r.line() + ": " + UNCLOSED).orElse(null);
        Parsed parsed = new Parsed(display, version, rows, null, unclosed, new AtomicLong());
        warnAboutMissingFiles(file.getParent(), parsed);
        return parsed;
    }

    private static IOException unreadable(String display, IOException e) {
        String why = e instanceof AccessDeniedException ? "permission denied"
                : e instanceof NoSuchFileException ? "it disappeared while being read"
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new IOException(display + " cannot be read: " + why, e);
    }

    /** Strict UTF-8, with or without a byte order mark. */
    static String decode(byte[] bytes, String display) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out;
        try {
            out = decoder.decode(in);
        } catch (MalformedInputException e) {
            int offset = in.position();
            int line = 1;
            for (int i = 0; i < offset && i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new IOException(display + " cannot be read: it is not valid UTF-8 (line " + line + ", byte offset "
                    + offset + "); save it as UTF-8");
        } catch (CharacterCodingException e) {
            throw new IOException(display + " cannot be read: it is not valid UTF-8 (" + e + "); save it as UTF-8");
        }
        String text = out.toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** One CSV record: its fields, the line it starts on, and what is wrong with it (null if nothing). */
    record Record(List<String> fields, int line, String problem) {
    }

    /** RFC 4180 records (quotes, doubled quotes, commas and line breaks in quotes; CRLF or LF); blank and # lines skipped. */
    static List<Record> records(String text) {
        List<Record> records = new ArrayList<>();
        int i = 0;
        int line = 1;
        int n = text.length();
        while (i < n) {
            int start = line;
            // a blank line or a comment line is skipped whole
            int eol = lineEnd(text, i);
            String raw = text.substring(i, eol);
            if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
                i = skipBreak(text, eol);
                line++;
                continue;
            }
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            String problem = null;
            boolean quoted = false;
            boolean wasQuoted = false;
            boolean afterQuote = false;
            boolean done = false;
            while (!done) {
                if (i >= n) {
                    if (quoted) {
                        problem = UNCLOSED;
                    }
                    fields.add(finish(field, wasQuoted));
                    done = true;
                    continue;
                }
                char c = text.charAt(i);
                if (quoted) {
                    if (c == '"') {
                        if (i + 1 < n && text.charAt(i + 1) == '"') {
                            field.append('"');
                            i += 2;
                        } else {
                            quoted = false;
                            afterQuote = true;
                            i++;
                        }
                    } else {
                        if (c == '\n') {
                            line++;
                        }
                        field.append(c);
                        i++;
                    }
                } else if (c == ',') {
                    fields.add(finish(field, wasQuoted));
                    field.setLength(0);
                    wasQuoted = false;
                    afterQuote = false;
                    i++;
                } else if (c == '\r' || c == '\n') {
                    fields.add(finish(field, wasQuoted));
                    i = skipBreak(text, i);
                    line++;
                    done = true;
                } else if (c == '"' && !wasQuoted && field.toString().isBlank()) {
                    field.setLength(0);
                    quoted = true;
                    wasQuoted = true;
                    i++;
                } else {
                    if (afterQuote && !Character.isWhitespace(c) && problem == null) {
                        problem = "text after the closing quote of field " + (fields.size() + 1);
                    } else if (c == '"' && problem == null) {
                        problem = "a quote inside an unquoted field " + (fields.size() + 1) + " (quote the whole field and double the quote)";
                    }
                    if (!afterQuote || !Character.isWhitespace(c)) {
                        field.append(c);
                    }
                    i++;
                }
            }
            records.add(new Record(fields, start, problem));
        }
        return records;
    }

    private static String finish(StringBuilder field, boolean wasQuoted) {
        return wasQuoted ? field.toString() : field.toString().strip();
    }

    private static int lineEnd(String text, int from) {
        int i = from;
        while (i < text.length() && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
            i++;
        }
        return i;
    }

    private static int skipBreak(String text, int i) {
        if (i < text.length() && text.charAt(i) == '\r') {
            i++;
        }
        if (i < text.length() && text.charAt(i) == '\n') {
            i++;
        }
        return i;
    }

    /** The rows of a manifest, keyed by lower-case file name; a bad row is kept with its problem. */
    static Map<String, List<Row>> rows(List<Record> records, String display) {
        int fileColumn = 0;
        int orderColumn = 1;
        int typeColumn = 2;
        int columns = 3;
        int first = 0;
        if (!records.isEmpty() && isHeader(records.get(0).fields())) {
            List<String> header = records.get(0).fields().stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
            fileColumn = header.indexOf("file");
            orderColumn = header.indexOf("order_id");
            typeColumn = header.indexOf("type");
            columns = header.size();
            first = 1;
        }
        Map<String, List<Row>> rows = new LinkedHashMap<>();
        for (Record record : records.subList(first, records.size())) {
            List<String> f = record.fields();
            String file = fileColumn < f.size() ? f.get(fileColumn) : "";
            String problem = record.problem();
            if (problem == null && f.size() < 2) {
                problem = "expected " + LAYOUT + ", found " + f.size() + " column" + (f.size() == 1 ? "" : "s");
            } else if (problem == null && f.size() > columns) {
                problem = "expected " + LAYOUT + ", found " + f.size() + " columns";
            } else if (problem == null && orderColumn >= f.size()) {
                problem = "expected " + LAYOUT + ", the order_id column is missing";
            }
            String order = orderColumn < f.size() ? f.get(orderColumn) : null;
            String type = typeColumn >= 0 && typeColumn < f.size() ? f.get(typeColumn) : null;
            if (file.isEmpty()) {
                continue; // names no file, so no lookup can ever be about it
            }
            rows.computeIfAbsent(file.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(new Row(new ManifestRow(file, order, type, display, record.line()), problem));
        }
        return rows;
    }

    private static boolean isHeader(List<String> fields) {
        Set<String> names = new HashSet<>();
        for (String field : fields) {
            String name = field.strip().toLowerCase(Locale.ROOT);
            if (!name.equals("file") && !name.equals("order_id") && !name.equals("type") || !names.add(name)) {
                return false;
            }
        }
        return names.contains("file") && names.contains("order_id");
    }

    private void warnAboutMissingFiles(Path dir, Parsed parsed) {
        Set<String> present = new HashSet<>(namesIn(dir));
        List<String> missing = new ArrayList<>();
        for (List<Row> rows : parsed.rows.values()) {
            String name = rows.get(0).row().file();
            if (!present.contains(name.toLowerCase(Locale.ROOT))) {
                missing.add(name);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        // files already delivered or kept as failed sit in dot-folders of the root (.done/, .error/)
        String folder = root.relativize(dir).toString();
        Set<String> handled = new HashSet<>();
        try (DirectoryStream<Path> dots = Files.newDirectoryStream(root, p -> p.getFileName().toString().startsWith(".")
                && Files.isDirectory(p))) {
            for (Path dot : dots) {
                handled.addAll(namesIn(folder.isEmpty() ? dot : dot.resolve(folder)));
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Cannot list the dot-folders of {}: {}", root, e.toString());
        }
        missing.removeIf(name -> handled.contains(name.toLowerCase(Locale.ROOT)));
        if (!missing.isEmpty()) {
            int rows = parsed.size();
            LOG.warn("{} ({} row{}) lists {} file{} not found in {}: {}{}", parsed.display, rows, rows == 1 ? "" : "s",
                    missing.size(), missing.size() == 1 ? "" : "s", folder.isEmpty() ? "the root folder" : folder + "/",
                    String.join(", ", missing.subList(0, Math.min(MISSING_NAMES_LOGGED, missing.size())).stream()
                            .map(NameRules::printable).toList()),
                    missing.size() > MISSING_NAMES_LOGGED ? ", ..." : "");
        }
    }

    private static Set<String> namesIn(Path dir) {
        Set<String> names = new HashSet<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString().toLowerCase(Locale.ROOT));
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Cannot list {}: {}", dir, e.toString());
        }
        return names;
    }

    private record Version(FileTime modified, long size) {
    }

    private record Row(ManifestRow row, String problem) {
    }

    /** A parsed manifest version: rows by lower-case file name; or why it cannot be used; or where its readable part ends. */
    private record Parsed(String display, Version version, Map<String, List<Row>> rows, String failure, String unclosed,
                          AtomicLong used) {

        static Parsed failed(String display, Version version, String failure) {
            return new Parsed(display, version, Map.of(), failure, null, new AtomicLong());
        }

        int size() {
            return rows.values().stream().mapToInt(List::size).sum();
        }

        Optional<ManifestRow> lookup(String fileName) throws IOException {
            if (failure != null) {
                throw new IOException(failure);
            }
            List<Row> candidates = rows.get(fileName.toLowerCase(Locale.ROOT));
            if (candidates == null) {
                if (unclosed != null) {
                    throw new IOException(unclosed + "; " + NameRules.printable(fileName) + " may be listed there");
                }
                return Optional.empty();
            }
            Row first = candidates.get(0);
            if (first.problem() != null) {
                throw new IOException(display + " line " + first.row().line() + ": " + first.problem());
            }
            for (Row other : candidates.subList(1, candidates.size())) {
                if (other.problem() != null) {
                    throw new IOException(display + " line " + other.row().line() + ": " + other.problem()
                            + " (the file is also listed on line " + first.row().line() + ")");
                }
                if (!same(first.row(), other.row())) {
                    throw new IOException(display + " lists " + NameRules.printable(fileName) + " twice with different values"
                            + " (lines " + first.row().line() + " and " + other.row().line() + "); keep one row per file");
                }
            }
            return Optional.of(first.row());
        }

        private static boolean same(ManifestRow a, ManifestRow b) {
            return norm(a.orderId()).equals(norm(b.orderId())) && norm(a.type()).equalsIgnoreCase(norm(b.type()));
        }

        private static String norm(String value) {
            return value == null ? "" : value.strip();
        }
    }
}
