package io.photobridge.recoveryconnect;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.apache.camel.Exchange;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads transfer files: CSV rows {@code order_id,transfer_to,photo_id|all} (header optional, # comments). Every row is checked,
 * against RecoveryConnect too, before any transfer starts: one bad row refuses the whole file, naming the line and the rule.
 */
public final class TransferFiles {

    private static final Logger LOG = LoggerFactory.getLogger(TransferFiles.class);
    static final String LAYOUT = "order_id,transfer_to,photo_id|all";
    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setCommentMarker('#').setIgnoreEmptyLines(true)
            .setTrim(true).get();

    private final PhotoTransfers transfers;

    public TransferFiles(PhotoTransfers transfers) {
        this.transfers = transfers;
    }

    /** The file's rows as checked requests, in file order. */
    public List<TransferRequest> read(String csv, Exchange exchange) throws IOException {
        String name = exchange.getIn().getHeader(Exchange.FILE_NAME, "transfer file", String.class);
        String text = csv == null ? "" : csv.replace("\uFEFF", "");
        // the same rows read again (after a restart, or a file put back) are the same requests: what succeeded is not redone
        String fileId = "file-" + sha256Hex(text).substring(0, 32);
        List<TransferRequest> requests = new ArrayList<>();
        try (CSVParser parser = CSVParser.parse(new StringReader(text), FORMAT)) {
            for (CSVRecord row : parser) {
                int line = lineOf(text, row.getCharacterPosition());
                if (requests.isEmpty() && row.size() > 0 && row.get(0).equalsIgnoreCase("order_id")) {
                    continue;
                }
                TransferRequest request = parse(row, name, line, fileId);
                try {
                    transfers.verify(request, "photo_id");
                } catch (TransferRefused e) {
                    throw new TransferRefused(e.status(), name + " line " + line + ": " + e.getMessage());
                }
                requests.add(request);
            }
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            throw new TransferRefused(400, name + " is not readable as CSV (" + LAYOUT + "): " + e.getMessage());
        }
        if (requests.isEmpty()) {
            throw new TransferRefused(400, name + " has no " + LAYOUT + " row");
        }
        return requests;
    }

    /** Writes a refused file's note beside it in the error folder. */
    public void failed(Exchange exchange, String errorFolder) throws IOException {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Path file = Path.of(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class));
        Path note = file.getParent().resolve(errorFolder).resolve(file.getFileName() + ".error.txt");
        Files.createDirectories(note.getParent());
        LOG.warn("Transfer file {} refused: {}", file.getFileName(), cause == null ? "unknown" : cause.getMessage());
        Files.writeString(note, "PhotoBridge did not carry out the transfers of " + file.getFileName()
                + " (no row of it was transferred; fix it and put it back)\nreason: "
                + (cause == null ? "unknown" : cause.getMessage()) + "\nrows:   " + LAYOUT + "\nwhen:   " + Instant.now() + "\n",
                StandardCharsets.UTF_8);
    }

    private static TransferRequest parse(CSVRecord row, String name, int line, String fileId) {
        String where = name + " line " + line + ": ";
        if (row.size() != 3) {
            throw new TransferRefused(400, where + "expected 3 columns " + LAYOUT + ", got " + row.size());
        }
        long orderId = id(row.get(0), where, "order_id");
        long transferTo = id(row.get(1), where, "transfer_to");
        if (transferTo == orderId) {
            throw new TransferRefused(400, where + "transfer_to " + transferTo + " is the order the photos come from");
        }
        String photo = row.get(2);
        List<Long> photoIds = photo.equalsIgnoreCase("all") ? List.of() : List.of(id(photo, where, "photo_id"));
        return new TransferRequest(fileId + ":" + line, "file " + name + " line " + line, orderId, List.of(transferTo), photoIds);
    }

    private static long id(String value, String where, String column) {
        if (!value.matches("\\d{1,18}") || Long.parseLong(value) == 0) {
            throw new TransferRefused(400, where + column + " '" + value + "' is not an id (a positive whole number"
                    + (column.equals("photo_id") ? ", or all" : "") + ")");
        }
        return Long.parseLong(value);
    }

    /** The line a row is on: its position is where the parser started reading it, comment and blank lines before it included. */
    private static int lineOf(String text, long position) {
        int line = 1;
        int i = 0;
        for (; i < position && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        while (i < text.length()) {
            int end = text.indexOf('\n', i);
            String content = text.substring(i, end < 0 ? text.length() : end).trim();
            if (!content.isEmpty() && !content.startsWith("#") || end < 0) {
                break;
            }
            i = end + 1;
            line++;
        }
        return line;
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
