package io.photobridge.records;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Damage jobs, their sessions and reports behave the same on H2 and on the machine's PostgreSQL. */
class DamageRecordsTest {

    private static final long ORDER = 57076503L;

    @TempDir
    static Path dir;

    static Stream<Arguments> databases() {
        return TestLedgers.databases();
    }

    private static Ledger open(String kind) throws Exception {
        return TestLedgers.open(kind, dir);
    }

    private static long photo(Ledger ledger, String sha) {
        return ledger.admit(new NewPhotoRecord(ORDER, sha, "file:///inbox/" + ORDER + "/a.jpg", "a.jpg", "IMAGE", "image/jpeg", 1234L,
                2, null, null, null, null)).record().id();
    }

    private static boolean report(DamageRecords damage, String inspectionId, String body) {
        return damage.report(inspectionId, Long.toString(ORDER), "Available", "complete upload", "Car", "{}", "[]", body);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void everySessionOfAJobFindsItAndALostAnswerIsRemembered(String kind) throws Exception {
        try (Ledger ledger = open(kind)) {
            DamageRecords damage = new DamageRecords(ledger);
            DamageJob job = damage.open("batch-1", ORDER, "IMAGE", "57076503", List.of(photo(ledger, "a".repeat(64))));

            assertThat(damage.claim(job.id(), Instant.now().plusSeconds(60))).isTrue();
            assertThat(damage.claim(job.id(), Instant.now().plusSeconds(60))).as("held by the first sender").isFalse();
            damage.sessionOpened(job.id(), "in-first");
            // while the first sender holds the job, its SENDING session is its own; once let go, a SENDING one is a lost answer
            damage.answerLost(job.id(), "in-first", "no answer");
            damage.release(job.id());
            assertThat(damage.lostAnswer(job.id())).hasValueSatisfying(l -> assertThat(l.session()).isEqualTo("in-first"));

            assertThat(damage.claim(job.id(), Instant.now().plusSeconds(60))).isTrue();
            damage.sessionOpened(job.id(), "in-second");
            damage.submitted(job.id(), "in-second");
            damage.release(job.id());
            assertThat(damage.get(job.id()).orElseThrow().state()).isEqualTo(DamageJobState.SUBMITTED);
            assertThat(damage.sessions(job.id())).containsExactly("in-first", "in-second");
            assertThat(damage.bySession("in-first")).hasValueSatisfying(j -> assertThat(j.id()).isEqualTo(job.id()));

            assertThat(report(damage, "in-first", "{\"inspectionId\":\"in-first\"}")).isTrue();
            assertThat(report(damage, "in-second", "{\"inspectionId\":\"in-second\"}")).isTrue();
            assertThat(report(damage, "in-second", "{\"inspectionId\":\"in-second\"}")).as("repeated delivery").isFalse();
            assertThat(damage.reportsOf(ORDER)).extracting(DamageReport::inspectionId).containsExactly("in-first", "in-second");
            assertThat(damage.get(job.id()).orElseThrow()).satisfies(j -> {
                assertThat(j.state()).isEqualTo(DamageJobState.REPORTED);
                assertThat(j.session()).isEqualTo("in-second");
            });
            // a REPORTED job is not claimed again
            assertThat(damage.claim(job.id(), Instant.now().plusSeconds(60))).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aReportBeforeTheUploadAnswerKeepsTheJobReportedAndAnExpiredClaimIsVoid(String kind) throws Exception {
        try (Ledger ledger = open(kind)) {
            DamageRecords damage = new DamageRecords(ledger);
            DamageJob job = damage.open("batch-2", ORDER, "IMAGE", "57076503", List.of(photo(ledger, "b".repeat(64))));
            assertThat(damage.claim(job.id(), Instant.now().minusSeconds(1))).isTrue();
            assertThat(damage.claim(job.id(), Instant.now().plusSeconds(60))).as("a claim whose time is over").isTrue();
            damage.sessionOpened(job.id(), "in-fast");

            report(damage, "in-fast", "{\"inspectionId\":\"in-fast\"}");
            damage.submitted(job.id(), "in-fast");
            assertThat(damage.get(job.id()).orElseThrow().state()).isEqualTo(DamageJobState.REPORTED);
            assertThat(damage.unmatched()).isEqualTo(new DamageRecords.Unmatched(0, 0));

            String body = "{\"inspectionId\":\"in-stranger\"}";
            report(damage, "in-stranger", body);
            assertThat(damage.unmatched()).isEqualTo(new DamageRecords.Unmatched(1, body.length()));
            assertThat(damage.reportStored("in-stranger")).isTrue();
            assertThat(damage.reportStored("in-nobody")).isFalse();
        }
    }
}
