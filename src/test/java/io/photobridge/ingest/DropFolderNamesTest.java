package io.photobridge.ingest;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which names the drop folder's consumer cannot take, and the error notes' names. */
class DropFolderNamesTest {

    @Test
    void namesTheFileConsumerCannotTakeAreNamed() {
        assertThat(DropFolderNames.rule("IMG_0042.jpg", false)).isNull();
        assertThat(DropFolderNames.rule("x\\..\\IMG.jpg", false)).contains("contains '\\'");
        assertThat(DropFolderNames.rule("bad\uFFFDname.jpg", false)).contains("'bad\\uFFFDname.jpg' is not valid UTF-8");
        String longest = "a".repeat(241) + ".jpg";
        assertThat(DropFolderNames.rule(longest, false)).isNull();
        assertThat(DropFolderNames.rule("a" + longest, false)).contains("is 246 bytes long in UTF-8; at most 245 bytes");
        // a folder gets no lock file: only the file-system limit applies to it
        assertThat(DropFolderNames.rule("a" + longest, true)).isNull();
    }

    @Test
    void aBackslashPathBreakingANameRuleIsReportedWithThatRule() {
        assertThatThrownBy(() -> NameRules.checkPath("57076505/x\\..\\..\\escape.jpg"))
                .hasMessageContaining("path segment '..' is not allowed");
        assertThatThrownBy(() -> NameRules.checkPath("C:\\DCIM\\IMG_0001.jpg")).hasMessageContaining("absolute paths are not allowed");
    }

    @Test
    void noteNamesFitTheFileSystemLimit() {
        assertThat(DropFolderNames.noteName("IMG_0042.jpg")).isEqualTo("IMG_0042.jpg.error.txt");
        // the longest name the drop folder takes keeps its full name
        String longest = "L".repeat(241) + ".jpg";
        assertThat(DropFolderNames.noteName(longest)).isEqualTo(longest + ".error.txt").hasSize(255);
        // a longer one (moved out for its length) gets a shortened name with a hash of the whole name
        String tooLong = "L".repeat(246) + ".jpg";
        String note = DropFolderNames.noteName(tooLong);
        assertThat(note.getBytes(StandardCharsets.UTF_8)).hasSize(255);
        assertThat(note).startsWith("L".repeat(200)).matches("L+~[0-9a-f]{8}\\.error\\.txt");
        // two long names that differ only at the end still get notes of their own
        assertThat(DropFolderNames.noteName("L".repeat(246) + ".png")).isNotEqualTo(note);
        // multi-byte characters are never cut in half
        String accents = "\u00e9".repeat(125) + ".jpg";
        String accentNote = DropFolderNames.noteName(accents);
        assertThat(accentNote.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        assertThat(accentNote).matches("\u00e9+~[0-9a-f]{8}\\.error\\.txt");
    }
}
