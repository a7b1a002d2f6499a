package io.photobridge.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import io.photobridge.ingest.Manifests.ManifestRow;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** manifest.csv of a dump folder: format, errors that name the manifest and line, cache, rows that point nowhere. */
class FolderManifestsTest {

    @TempDir
    Path inbox;

    private FolderManifests manifests;
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private AbstractAppender capture;

    @BeforeEach
    void setUp() {
        manifests = new FolderManifests(inbox);
        capture = new AbstractAppender("manifest-warnings", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLevel().name().equals("WARN")) {
                    warnings.add(event.getMessage().getFormattedMessage());
                }
            }
        };
        capture.start();
        ((Logger) LogManager.getLogger(FolderManifests.class)).addAppender(capture);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LogManager.getLogger(FolderManifests.class)).removeAppender(capture);
        capture.stop();
    }

    private Path write(String folder, String content, String... files) throws IOException {
        return writeBytes(folder, FolderManifests.FILE_NAME, content.getBytes(StandardCharsets.UTF_8), files);
    }

    private Path writeBytes(String folder, String name, byte[] content, String... files) throws IOException {
        Path dir = folder.isEmpty() ? inbox : inbox.resolve(folder);
        Files.createDirectories(dir);
        for (String file : files) {
            Files.writeString(dir.resolve(file), "photo");
        }
        return Files.write(dir.resolve(name), content);
    }

    private ManifestRow row(String folder, String file) throws IOException {
        return manifests.lookup(folder, file).orElseThrow(() -> new AssertionError(file + " not found in " + folder));
    }

    @Test
    void headerRowIsSkippedAndRowsAreFound() throws Exception {
        write("dump", "file,order_id,type\nDSC_0001.JPG,57076503,key\nDSC_0002.JPG,57076503\n", "DSC_0001.JPG", "DSC_0002.JPG");

        assertThat(row("dump", "DSC_0001.JPG")).isEqualTo(new ManifestRow("DSC_0001.JPG", "57076503", "key", "dump/manifest.csv", 2));
        assertThat(row("dump", "DSC_0002.JPG")).isEqualTo(new ManifestRow("DSC_0002.JPG", "57076503", null, "dump/manifest.csv", 3));
        assertThat(manifests.lookup("dump", "file")).isEmpty();
    }

    @Test
    void manifestWithoutHeaderUsesTheFirstRowAsData() throws Exception {
        write("dump", "DSC_0001.JPG,57076503,vin\n", "DSC_0001.JPG");
        assertThat(row("dump", "DSC_0001.JPG")).isEqualTo(new ManifestRow("DSC_0001.JPG", "57076503", "vin", "dump/manifest.csv", 1));
    }

    @Test
    void headerIsCaseInsensitiveAndMayReorderColumns() throws Exception {
        write("dump", "Type,ORDER_ID,File\nkey,57076503,DSC_0001.JPG\n", "DSC_0001.JPG");
        assertThat(row("dump", "DSC_0001.JPG")).isEqualTo(new ManifestRow("DSC_0001.JPG", "57076503", "key", "dump/manifest.csv", 2));
    }

    @Test
    void fileNamesMatchCaseInsensitively() throws Exception {
        write("dump", "dsc_0001.jpg,57076503\n", "DSC_0001.JPG");
        assertThat(row("dump", "DSC_0001.JPG").file()).isEqualTo("dsc_0001.jpg");
    }

    @Test
    void byteOrderMarkIsTolerated() throws Exception {
        byte[] text = "DSC_0001.JPG,57076503\n".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[text.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(text, 0, withBom, 3, text.length);
        writeBytes("dump", FolderManifests.FILE_NAME, withBom, "DSC_0001.JPG");

        assertThat(row("dump", "DSC_0001.JPG")).isEqualTo(new ManifestRow("DSC_0001.JPG", "57076503", null, "dump/manifest.csv", 1));
        assertThat(warnings).isEmpty();
    }

    @Test
    void quotedFieldsMayHoldCommasQuotesAndSpaces() throws Exception {
        write("dump", "file,order_id,type\n\"Front, left.jpg\",57076503,key\n\"say \"\"cheese\"\".jpg\",\"57076504\",\"\"\n"
                + "  \" padded .jpg\" , 57076505 , vin \n");
        assertThat(row("dump", "Front, left.jpg")).isEqualTo(new ManifestRow("Front, left.jpg", "57076503", "key", "dump/manifest.csv", 2));
        assertThat(row("dump", "say \"cheese\".jpg")).isEqualTo(new ManifestRow("say \"cheese\".jpg", "57076504", "", "dump/manifest.csv", 3));
        assertThat(row("dump", " padded .jpg")).isEqualTo(new ManifestRow(" padded .jpg", "57076505", "vin", "dump/manifest.csv", 4));
    }

    @Test
    void crlfLineEndsCommentsAndBlankLinesAreHandledAndLinesCountedAsInAnEditor() throws Exception {
        write("dump", "# written by the van's tablet\r\nfile,order_id,type\r\n\r\n# front\r\nDSC_0001.JPG,57076503,key\r\n"
                + "   \r\n\"multi\r\nline.jpg\",57076504\r\nDSC_0003.JPG,57076505,vin");
        assertThat(row("dump", "DSC_0001.JPG")).isEqualTo(new ManifestRow("DSC_0001.JPG", "57076503", "key", "dump/manifest.csv", 5));
        assertThat(row("dump", "multi\r\nline.jpg").line()).isEqualTo(7);
        assertThat(row("dump", "DSC_0003.JPG")).isEqualTo(new ManifestRow("DSC_0003.JPG", "57076505", "vin", "dump/manifest.csv", 9));
    }

    @Test
    void rootFolderManifestAndUpperCaseManifestNameAreFound() throws Exception {
        writeBytes("", "MANIFEST.CSV", "DSC_0001.JPG,57076503\n".getBytes(StandardCharsets.UTF_8));
        assertThat(row("", "DSC_0001.JPG")).isEqualTo(new ManifestRow("DSC_0001.JPG", "57076503", null, "MANIFEST.CSV", 1));
    }

    @Test
    void folderWithoutManifestOrWithoutTheFileFindsNothing() throws Exception {
        assertThat(manifests.lookup("nowhere", "DSC_0001.JPG")).isEmpty();
        write("dump", "DSC_0001.JPG,57076503\n");
        assertThat(manifests.lookup("dump", "DSC_0002.JPG")).isEmpty();
    }

    @Test
    void rowWithTooFewColumnsFailsOnlyTheFileItNames() throws Exception {
        write("dump", "file,order_id,type\nDSC_0001.JPG\nDSC_0002.JPG,57076503,key\n");

        assertThatThrownBy(() -> manifests.lookup("dump", "DSC_0001.JPG"))
                .isInstanceOf(IOException.class)
                .hasMessage("dump/manifest.csv line 2: expected file,order_id[,type], found 1 column");
        assertThat(row("dump", "DSC_0002.JPG").orderId()).isEqualTo("57076503");
    }

    @Test
    void rowWithTooManyColumnsIsReportedWithItsLine() throws Exception {
        write("dump", "DSC_0001.JPG,57076503,key,extra\n");
        assertThatThrownBy(() -> manifests.lookup("dump", "DSC_0001.JPG"))
                .hasMessage("dump/manifest.csv line 1: expected file,order_id[,type], found 4 columns");
    }

    @Test
    void fileListedTwiceWithDifferentOrdersIsReportedWithBothLines() throws Exception {
        write("dump", "DSC_0001.JPG,57076503\nDSC_0002.JPG,57076503\ndsc_0001.jpg,57076504\nDSC_0002.JPG,57076503\n");
        assertThatThrownBy(() -> manifests.lookup("dump", "DSC_0001.JPG"))
                .hasMessageContaining("dump/manifest.csv lists DSC_0001.JPG twice with different values (lines 1 and 3)");
        assertThat(row("dump", "DSC_0002.JPG").line()).isEqualTo(2);
    }

    @Test
    void unclosedQuoteFailsTheFilesAfterItButNotThoseBefore() throws Exception {
        write("dump", "DSC_0001.JPG,57076503\n\"DSC_0002.JPG,57076503\nDSC_0003.JPG,57076503\n");
        assertThat(row("dump", "DSC_0001.JPG").line()).isEqualTo(1);
        // the unclosed quote swallowed the rest, so DSC_0003's row cannot be told apart: say so rather than "not listed"
        assertThatThrownBy(() -> manifests.lookup("dump", "DSC_0003.JPG"))
                .isInstanceOf(IOException.class)
                .hasMessage("dump/manifest.csv line 2: the quote opened on this line is never closed, so the rows after it"
                        + " cannot be read; DSC_0003.JPG may be listed there");
    }

    @Test
    void textAfterAClosingQuoteIsReported() throws Exception {
        write("dump", "\"DSC_0001\".JPG,57076503\n");
        assertThatThrownBy(() -> manifests.lookup("dump", "DSC_0001.JPG"))
                .hasMessage("dump/manifest.csv line 1: text after the closing quote of field 1");
    }

    @Test
    void manifestThatIsNotUtf8CannotBeUsedAndSaysWhy() throws Exception {
        byte[] latin1 = "DSC_0001.JPG,57076503\nCaf\u00e9.jpg,57076503\n".getBytes(StandardCharsets.ISO_8859_1);
        writeBytes("dump", FolderManifests.FILE_NAME, latin1, "DSC_0001.JPG");

        assertThatThrownBy(() -> manifests.lookup("dump", "DSC_0001.JPG"))
                .isInstanceOf(IOException.class)
                .hasMessage("dump/manifest.csv cannot be read: it is not valid UTF-8 (line 2, byte offset 25); save it as UTF-8");
        // through the name rules it is a rule violation that names the input and the manifest
        NameRules rules = new NameRules(Map.of("key", 27), 2);
        assertThatThrownBy(() -> rules.identify("dump/DSC_0001.JPG", manifests))
                .isInstanceOf(RuleViolation.class)
                .hasMessageStartingWith("dump/DSC_0001.JPG: dump/manifest.csv cannot be read: it is not valid UTF-8");
    }

    @Test
    void unreadableManifestSaysPermissionDenied() throws Exception {
        Path manifest = write("dump", "DSC_0001.JPG,57076503\n", "DSC_0001.JPG");
        Files.setPosixFilePermissions(manifest, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(manifest), "running as a user who reads any file (root)");

        assertThatThrownBy(() -> manifests.lookup("dump", "DSC_0001.JPG"))
                .isInstanceOf(IOException.class).hasMessage("dump/manifest.csv cannot be read: permission denied");
    }

    @Test
    void folderOutsideTheRootIsRefused() {
        assertThatThrownBy(() -> manifests.lookup("../elsewhere", "DSC_0001.JPG"))
                .isInstanceOf(IOException.class).hasMessageContaining("outside the source root");
    }

    @Test
    void manifestIsParsedOnceForManyLookupsAndAgainWhenItChanges() throws Exception {
        StringBuilder csv = new StringBuilder("file,order_id,type\n");
        for (int i = 1; i <= 10_000; i++) {
            csv.append(String.format("DSC_%05d.JPG,57076503,key%n", i));
        }
        Path manifest = write("dump", csv.toString());

        for (int i = 1; i <= 10_000; i++) {
            assertThat(manifests.lookup("dump", String.format("DSC_%05d.JPG", i))).isPresent();
        }
        assertThat(manifests.parses.get()).isEqualTo(1);

        Files.writeString(manifest, csv + "DSC_99999.JPG,57076504\n");
        Files.setLastModifiedTime(manifest, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(row("dump", "DSC_99999.JPG").orderId()).isEqualTo("57076504");
        assertThat(manifests.parses.get()).isEqualTo(2);
    }

    @Test
    void cacheKeepsTheRecentlyUsedManifestsAndDropsTheOldest() throws Exception {
        int folders = FolderManifests.MAX_CACHED + 6;
        for (int i = 1; i <= folders; i++) {
            write("dump-" + i, "DSC_0001.JPG,5707650" + (i % 10) + "\n");
            assertThat(manifests.lookup("dump-" + i, "DSC_0001.JPG")).isPresent();
        }
        assertThat(manifests.parses.get()).isEqualTo(folders);
        assertThat(manifests.cached()).isEqualTo(FolderManifests.MAX_CACHED);

        assertThat(manifests.lookup("dump-" + folders, "DSC_0001.JPG")).isPresent();
        assertThat(manifests.parses.get()).isEqualTo(folders);
        assertThat(manifests.lookup("dump-1", "DSC_0001.JPG")).isPresent();
        assertThat(manifests.parses.get()).isEqualTo(folders + 1);
    }

    @Test
    void rowsNamingFilesThatDoNotExistAreWarnedOncePerManifestVersion() throws Exception {
        write("dump", "file,order_id\nDSC_0001.JPG,57076503\nDSC_0404.JPG,57076503\nDSC_0405.JPG,57076503\n"
                + "DSC_0406.JPG,57076503\nDSC_0407.JPG,57076503\nDSC_0408.JPG,57076503\nDSC_0409.JPG,57076503\n",
                "DSC_0001.JPG");

        manifests.lookup("dump", "DSC_0001.JPG");
        manifests.lookup("dump", "DSC_0001.JPG");

        assertThat(warnings).containsExactly("dump/manifest.csv (7 rows) lists 6 files not found in dump/:"
                + " DSC_0404.JPG, DSC_0405.JPG, DSC_0406.JPG, DSC_0407.JPG, DSC_0408.JPG, ...");
    }

    @Test
    void filesAlreadyMovedToDoneOrErrorDoNotCountAsMissing() throws Exception {
        Files.createDirectories(inbox.resolve(".done/dump"));
        Files.writeString(inbox.resolve(".done/dump/DSC_0001.JPG"), "delivered");
        Files.createDirectories(inbox.resolve(".error/dump"));
        Files.writeString(inbox.resolve(".error/dump/DSC_0002.JPG"), "failed");
        write("dump", "DSC_0001.JPG,57076503\nDSC_0002.JPG,57076503\nDSC_0003.JPG,57076503\nDSC_0404.JPG,57076503\n",
                "DSC_0003.JPG");

        assertThat(manifests.lookup("dump", "DSC_0003.JPG")).isPresent();
        assertThat(warnings).containsExactly("dump/manifest.csv (4 rows) lists 1 file not found in dump/: DSC_0404.JPG");
    }

    @Test
    void lookupOfAnotherFolderDoesNotSeeThisFoldersRows() throws Exception {
        write("dump-a", "DSC_0001.JPG,57076503\n", "DSC_0001.JPG");
        write("dump-b", "DSC_0001.JPG,57076504\n", "DSC_0001.JPG");
        assertThat(row("dump-a", "DSC_0001.JPG").orderId()).isEqualTo("57076503");
        assertThat(row("dump-b", "DSC_0001.JPG").orderId()).isEqualTo("57076504");
        assertThat(manifests.lookup("dump-c", "DSC_0001.JPG")).isEqualTo(Optional.empty());
    }
}
