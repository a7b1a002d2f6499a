package io.photobridge.records;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The order records behave the same on H2 (embedded default) and on the machine's PostgreSQL (multi-instance mode). */
class LedgerTest {

    @TempDir
    static Path dir;

    static Stream<Arguments> databases() {
        return TestLedgers.databases();
    }

    private static Ledger open(String kind) throws Exception {
        return TestLedgers.open(kind, dir);
    }

    private static NewPhotoRecord photo(long order, String sha) {
        return new NewPhotoRecord(order, sha, "file:///inbox/" + order + "/key/a.jpg", "a.jpg", "IMAGE", "image/jpeg", 1234L, 27,
                LocalDateTime.of(2025, 6, 14, 9, 31, 7), "+02:00", "EXIF", null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void sameBytesForTheSameOrderShareOneRow(String kind) throws Exception {
        try (Ledger ledger = open(kind)) {
            Ledger.Admission first = ledger.admit(photo(1L, "a".repeat(64)));
            Ledger.Admission again = ledger.admit(photo(1L, "a".repeat(64)));
            Ledger.Admission otherOrder = ledger.admit(photo(2L, "a".repeat(64)));

            assertThat(first.created()).isTrue();
            assertThat(again.created()).isFalse();
            assertThat(again.record().id()).isEqualTo(first.record().id());
            assertThat(otherOrder.created()).isTrue();
            assertThat(ledger.photos(1L)).hasSize(1);
            PhotoRecord row = ledger.photos(1L).get(0);
            assertThat(row.state()).isEqualTo(PhotoState.RECEIVED);
            assertThat(row.pictureTime()).isEqualTo(LocalDateTime.of(2025, 6, 14, 9, 31, 7));
            assertThat(row.pictureOffset()).isEqualTo("+02:00");
            assertThat(ledger.timeline(1L)).extracting(PhotoEvent::kind).containsExactly("RECEIVED", "SEEN_AGAIN");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void claimTellsFreshStaleBusyAndDone(String kind) throws Exception {
        try (Ledger ledger = open(kind)) {
            long id = ledger.admit(photo(3L, "b".repeat(64))).record().id();

            assertThat(ledger.claim(id, "run-1", "a-pbbbbb.jpg")).isEqualTo(Ledger.Claim.FRESH);
            assertThat(ledger.claim(id, "run-1", "a-pbbbbb.jpg")).isEqualTo(Ledger.Claim.BUSY);
            assertThat(ledger.claim(id, "run-2", "a-pbbbbb.jpg")).isEqualTo(Ledger.Claim.STALE);
            ledger.markUploaded(id, 180461400L, "uploaded");
            assertThat(ledger.claim(id, "run-3", "a-pbbbbb.jpg")).isEqualTo(Ledger.Claim.DONE);

            PhotoRecord row = ledger.get(id).orElseThrow();
            assertThat(row.state()).isEqualTo(PhotoState.UPLOADED);
            assertThat(row.rcAttachmentId()).isEqualTo(180461400L);
            assertThat(row.attempts()).isEqualTo(2);
            assertThat(row.rcFileName()).isEqualTo("a-pbbbbb.jpg");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void failedPhotoKeepsTheReasonAndCanBeClaimedAgain(String kind) throws Exception {
        try (Ledger ledger = open(kind)) {
            long id = ledger.admit(photo(4L, "c".repeat(64))).record().id();
            ledger.claim(id, "run-1", "x.jpg");
            ledger.markFailed(id, "RecoveryConnect create photo: HTTP 400 The selected type is invalid.");

            assertThat(ledger.get(id).orElseThrow().lastError()).contains("HTTP 400");
            assertThat(ledger.inState(PhotoState.FAILED)).extracting(PhotoRecord::id).containsExactly(id);
            assertThat(ledger.claim(id, "run-1", "x.jpg")).isEqualTo(Ledger.Claim.FRESH);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void rejectedInputWithoutOrderIsStillRecorded(String kind) throws Exception {
        try (Ledger ledger = open(kind)) {
            ledger.rejected(null, "file:///inbox/stray.jpg", "stray.jpg: cannot tell the order");
            assertThat(ledger.rejections()).singleElement().satisfies(e -> {
                assertThat(e.orderId()).isNull();
                assertThat(e.sourceUri()).isEqualTo("file:///inbox/stray.jpg");
                assertThat(e.detail()).contains("cannot tell the order");
            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void onlyOneInstanceAtATimeHoldsAPaveSession(String kind) throws Exception {
        try (Ledger ledger = open(kind)) {
            PaveRecords pave = new PaveRecords(ledger);
            pave.link(5L, "SBX-LEASE", "STARTED", null);

            assertThat(pave.claimActive("instance-a", java.time.Duration.ofMinutes(2))).extracting(PaveRecords.Session::sessionKey)
                    .containsExactly("SBX-LEASE");
            assertThat(pave.claimActive("instance-b", java.time.Duration.ofMinutes(2))).isEmpty();
            assertThat(pave.claim("SBX-LEASE", "instance-b", java.time.Duration.ofMinutes(2))).isFalse();
            pave.polled("SBX-LEASE", "STARTED", true, null);
            assertThat(pave.claim("SBX-LEASE", "instance-b", java.time.Duration.ofMinutes(2))).isTrue();
            // an expired lease (an instance that died mid-poll) can be taken over
            pave.polled("SBX-LEASE", "STARTED", true, null);
            assertThat(pave.claim("SBX-LEASE", "instance-a", java.time.Duration.ofMillis(1))).isTrue();
            Thread.sleep(20);
            assertThat(pave.claim("SBX-LEASE", "instance-b", java.time.Duration.ofMinutes(2))).isTrue();
        }
    }
}
