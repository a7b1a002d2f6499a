package io.photobridge.records;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.UUID;
import java.util.stream.Stream;

import org.flywaydb.core.Flyway;
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

    /** A new ledger database, H2 or PostgreSQL, migrated up to an earlier schema version only. */
    private record OldLedger(String url, String user) {
    }

    private static OldLedger olderLedger(String kind, String version) throws Exception {
        String url = kind.equals("h2") ? "jdbc:h2:file:" + dir.resolve(UUID.randomUUID().toString()).toAbsolutePath()
                : TestLedgers.PG + "?currentSchema=" + TestLedgers.newSchema();
        String user = kind.equals("h2") ? "sa" : "postgres";
        Flyway.configure().dataSource(url, user, "").locations("classpath:db/migration").target(version).load().migrate();
        return new OldLedger(url, user);
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
    void motionPhotoKeepsWhereItsVideoIs(String kind) throws Exception {
        try (Ledger ledger = open(kind)) {
            NewPhotoRecord still = photo(5L, "e".repeat(64));
            NewPhotoRecord motion = new NewPhotoRecord(5L, "f".repeat(64), "file:///inbox/5/key/PXL_1.MP.jpg", "PXL_1.MP.jpg", "IMAGE",
                    "image/jpeg", 3_500_000L, 27, null, null, null, null, 2_900_123L, 599_877L);

            long stillId = ledger.admit(still).record().id();
            long motionId = ledger.admit(motion).record().id();

            assertThat(ledger.get(stillId).orElseThrow()).satisfies(row -> {
                assertThat(row.embeddedVideoOffset()).isNull();
                assertThat(row.embeddedVideoLength()).isNull();
            });
            assertThat(ledger.get(motionId).orElseThrow()).satisfies(row -> {
                assertThat(row.embeddedVideoOffset()).isEqualTo(2_900_123L);
                assertThat(row.embeddedVideoLength()).isEqualTo(599_877L);
            });
            assertThat(ledger.timeline(5L)).filteredOn(e -> e.kind().equals("RECEIVED")).extracting(PhotoEvent::detail)
                    .containsExactly("a.jpg (IMAGE, 1234 bytes, sha256 " + "e".repeat(64) + ")",
                            "PXL_1.MP.jpg (IMAGE, 3500000 bytes, sha256 " + "f".repeat(64) + ", with an embedded video of 599877 bytes at byte 2900123)");
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
            ledger.markRefused(id, "RecoveryConnect create photo: HTTP 400 The selected type is invalid.");

            assertThat(ledger.get(id).orElseThrow().lastError()).contains("HTTP 400");
            assertThat(ledger.inState(PhotoState.FAILED)).extracting(PhotoRecord::id).containsExactly(id);
            assertThat(ledger.claim(id, "run-1", "x.jpg")).isEqualTo(Ledger.Claim.FRESH);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void failedPhotoIsLookedUpFirstUnlessEveryTryWasADefiniteRefusal(String kind) throws Exception {
        try (Ledger ledger = open(kind)) {
            long refused = ledger.admit(photo(6L, "d".repeat(64))).record().id();
            ledger.claim(refused, "run-1", "refused.jpg");
            ledger.markRefused(refused, "RecoveryConnect create photo: HTTP 422 The file name is invalid.");

            long serverError = ledger.admit(photo(6L, "e".repeat(64))).record().id();
            ledger.claim(serverError, "run-1", "server-error.jpg");
            ledger.markFailed(serverError, "RecoveryConnect create photo: HTTP 503 Service Unavailable");

            long withAttachment = ledger.admit(photo(6L, "f".repeat(64))).record().id();
            ledger.claim(withAttachment, "run-1", "attached.jpg");
            ledger.markUploaded(withAttachment, 180461401L, "uploaded");
            ledger.markFailed(withAttachment, "a later step failed");

            long brokeARule = ledger.failedInput(6L, "file:///inbox/6/key/notes.jpg", null, "notes.jpg", 27,
                    "notes.jpg is not an accepted image or video");

            assertThat(ledger.claim(refused, "run-2", "refused.jpg")).isEqualTo(Ledger.Claim.FRESH);
            assertThat(ledger.claim(serverError, "run-2", "server-error.jpg")).isEqualTo(Ledger.Claim.UNCONFIRMED);
            assertThat(ledger.claim(withAttachment, "run-2", "attached.jpg")).isEqualTo(Ledger.Claim.UNCONFIRMED);
            assertThat(ledger.claim(brokeARule, "run-2", "notes.jpg")).isEqualTo(Ledger.Claim.FRESH);
            assertThat(ledger.timeline(6L)).extracting(PhotoEvent::detail)
                    .anyMatch(d -> d.startsWith("an earlier attempt may have reached RecoveryConnect (attachment 180461401)"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void unknownOutcomeIsNeverFailedAndIsLookedUpByTheNextTryOfTheSameRun(String kind) throws Exception {
        try (Ledger ledger = open(kind)) {
            long id = ledger.admit(photo(7L, "1".repeat(64))).record().id();
            assertThat(ledger.claim(id, "run-1", "a-pb111111111111.jpg")).isEqualTo(Ledger.Claim.FRESH);
            ledger.markOutcomeUnknown(id, "java.util.concurrent.RejectedExecutionException");

            PhotoRecord row = ledger.get(id).orElseThrow();
            assertThat(row.state()).isEqualTo(PhotoState.UPLOADING);
            assertThat(row.lastError()).isEqualTo("java.util.concurrent.RejectedExecutionException");
            assertThat(ledger.inState(PhotoState.FAILED)).isEmpty();
            assertThat(ledger.timeline(7L)).filteredOn(e -> e.kind().equals("OUTCOME_UNKNOWN")).singleElement()
                    .satisfies(e -> assertThat(e.detail()).contains("RecoveryConnect may hold this photo")
                            .contains("RejectedExecutionException"));

            // released by its run: a file put back in the same run is looked up (STALE), not taken for an upload in flight
            assertThat(ledger.claim(id, "run-1", "a-pb111111111111.jpg")).isEqualTo(Ledger.Claim.STALE);
            assertThat(ledger.claim(id, "run-1", "a-pb111111111111.jpg")).isEqualTo(Ledger.Claim.BUSY);

            // the lookup found nothing and the upload was then refused: definite, so the next re-send needs no lookup
            ledger.markRefused(id, "RecoveryConnect create photo: HTTP 400 The selected type is invalid.");
            assertThat(ledger.claim(id, "run-2", "a-pb111111111111.jpg")).isEqualTo(Ledger.Claim.FRESH);
            ledger.markUploaded(id, 180461402L, "uploaded");
            assertThat(ledger.claim(id, "run-2", "a-pb111111111111.jpg")).isEqualTo(Ledger.Claim.DONE);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void rowLeftUploadingByAnExchangeOfThisRunThatEndedIsLookedUpAfterItsLastTry(String kind) throws Exception {
        try (Ledger ledger = open(kind)) {
            long id = ledger.admit(photo(9L, "5".repeat(64))).record().id();
            assertThat(ledger.unconfirmedSince(id, "run-1", false)).isEmpty();
            ledger.claim(id, "run-1", "a-pb555555555555.jpg", false);
            Instant lastTry = ledger.get(id).orElseThrow().updatedAt();

            // an upload of this run still holds it: busy, nothing to wait for
            assertThat(ledger.unconfirmedSince(id, "run-1", true)).isEmpty();
            // its exchange ended without an outcome (or another run looks at it): look it up, waiting from its last try
            assertThat(ledger.unconfirmedSince(id, "run-1", false)).contains(lastTry);
            assertThat(ledger.unconfirmedSince(id, "run-2", true)).contains(lastTry);
            assertThat(ledger.claim(id, "run-1", "a-pb555555555555.jpg", false)).isEqualTo(Ledger.Claim.STALE);
            assertThat(ledger.timeline(9L)).extracting(PhotoEvent::detail).last().asString()
                    .startsWith("an earlier attempt's outcome is unknown");
            ledger.markUploaded(id, 180461403L, "reconciled: RecoveryConnect already holds a-pb555555555555.jpg");
            assertThat(ledger.unconfirmedSince(id, "run-1", false)).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void rowsTriedBeforeTheUnconfirmedFlagExistedAreLookedUpFirst(String kind) throws Exception {
        OldLedger old = olderLedger(kind, "4");
        try (Connection c = DriverManager.getConnection(old.url(), old.user(), ""); Statement st = c.createStatement()) {
            // a FAILED row written by an earlier version after an aborted upload, and one that was never tried
            st.execute("insert into photo (order_id, sha256, source_uri, original_name, state, attempts, last_error, created_at,"
                    + " updated_at) values (8, '" + "2".repeat(64) + "', 'file:///inbox/8/a.jpg', 'a.jpg', 'FAILED', 1,"
                    + " 'java.util.concurrent.RejectedExecutionException', current_timestamp, current_timestamp)");
            st.execute("insert into photo (order_id, sha256, source_uri, original_name, state, attempts, created_at, updated_at)"
                    + " values (8, '" + "3".repeat(64) + "', 'file:///inbox/8/b.jpg', 'b.jpg', 'RECEIVED', 0, current_timestamp,"
                    + " current_timestamp)");
        }
        try (Ledger ledger = Ledger.open(old.url(), old.user(), "", 2)) {
            long aborted = ledger.find(8L, "2".repeat(64)).orElseThrow().id();
            long untried = ledger.find(8L, "3".repeat(64)).orElseThrow().id();
            assertThat(ledger.claim(aborted, "run-2", "a-pb222222222222.jpg")).isEqualTo(Ledger.Claim.UNCONFIRMED);
            assertThat(ledger.claim(untried, "run-2", "b-pb333333333333.jpg")).isEqualTo(Ledger.Claim.FRESH);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void photosRecordedBeforeTheQueuedMarkExistedCountAsQueuedAndNewOnesAreQueuedOnce(String kind) throws Exception {
        OldLedger old = olderLedger(kind, "11");
        try (Connection c = DriverManager.getConnection(old.url(), old.user(), ""); Statement st = c.createStatement()) {
            st.execute("insert into photo (order_id, sha256, source_uri, original_name, state, attempts, created_at, updated_at)"
                    + " values (9, '" + "9".repeat(64) + "', 'file:///inbox/9/a.jpg', 'a.jpg', 'UPLOADED', 1, current_timestamp,"
                    + " current_timestamp)");
        }
        try (Ledger ledger = Ledger.open(old.url(), old.user(), "", 2)) {
            DamageRecords damage = new DamageRecords(ledger);
            long before = ledger.find(9L, "9".repeat(64)).orElseThrow().id();
            assertThat(damage.queuedBefore(before)).isTrue();
            assertThat(damage.queue(before, 9L, "IMAGE", 99, "9", "test")).isFalse();

            long recorded = ledger.admit(photo(9L, "8".repeat(64))).record().id();
            assertThat(damage.queuedBefore(recorded)).isFalse();
            assertThat(damage.queue(recorded, 9L, "IMAGE", 99, "9", "test")).isTrue();
            assertThat(damage.queue(recorded, 9L, "IMAGE", 99, "9", "test")).isFalse();
            assertThat(damage.queuedBefore(recorded)).isTrue();
            assertThat(damage.queued()).isEqualTo(1);
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
