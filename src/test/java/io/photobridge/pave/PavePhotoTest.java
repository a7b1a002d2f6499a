package io.photobridge.pave;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A photo's rejection reason and the latest verdict per photo code. */
class PavePhotoTest {

    private static PavePhoto photo(int code, boolean approved, String message, String updatedAt) {
        return new PavePhoto(code, "Label" + code, "https://example.com/" + code + ".jpg", approved, message,
                OffsetDateTime.parse("2021-05-27T07:36:16+00:00"), updatedAt == null ? null : OffsetDateTime.parse(updatedAt));
    }

    @Test
    void rejectionReasonIsTheTextAfterRejectedOrNullWhenApproved() {
        assertThat(photo(2, false, "REJECTED: Wrong View", null).rejectionReason()).isEqualTo("Wrong View");
        assertThat(photo(2, false, "REJECTED:Too dark", null).rejectionReason()).isEqualTo("Too dark");
        assertThat(photo(2, false, "Blurry", null).rejectionReason()).isEqualTo("Blurry");
        assertThat(photo(2, false, null, null).rejectionReason()).isNull();
        assertThat(photo(2, true, "ACCEPTED", null).rejectionReason()).isNull();
    }

    @Test
    void latestByCodeKeepsTheLatestUpdatedAtWhateverTheListOrder() {
        PavePhoto retake = photo(2, true, "ACCEPTED", "2021-05-27T07:38:19+00:00");
        PavePhoto rejected = photo(2, false, "REJECTED: Wrong View", "2021-05-27T07:36:34+00:00");

        assertThat(PaveClient.latestByCode(List.of(rejected, retake))).containsEntry(2, retake);
        assertThat(PaveClient.latestByCode(List.of(retake, rejected))).containsEntry(2, retake);
    }

    @Test
    void latestByCodeComparesInstantsAcrossOffsetsAndPrefersTheLaterEntryOnATie() {
        PavePhoto earlierInUtc = photo(5, false, "REJECTED: Wrong View", "2021-05-27T09:00:00+02:00"); // 07:00Z
        PavePhoto laterInUtc = photo(5, true, "ACCEPTED", "2021-05-27T07:30:00+00:00");
        PavePhoto tieFirst = photo(6, false, "REJECTED: Wrong View", "2021-05-27T07:30:00+00:00");
        PavePhoto tieSecond = photo(6, true, "ACCEPTED", "2021-05-27T07:30:00+00:00");

        Map<Integer, PavePhoto> latest = PaveClient.latestByCode(List.of(laterInUtc, earlierInUtc, tieFirst, tieSecond));

        assertThat(latest).containsEntry(5, laterInUtc).containsEntry(6, tieSecond);
    }

    @Test
    void latestByCodeFallsBackToCreatedAtWhenUpdatedAtIsMissing() {
        PavePhoto noUpdate = photo(7, false, "REJECTED: Wrong View", null); // created 07:36:16
        PavePhoto updated = photo(7, true, "ACCEPTED", "2021-05-27T07:40:00+00:00");

        assertThat(PaveClient.latestByCode(List.of(updated, noUpdate))).containsEntry(7, updated);
        assertThat(PaveClient.latestByCode(List.of())).isEmpty();
    }
}
