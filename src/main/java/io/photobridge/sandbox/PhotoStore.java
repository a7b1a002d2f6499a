package io.photobridge.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's files: {@code <root>/photos/<id>.bin} (decoded bytes) and {@code <id>.json} (metadata, written last, so a
 * photo exists once its JSON does), {@code <root>/orders.json} (orders added at run time), {@code <root>/tmp/} (uploads in progress).
 */
final class PhotoStore {

    private static final Logger LOG = LoggerFactory.getLogger(PhotoStore.class);

    /** A stored photo and its detected format. */
    record Entry(StoredPhoto photo, ImageFormat format) {
    }

    /** What {@link #load()} found. */
    record Loaded(List<Entry> entries, long highestId, List<Long> addedOrders) {
    }

    private final Path photos;
    private final Path tmp;
    private final Path ordersFile;

    PhotoStore(Path root) throws IOException {
        this.photos = Files.createDirectories(root.resolve("photos"));
        this.tmp = Files.createDirectories(root.resolve("tmp"));
        this.ordersFile = root.resolve("orders.json");
    }

    Path bin(long id) {
        return photos.resolve(id + ".bin");
    }

    Path newTempFile() throws IOException {
        return Files.createTempFile(tmp, "upload-", ".part");
    }

    /** Reads every committed photo; removes leftovers of interrupted uploads. */
    Loaded load() throws IOException {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
            for (Path leftover : leftovers) {
                Files.deleteIfExists(leftover);
            }
        }
        List<Entry> entries = new ArrayList<>();
        long highest = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(photos)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                long id = idOf(name);
                if (id < 0) {
                    continue;
                }
                highest = Math.max(highest, id);
                if (name.endsWith(".json")) {
                    Entry entry = read(file);
                    if (entry != null && Files.isRegularFile(bin(id))) {
                        entries.add(entry);
                    } else {
                        LOG.warn("Ignoring incomplete sandbox photo {}", file);
                    }
                }
            }
        }
        List<Long> added = new ArrayList<>();
        if (Files.isRegularFile(ordersFile)) {
            for (JsonNode order : SandboxHttp.MAPPER.readTree(ordersFile.toFile())) {
                added.add(order.asLong());
            }
        }
        return new Loaded(entries, highest, added);
    }

    /** Moves a fully written upload into place and writes its metadata. */
    void commit(Path upload, Entry entry) throws IOException {
        move(upload, bin(entry.photo().id()));
        writeJson(entry);
    }

    /** Stores a copy of the source photo's bytes under the entry's id. */
    void copy(long sourceId, Entry entry) throws IOException {
        Path upload = newTempFile();
        try {
            Files.copy(bin(sourceId), upload, StandardCopyOption.REPLACE_EXISTING);
            commit(upload, entry);
        } finally {
            Files.deleteIfExists(upload);
        }
    }

    /** Removes a photo: its metadata first (a photo exists while its JSON does), then its bytes. */
    void delete(long id) throws IOException {
        Files.deleteIfExists(photos.resolve(id + ".json"));
        Files.deleteIfExists(bin(id));
    }

    void saveAddedOrders(Collection<Long> orders) throws IOException {
        ArrayNode array = SandboxHttp.MAPPER.createArrayNode();
        new TreeSet<>(orders).forEach(array::add);
        writeAtomically(ordersFile, SandboxHttp.MAPPER.writeValueAsBytes(array));
    }

    private void writeJson(Entry entry) throws IOException {
        StoredPhoto p = entry.photo();
        ObjectNode json = SandboxHttp.object();
        json.put("id", p.id());
        json.put("order_id", p.orderId());
        json.put("type_id", p.typeId());
        json.put("type_name", p.typeName());
        json.put("filename", p.fileName());
        json.put("requested_file_name", p.requestedFileName());
        json.put("image_name", p.imageName());
        json.put("picture_time", p.pictureTime());
        json.put("sha256", p.sha256());
        json.put("size", p.size());
        if (p.parentAttachmentOrderId() == null) {
            json.putNull("parent_attachment_order_id");
        } else {
            json.put("parent_attachment_order_id", p.parentAttachmentOrderId());
        }
        json.put("created_at", p.createdAt().toString());
        json.put("content_type", entry.format().contentType());
        writeAtomically(photos.resolve(p.id() + ".json"), SandboxHttp.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
    }

    private static Entry read(Path file) {
        try {
            JsonNode json = SandboxHttp.MAPPER.readTree(file.toFile());
            JsonNode parent = json.get("parent_attachment_order_id");
            StoredPhoto photo = new StoredPhoto(json.get("id").asLong(), json.get("order_id").asLong(),
                    json.get("type_id").asInt(), json.get("type_name").asText(), json.get("filename").asText(),
                    json.get("requested_file_name").asText(), json.get("image_name").asText(),
                    json.get("picture_time").asText(), json.get("sha256").asText(), json.get("size").asLong(),
                    parent == null || parent.isNull() ? null : parent.asLong(),
                    Instant.parse(json.get("created_at").asText()));
            ImageFormat format = ImageFormat.fromContentType(json.path("content_type").asText());
            return new Entry(photo, format == null ? ImageFormat.JPEG : format);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Unreadable sandbox photo metadata {}: {}", file, e.toString());
            return null;
        }
    }

    private void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temp = Files.createTempFile(tmp, "meta-", ".part");
        try {
            try (OutputStream out = Files.newOutputStream(temp)) {
                out.write(bytes);
            }
            move(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static long idOf(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot <= 0 || !(fileName.endsWith(".json") || fileName.endsWith(".bin"))) {
            return -1;
        }
        try {
            return Long.parseLong(fileName.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
