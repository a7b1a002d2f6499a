package io.photobridge.ingest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.photobridge.ingest.Manifests.ManifestRow;
import io.photobridge.ingest.NameRules.Identity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Order and type from a path: order folder, then the folder's manifest, then the file-name pattern. */
class NameRulesTest {

    private static final Map<String, Integer> TYPE_FOLDERS = Map.of("key", 27, "general", 2, "vin", 11);
    private static final Pattern PATTERN = NameRules.namePattern("(?<order>\\d+)_(?<type>[a-z0-9]+)_.*");
    private static final NameRules FOLDERS_ONLY = new NameRules(TYPE_FOLDERS, 2);
    private static final NameRules WITH_PATTERN = new NameRules(TYPE_FOLDERS, 2, PATTERN);

    /** A manifest of one folder; records which folder and name were asked for. */
    private static final class FakeManifests implements Manifests {
        final List<String> asked = new ArrayList<>();
        final String folder;
        final ManifestRow row;

        FakeManifests(String folder, ManifestRow row) {
            this.folder = folder;
            this.row = row;
        }

        @Override
        public Optional<ManifestRow> lookup(String folder, String fileName) {
            asked.add(folder + "|" + fileName);
            return folder.equals(this.folder) && fileName.equalsIgnoreCase(row.file()) ? Optional.of(row) : Optional.empty();
        }
    }

    private static FakeManifests manifest(String folder, String file, String order, String type, int line) {
        return new FakeManifests(folder, new ManifestRow(file, order, type,
                folder.isEmpty() ? "manifest.csv" : folder + "/manifest.csv", line));
    }

    // (a) order folder

    @Test
    void orderFolderWithTypeFolderGivesOrderAndThatType() throws Exception {
        assertThat(FOLDERS_ONLY.identify("57076503/key/IMG_0042.jpg"))
                .isEqualTo(new Identity(57076503L, 27, "key", "IMG_0042.jpg"));
    }

    @Test
    void orderFolderWithoutTypeFolderGivesTheDefaultType() throws Exception {
        assertThat(FOLDERS_ONLY.identify("57076503/IMG_0001.jpg")).isEqualTo(new Identity(57076503L, 2, null, "IMG_0001.jpg"));
    }

    @Test
    void typeFolderNameIsCaseInsensitive() throws Exception {
        assertThat(FOLDERS_ONLY.identify("57076503/KEY/a.jpg").typeId()).isEqualTo(27);
    }

    @Test
    void numericTypeFolderIsTakenAsTheTypeIdAsIs() throws Exception {
        assertThat(FOLDERS_ONLY.identify("57076503/31/a.jpg")).isEqualTo(new Identity(57076503L, 31, null, "a.jpg"));
    }

