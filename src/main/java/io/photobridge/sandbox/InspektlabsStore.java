package io.photobridge.sandbox;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Inspektlabs sandbox's files: {@code <root>/uploads/<session>.json} (one accepted upload's metadata),
 * {@code <root>/sessions.jsonl} (issued sessions with SHA-256 fingerprints of their tokens, never the tokens) and
 * {@code <root>/tmp/} (uploaded and fetched files while a request is checked; removed afterwards).
 */
final class InspektlabsStore {

    private static final Logger LOG = LoggerFactory.getLogger(InspektlabsStore.class);

    /** An issued session and the fingerprints of its two tokens. */
    record IssuedSession(String session, String accessTokenSha256, String refreshTokenSha256, Instant issuedAt) {
    }

    /** What {@link #load()} found. */
    record Loaded(List<IssuedSession> sessions, List<InspektlabsUpload> uploads) {
    }

    private final Path uploads;
    private final Path tmp;
    private final Path sessionsFile;
    private final Object sessionsLock = new Object();

    InspektlabsStore(Path root) throws IOException {
        this.uploads = Files.createDirectories(root.resolve("uploads"));
        this.tmp = Files.createDirectories(root.resolve("tmp"));
        this.sessionsFile = root.resolve("sessions.jsonl");
    }

    Path newTempFile() throws IOException {
        return Files.createTempFile(tmp, "upload-", ".part");
    }

    /** Reads the issued sessions and the accepted uploads (oldest first); removes leftovers of interrupted requests. */
    Loaded load() throws IOException {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
            for (Path leftover : leftovers) {
                Files.deleteIfExists(leftover);
            }
        }
        List<IssuedSession> sessions = new ArrayList<>();
        if (Files.isRegularFile(sessionsFile)) {
            try (BufferedReader reader = Files.newBufferedReader(sessionsFile, StandardCharsets.UTF_8)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        JsonNode json = SandboxHttp.MAPPER.readTree(line);
                        sessions.add(new IssuedSession(json.get("session").asText(), json.get("access_token_sha256").asText(),
                                json.get("refresh_token_sha256").asText(), Instant.parse(json.get("issued_at").asText())));
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("Ignoring an unreadable line of {}", sessionsFile);
                    }
                }
            }
        }
        List<InspektlabsUpload> loaded = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(uploads, "*.json")) {
            for (Path file : files) {
                try {
                    loaded.add(fromJson(SandboxHttp.MAPPER.readTree(file.toFile())));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Ignoring unreadable sandbox upload metadata {}: {}", file, e.toString());
                }
            }
        }
        loaded.sort(Comparator.comparing(InspektlabsUpload::at).thenComparing(InspektlabsUpload::session));
        return new Loaded(sessions, loaded);
    }

    /** Appends an issued session. */
    void saveSession(IssuedSession issued) throws IOException {
        ObjectNode json = SandboxHttp.object();
        json.put("session", issued.session());
        json.put("access_token_sha256", issued.accessTokenSha256());
        json.put("refresh_token_sha256", issued.refreshTokenSha256());
        json.put("issued_at", issued.issuedAt().toString());
        byte[] line = (SandboxHttp.MAPPER.writeValueAsString(json) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (sessionsLock) {
            try (OutputStream out = Files.newOutputStream(sessionsFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                out.write(line);
            }
        }
    }

    /** Writes an accepted upload's metadata (atomically). */
    void save(InspektlabsUpload upload) throws IOException {
        Path temp = Files.createTempFile(tmp, "meta-", ".part");
        try {
            try (OutputStream out = Files.newOutputStream(temp)) {
                out.write(SandboxHttp.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(upload)));
            }
            Path target = uploads.resolve(upload.session() + ".json");
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The JSON form of an upload, as persisted and as listed by GET /sandbox/uploads. */
    static ObjectNode toJson(InspektlabsUpload upload) {
        ObjectNode json = SandboxHttp.object();
        json.put("session", upload.session());
        json.put("caseId", upload.caseId());
        json.put("mode", upload.mode());
        ArrayNode files = json.putArray("files");
        for (InspektlabsUpload.UploadedFile file : upload.files()) {
            files.addObject()
                    .put("name", file.name())
                    .put("size", file.size())
                    .put("sha256", file.sha256())
                    .put("contentType", file.contentType());
        }
        ArrayNode urls = json.putArray("urls");
        upload.urls().forEach(urls::add);
        json.put("callbackUrl", upload.callbackUrl());
        json.put("emailId", upload.emailId());
        json.put("agentId", upload.agentId());
        json.put("agentName", upload.agentName());
        json.put("at", upload.at().toString());
        return json;
    }

    static InspektlabsUpload fromJson(JsonNode json) {
        List<InspektlabsUpload.UploadedFile> files = new ArrayList<>();
        for (JsonNode file : json.path("files")) {
            files.add(new InspektlabsUpload.UploadedFile(file.get("name").asText(), file.get("size").asLong(),
                    file.get("sha256").asText(), text(file, "contentType")));
        }
        List<String> urls = new ArrayList<>();
        json.path("urls").forEach(url -> urls.add(url.asText()));
        return new InspektlabsUpload(json.get("session").asText(), json.get("caseId").asText(), json.get("mode").asText(),
                files, urls, text(json, "callbackUrl"), text(json, "emailId"), text(json, "agentId"), text(json, "agentName"),
                Instant.parse(json.get("at").asText()));
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
