package io.photobridge.ingest;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.photobridge.records.Ledger;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drop folder's file filter: takes the names Camel's file consumer cannot handle out of the inbox, into the error
 * folder with a note, instead of leaving them there forever. Camel lists the inbox with java.io.File, so a name that is
 * not valid UTF-8 on disk comes back with U+FFFD and can never be opened, a backslash is read as a path separator
 * (the file is then never found), and a name over {@value #MAX_NAME_BYTES} bytes leaves no room for the error folder's
 * {@code <name>.error.txt} note; such a file used to stay in the inbox, silently or with a WARN at every poll.
 * When several instances share the inbox it also skips the files another instance has claimed (so that a poll's limit is
 * spent on free files), and moves a bad name only under a claim of its own, so one instance records and moves it.
 */
public final class DropFolderNames implements GenericFileFilter<File> {

    /** What the error folder's notes add to a file's name. */
    public static final String NOTE_SUFFIX = ".error.txt";
    /** Longest file name (UTF-8 bytes) the drop folder takes: a failed file's note adds ".error.txt" to it. */
    public static final int MAX_NAME_BYTES = NameRules.MAX_SEGMENT_BYTES - NOTE_SUFFIX.length();

    private static final Logger LOG = LoggerFactory.getLogger(DropFolderNames.class);

    private final String errorFolder;
    private final Ledger ledger;
    private final LedgerClaims claims;

    /**
     * errorFolder: the folder, under the inbox, of failed files and their notes; ledger: where the rejection is recorded;
     * claims: the drop folder's read-lock claims (keyed by absolute path, as the read lock does), or null.
     */
    public DropFolderNames(String errorFolder, Ledger ledger, LedgerClaims claims) {
        this.errorFolder = errorFolder;
        this.ledger = ledger;
        this.claims = claims;
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        File entry = file.getFile();
        String rule = rule(entry.getName(), file.isDirectory());
        if (rule == null) {
            return file.isDirectory() || claims == null || !claims.taken(file.getAbsoluteFilePath());
        }
        String key = file.getAbsoluteFilePath();
        if (claims != null && !claims.add(key)) {
            return false; // another instance is moving it
        }
        try {
            quarantine(file, entry, rule);
        } finally {
            if (claims != null) {
                claims.remove(key);
            }
        }
        return false;
    }

    private void quarantine(GenericFile<File> file, File entry, String rule) {
        Path inbox = Path.of(file.getEndpointPath()).toAbsolutePath().normalize();
        String relative = inbox.relativize(entry.getAbsoluteFile().toPath().normalize()).toString();
        String reason;
        try {
            NameRules.checkPath(relative);
            reason = new RuleViolation(NameRules.printable(relative), rule).getMessage();
        } catch (RuleViolation v) {
            reason = v.getMessage(); // '..', an absolute path, broken UTF-8: the name rules' own wording
        }
        try {
            for (Path raw : onDisk(entry)) {
                quarantine(inbox, raw, reason);
            }
        } catch (NoSuchFileException gone) {
            LOG.debug("{} left the inbox meanwhile (another instance moved it)", NameRules.printable(relative));
        } catch (IOException | RuntimeException e) {
            LOG.error("Cannot move {} out of the inbox ({}): {}", NameRules.printable(relative), reason, e.toString());
        }
    }

    /** What is wrong with a name for the file consumer, or null. */
    static String rule(String name, boolean directory) {
        if (name.indexOf('\uFFFD') >= 0) {
            return "name '" + NameRules.printable(name) + "' is not valid UTF-8; rename the file using UTF-8";
        }
        if (name.indexOf('\\') >= 0) {
            return "name '" + NameRules.printable(name) + "' contains '\\', which PhotoBridge reads as a folder separator"
                    + " (a Windows path); rename the file without backslashes";
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (!directory && bytes > MAX_NAME_BYTES) {
            return "name '" + NameRules.abbreviate(name) + "' is " + bytes + " bytes long in UTF-8; at most " + MAX_NAME_BYTES
                    + " bytes are allowed in the drop folder (its error note '<name>.error.txt' must fit the file"
                    + " system's 255-byte limit)";
        }
        return null;
    }

    /** The note's file name for a file name: the name plus ".error.txt", shortened (with a hash of the name) to fit 255 bytes. */
    public static String noteName(String fileName) {
        String name = fileName;
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length + NOTE_SUFFIX.length() <= NameRules.MAX_SEGMENT_BYTES) {
            return name + NOTE_SUFFIX;
        }
        String tag = "~" + HexFormat.of().formatHex(sha256(bytes), 0, 4);
        int keep = NameRules.MAX_SEGMENT_BYTES - NOTE_SUFFIX.length() - tag.length();
        StringBuilder head = new StringBuilder();
        int used = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (used + n > keep) {
                break;
            }
            head.appendCodePoint(cp);
            used += n;
            i += Character.charCount(cp);
        }
        return head + tag + NOTE_SUFFIX;
    }

    /** The entries of the file's folder that java.io.File shows under its name (a broken name may stand for several). */
    private static List<Path> onDisk(File entry) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(
                entry.getAbsoluteFile().getParentFile().toPath().normalize())) {
            for (Path sibling : siblings) {
                if (sibling.getFileName().toString().equals(entry.getName())) {
                    found.add(sibling); // keeps the name's bytes as they are on disk
                }
            }
        }
        return found;
    }

    /** Moves the entry under the error folder (its name's bytes unchanged), writes its note, records the rejection. */
    private void quarantine(Path inbox, Path raw, String reason) throws IOException {
        Path relativeParent = inbox.relativize(raw.getParent());
        Path target = inbox.resolve(errorFolder).resolve(relativeParent);
        if (Files.exists(target.resolve(raw.getFileName()), LinkOption.NOFOLLOW_LINKS)) {
            target = target.resolve(String.valueOf(System.currentTimeMillis())); // never replace an earlier failed file
        }
        String uri = raw.toAbsolutePath().toUri().toString();
        String input = NameRules.printable(inbox.relativize(raw).toString());
        ledger.rejected(null, uri, reason); // the outcome is recorded before the file leaves the inbox
        Files.createDirectories(target);
        Path kept = Files.move(raw, target.resolve(raw.getFileName()));
        Files.writeString(target.resolve(noteName(raw.getFileName().toString())), "PhotoBridge could not deliver " + input + "\n"
                + "reason: " + reason + "\n"
                + "when:   " + Instant.now() + "\n"
                + "source: " + uri + "\n"
                + "The input is kept beside this note (" + NameRules.printable(inbox.relativize(kept).toString())
                + "); rename it and put it back into the inbox to try again.\n", StandardCharsets.UTF_8);
        LOG.warn("Failed {}: {}", input, reason);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