    @Test
    void unknownTypeFolderIsRejectedNamingTheKnownOnes() {
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("57076503/kye/a.jpg"))
                .isInstanceOf(RuleViolation.class)
                .hasMessageStartingWith("57076503/kye/a.jpg: unknown type folder 'kye'")
                .hasMessageContaining("general, key, vin");
    }

    @Test
    void orderFolderWithTwoLevelsBelowIsRejected() {
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("57076503/key/extra/a.jpg"))
                .isInstanceOf(RuleViolation.class).hasMessageContaining("expected <order_id>/[<type-folder>/]<file>");
    }

    @Test
    void orderFolderWinsOverManifestAndPattern() throws Exception {
        FakeManifests manifests = manifest("57076503", "11111111_vin_1.jpg", "22222222", "general", 2);
        Identity identity = WITH_PATTERN.identify("57076503/11111111_vin_1.jpg", manifests);
        assertThat(identity).isEqualTo(new Identity(57076503L, 2, null, "11111111_vin_1.jpg"));
        assertThat(manifests.asked).isEmpty();
    }

    // (b) manifest

    @Test
    void manifestRowGivesOrderAndTypeFolderType() throws Exception {
        FakeManifests manifests = manifest("dump-0001", "DSC_0001.JPG", "57076503", "key", 2);
        assertThat(FOLDERS_ONLY.identify("dump-0001/DSC_0001.JPG", manifests))
                .isEqualTo(new Identity(57076503L, 27, "key", "DSC_0001.JPG"));
        assertThat(manifests.asked).containsExactly("dump-0001|DSC_0001.JPG");
    }

    @Test
    void manifestRowWithoutTypeGivesTheDefaultType() throws Exception {
        assertThat(FOLDERS_ONLY.identify("dump-0001/DSC_0002.JPG", manifest("dump-0001", "DSC_0002.JPG", "57076503", null, 3)))
                .isEqualTo(new Identity(57076503L, 2, null, "DSC_0002.JPG"));
        assertThat(FOLDERS_ONLY.identify("dump-0001/DSC_0002.JPG", manifest("dump-0001", "DSC_0002.JPG", "57076503", " ", 3))
                .typeId()).isEqualTo(2);
    }

    @Test
    void manifestNumericTypeIdIsTakenAsIs() throws Exception {
        assertThat(FOLDERS_ONLY.identify("dump/DSC_0003.JPG", manifest("dump", "DSC_0003.JPG", "57076503", "99", 4)).typeId())
                .isEqualTo(99);
    }

    @Test
    void rootLevelFileIsLookedUpInTheRootManifest() throws Exception {
        FakeManifests manifests = manifest("", "DSC_0001.JPG", "57076503", "vin", 2);
        assertThat(FOLDERS_ONLY.identify("DSC_0001.JPG", manifests)).isEqualTo(new Identity(57076503L, 11, "vin", "DSC_0001.JPG"));
        assertThat(manifests.asked).containsExactly("|DSC_0001.JPG");
    }

    @Test
    void nestedDumpFolderIsLookedUpInItsOwnManifest() throws Exception {
        FakeManifests manifests = manifest("camera/2025-06-14", "DSC_0001.JPG", "57076503", null, 2);
        assertThat(FOLDERS_ONLY.identify("camera/2025-06-14/DSC_0001.JPG", manifests).orderId()).isEqualTo(57076503L);
        assertThat(manifests.asked).containsExactly("camera/2025-06-14|DSC_0001.JPG");
    }

    @Test
    void manifestWinsOverThePattern() throws Exception {
        assertThat(WITH_PATTERN.identify("dump/57076501_key_1.jpg", manifest("dump", "57076501_key_1.jpg", "57076504", "vin", 2)))
                .isEqualTo(new Identity(57076504L, 11, "vin", "57076501_key_1.jpg"));
    }

    @Test
    void manifestRowWithAnOrderIdThatIsNotDigitsNamesTheManifestLineAndRule() {
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("dump-0001/DSC_0001.JPG",
                manifest("dump-0001", "DSC_0001.JPG", "5707-6503", "key", 7)))
                .isInstanceOf(RuleViolation.class)
                .hasMessage("dump-0001/DSC_0001.JPG: dump-0001/manifest.csv line 7: order_id '5707-6503' is not an order id"
                        + " (digits expected; manifest rows are file,order_id[,type])");
    }

    @Test
    void manifestRowWithAnUnknownTypeNamesTheManifestAndLine() {
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("dump-0001/DSC_0001.JPG",
                manifest("dump-0001", "DSC_0001.JPG", "57076503", "kye", 5)))
                .isInstanceOf(RuleViolation.class)
                .hasMessageStartingWith("dump-0001/DSC_0001.JPG: dump-0001/manifest.csv line 5: unknown type 'kye'")
                .hasMessageContaining("general, key, vin");
    }

    @Test
    void manifestThatCannotBeUsedBecomesARuleViolationWithItsReason() {
        Manifests broken = (folder, file) -> {
            throw new IOException("dump/manifest.csv cannot be read: permission denied");
        };
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("dump/DSC_0001.JPG", broken))
                .isInstanceOf(RuleViolation.class)
                .hasMessage("dump/DSC_0001.JPG: dump/manifest.csv cannot be read: permission denied");
    }

    // (c) name pattern

    @Test
    void patternWithTypeGroupGivesOrderAndType() throws Exception {
        assertThat(WITH_PATTERN.identify("57076503_key_0007.jpg", Manifests.NONE))
                .isEqualTo(new Identity(57076503L, 27, "key", "57076503_key_0007.jpg"));
    }

    @Test
    void patternIsMatchedAgainstTheFileNameNotThePath() throws Exception {
        assertThat(WITH_PATTERN.identify("from-van-3/57076503_vin_0008.jpg", Manifests.NONE))
                .isEqualTo(new Identity(57076503L, 11, "vin", "57076503_vin_0008.jpg"));
    }

    @Test
    void patternWithNumericTypeGivesThatTypeIdAsIs() throws Exception {
        assertThat(WITH_PATTERN.identify("57076503_44_0009.jpg", Manifests.NONE).typeId()).isEqualTo(44);
    }

    @Test
    void patternWithoutTypeGroupGivesTheDefaultType() throws Exception {
        NameRules rules = new NameRules(TYPE_FOLDERS, 2, NameRules.namePattern("ORDER-(?<order>\\d+)-.*\\.jpg"));
        assertThat(rules.identify("ORDER-57076503-front.jpg", Manifests.NONE))
                .isEqualTo(new Identity(57076503L, 2, null, "ORDER-57076503-front.jpg"));
    }

    @Test
    void patternWithOptionalTypeGroupThatDidNotMatchGivesTheDefaultType() throws Exception {
        NameRules rules = new NameRules(TYPE_FOLDERS, 2, NameRules.namePattern("(?<order>\\d+)(?:_(?<type>[a-z]+))?\\.jpg"));
        assertThat(rules.identify("57076503.jpg", Manifests.NONE).typeId()).isEqualTo(2);
        assertThat(rules.identify("57076503_vin.jpg", Manifests.NONE).typeId()).isEqualTo(11);
    }

    @Test
    void patternMustMatchTheWholeFileName() {
        assertThatThrownBy(() -> WITH_PATTERN.identify("x57076503_key_0007.jpg", Manifests.NONE))
                .isInstanceOf(RuleViolation.class).hasMessageContaining("maps to no order");
    }

    @Test
    void patternTypeThatIsNotKnownIsRejected() {
        assertThatThrownBy(() -> WITH_PATTERN.identify("57076503_kye_0007.jpg", Manifests.NONE))
                .isInstanceOf(RuleViolation.class)
                .hasMessageStartingWith("57076503_kye_0007.jpg: group 'type' of photobridge.ingest.name-pattern")
                .hasMessageContaining("unknown type 'kye'");
    }

    @Test
    void patternOrderGroupThatCapturesNonDigitsIsRejected() {
        NameRules rules = new NameRules(TYPE_FOLDERS, 2, NameRules.namePattern("(?<order>[^_]+)_.*"));
        assertThatThrownBy(() -> rules.identify("ABC_1.jpg", Manifests.NONE))
                .isInstanceOf(RuleViolation.class)
                .hasMessageContaining("group 'order' of photobridge.ingest.name-pattern ((?<order>[^_]+)_.*) captured 'ABC'");
    }

    @Test
    void invalidPatternNamesTheSettingAndTheRegexError() {
        assertThatThrownBy(() -> NameRules.namePattern("(?<order>\\d+"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Setting photobridge.ingest.name-pattern is not a valid regular expression:"
                        + " Unclosed group near index 12 of '(?<order>\\d+'");
    }

    @Test
    void patternWithoutOrderGroupIsRefused() {
        assertThatThrownBy(() -> NameRules.namePattern("(\\d+)_.*"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("photobridge.ingest.name-pattern").hasMessageContaining("no named group 'order'");
        assertThatThrownBy(() -> new NameRules(TYPE_FOLDERS, 2, Pattern.compile("\\(?<order>x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void blankPatternSettingMeansNoPattern() {
        assertThat(NameRules.namePattern(null)).isNull();
        assertThat(NameRules.namePattern("  ")).isNull();
    }

    // (d) no rule applies

    @Test
    void fileInAFolderThatMapsToNothingSaysWhichRulesWereTried() {
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("dump-0002/DSC_0009.JPG", Manifests.NONE))
                .isInstanceOf(RuleViolation.class)
                .hasMessage("dump-0002/DSC_0009.JPG: maps to no order: not under an <order_id>/ folder"
                        + " (folder 'dump-0002' is not an order id), not listed in dump-0002/manifest.csv,"
                        + " and the name does not match photobridge.ingest.name-pattern (not set)");
    }

    @Test
    void rootFileThatMapsToNothingNamesThePatternInUse() {
        assertThatThrownBy(() -> WITH_PATTERN.identify("DSC_0009.JPG", manifest("", "DSC_0001.JPG", "57076503", null, 2)))
                .isInstanceOf(RuleViolation.class)
                .hasMessage("DSC_0009.JPG: maps to no order: not under an <order_id>/ folder, not listed in manifest.csv,"
                        + " and the name does not match photobridge.ingest.name-pattern ((?<order>\\d+)_(?<type>[a-z0-9]+)_.*)");
    }

    @Test
    void singleArgumentIdentifyUsesNoManifest() {
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("not-an-order/stray.jpg"))
                .isInstanceOf(RuleViolation.class)
                .hasMessageContaining("maps to no order").hasMessageContaining("is not an order id");
    }

    // unsafe and unusable names

    @Test
    void dotDotSegmentsAreRejected() {
        assertThatThrownBy(() -> WITH_PATTERN.identify("dump/../57076503_key_1.jpg", Manifests.NONE))
                .isInstanceOf(RuleViolation.class).hasMessageContaining("path segment '..' is not allowed");
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("57076503/../../etc/passwd"))
                .isInstanceOf(RuleViolation.class).hasMessageContaining("path segment '..' is not allowed");
    }

    @Test
    void dotAndEmptySegmentsAreRejected() {
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("57076503/./a.jpg"))
                .isInstanceOf(RuleViolation.class).hasMessageContaining("path segment '.' is not allowed");
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("57076503//a.jpg"))
                .isInstanceOf(RuleViolation.class).hasMessageContaining("path segment '' is not allowed");
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("57076503/key/"))
                .isInstanceOf(RuleViolation.class).hasMessageContaining("names a folder, not a file");
        assertThatThrownBy(() -> FOLDERS_ONLY.identify(""))
                .isInstanceOf(RuleViolation.class).hasMessageContaining("empty path");
    }

    @Test
    void absolutePathsAreRejected() {
        assertThatThrownBy(() -> WITH_PATTERN.identify("/57076503_key_1.jpg", Manifests.NONE))
                .isInstanceOf(RuleViolation.class)
                .hasMessage("/57076503_key_1.jpg: absolute paths are not allowed: a path must be relative to the source root");
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("C:\\57076503\\a.jpg"))
                .isInstanceOf(RuleViolation.class).hasMessageContaining("absolute paths are not allowed");
    }

    @Test
    void controlCharactersAreRejectedAndShownEscaped() {
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("57076503/bad\nname.jpg"))
                .isInstanceOf(RuleViolation.class)
                .hasMessage("57076503/bad\\u000Aname.jpg: name 'bad\\u000Aname.jpg' contains the control character U+000A;"
                        + " control characters are not allowed in names");
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("57076503/nul\u0000.jpg"))
                .isInstanceOf(RuleViolation.class).hasMessageContaining("U+0000");
    }

    @Test
    void namesThatWereNotUtf8AreRejected() {
        // a file name with bytes that are not UTF-8 reaches Java with U+FFFD in their place
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("57076503/caf\uFFFD.jpg"))
                .isInstanceOf(RuleViolation.class)
                .hasMessageStartingWith("57076503/caf\\uFFFD.jpg: name 'caf\\uFFFD.jpg' is not valid UTF-8");
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("57076503/x\uD800y.jpg"))
                .isInstanceOf(RuleViolation.class).hasMessageContaining("unpaired surrogate");
    }

    @Test
    void nonAsciiUtf8NamesAreFine() throws Exception {
        assertThat(FOLDERS_ONLY.identify("57076503/key/Schlüssel 🚗.jpg").fileName()).isEqualTo("Schlüssel 🚗.jpg");
    }

    @Test
    void namesLongerThan255Utf8BytesAreRejected() throws Exception {
        String exactly255 = "a".repeat(251) + ".jpg";
        assertThat(FOLDERS_ONLY.identify("57076503/" + exactly255).fileName()).isEqualTo(exactly255);

        String tooLong = "é".repeat(126) + ".jpg"; // 130 characters, 256 bytes in UTF-8
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("57076503/" + tooLong))
                .isInstanceOf(RuleViolation.class)
                .hasMessageContaining("is 256 bytes long in UTF-8; at most 255 bytes per name are allowed");
        assertThatThrownBy(() -> FOLDERS_ONLY.identify("d".repeat(300) + "/a.jpg"))
                .isInstanceOf(RuleViolation.class).hasMessageContaining("is 300 bytes long");
    }
}
