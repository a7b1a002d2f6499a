package io.photobridge.records;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Transfer outcomes are kept and read back the same on H2 and on the machine's PostgreSQL, and told in both orders' timelines. */
class TransferRecordsTest {

    @TempDir
    Path dir;

    static Stream<Arguments> databases() {
        return TestLedgers.databases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void outcomesAreReadByOrderAndByRequestAndToldInTheTimelines(String kind) throws Exception {
        try (Ledger ledger = TestLedgers.open(kind, dir)) {
            long ours = ledger.admit(new NewPhotoRecord(10L, "c".repeat(64), "file:///inbox/10/key/a.jpg", "a.jpg", "IMAGE",
                    "image/jpeg", 1234L, 27, LocalDateTime.of(2025, 6, 14, 9, 31, 7), null, "EXIF", null)).record().id();
            TransferRecords transfers = new TransferRecords(ledger);

            transfers.record("req-1", "API", 10L, 500L, ours, 20L, "SUCCESS", null);
            transfers.record("req-1", "API", 10L, 500L, ours, 30L, "FAIL", "RecoveryConnect answered status 'fail'");
            transfers.record("req-2", "file t.csv line 2", 40L, null, null, 10L, "GAVE_UP", "HTTP 503 Service Unavailable");

            assertThat(transfers.of(10L)).extracting(TransferRecord::requestId, TransferRecord::transferTo, TransferRecord::status)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("req-1", 20L, "SUCCESS"),
                            org.assertj.core.groups.Tuple.tuple("req-1", 30L, "FAIL"),
                            org.assertj.core.groups.Tuple.tuple("req-2", 10L, "GAVE_UP"));
            assertThat(transfers.ofRequest("req-1")).hasSize(2).allSatisfy(r -> {
                assertThat(r.photoId()).isEqualTo(ours);
                assertThat(r.rcAttachmentId()).isEqualTo(500L);
                assertThat(r.at()).isNotNull();
            });
            assertThat(transfers.ofRequest("req-2")).singleElement().satisfies(r -> {
                assertThat(r.rcAttachmentId()).isNull();
                assertThat(r.photoId()).isNull();
                assertThat(r.detail()).isEqualTo("HTTP 503 Service Unavailable");
            });
            assertThat(transfers.of(20L)).hasSize(1);
            assertThat(ledger.timeline(10L)).extracting(PhotoEvent::kind)
                    .containsExactly("RECEIVED", "TRANSFERRED", "TRANSFER_FAILED");
            assertThat(ledger.timeline(10L).get(1).photoId()).isEqualTo(ours);
            assertThat(ledger.timeline(20L)).singleElement().satisfies(e -> {
                assertThat(e.kind()).isEqualTo("TRANSFERRED_IN");
                assertThat(e.detail()).isEqualTo("attachment 500 of order 10 was transferred here, requested by API");
            });
            assertThat(ledger.timeline(30L)).isEmpty();
            assertThat(ledger.timeline(40L)).extracting(PhotoEvent::detail)
                    .containsExactly("the photos -> order 10: gave up (HTTP 503 Service Unavailable), requested by file t.csv line 2");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aCallSentIsNotedOncePerRequestAndPhotoUntilItIsSettled(String kind) throws Exception {
        try (Ledger ledger = TestLedgers.open(kind, dir)) {
            TransferRecords transfers = new TransferRecords(ledger);

            transfers.sending("req-1", 0L);
            transfers.sending("req-1", 500L);
            transfers.sending("req-1", 500L);
            transfers.sending("req-2", 500L);

            assertThat(transfers.unsettled("req-1")).containsExactlyInAnyOrder(0L, 500L);
            transfers.settled("req-1", 500L);
            assertThat(transfers.unsettled("req-1")).containsExactly(0L);
            assertThat(transfers.unsettled("req-2")).containsExactly(500L);
            assertThat(transfers.unsettled("req-3")).isEmpty();
        }
    }
}
