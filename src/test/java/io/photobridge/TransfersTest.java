package io.photobridge;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.records.PhotoEvent;
import io.photobridge.records.PhotoRecord;
import io.photobridge.records.PhotoState;
import io.photobridge.records.TransferRecord;
import io.photobridge.records.TransferRecords;
import io.photobridge.sandbox.FaultInjector;
import io.photobridge.sandbox.StoredPhoto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** RecoveryConnect transfers through the real Main and YAML routes: the API, the CSV folder, bad rows, and retried calls. */
class TransfersTest {

    private static final long ORDER = 57076503L;
    private static final long OTHER = 57076502L;
    private static final long THIRD = 57076504L;
    private static final long NO_SUCH_ORDER = 99999999L;
    private static final Path KEY_JPEG = Path.of("src/test/resources/media/key-exif.jpg");
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    private RunningPhotoBridge app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void apiTransfersNamedPhotosAndRecordsEachAttachmentWithRecoveryConnectsStatus() throws Exception {
        app = RunningPhotoBridge.start(home);
        PhotoRecord ours = upload("ours.jpg");
        StoredPhoto theirs = seed("theirs.jpg");

        HttpResponse<String> answer = post(ORDER, "{\"transfer_to\":[" + OTHER + "," + NO_SUCH_ORDER + "],"
                + "\"photo_ids\":[" + ours.rcAttachmentId() + ",\"" + theirs.id() + "\"]}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.path("succeeded").asInt()).isEqualTo(2);
        assertThat(body.path("failed").asInt()).isEqualTo(2);
        assertThat(body.path("attachments")).hasSize(4);
        for (JsonNode item : body.path("attachments")) {
            long to = item.path("transfer_to").asLong();
            assertThat(item.path("status").asText()).isEqualTo(to == OTHER ? "SUCCESS" : "FAIL");
            if (item.path("attachment_id").asLong() == ours.rcAttachmentId()) {
                assertThat(item.path("photo_id").asLong()).as("points to PhotoBridge's record").isEqualTo(ours.id());
            } else {
                assertThat(item.path("photo_id").isNull()).as("not uploaded by PhotoBridge").isTrue();
            }
        }
        assertThat(app.sandbox().photos(OTHER)).extracting(StoredPhoto::parentAttachmentOrderId).containsExactly(ORDER, ORDER);
        assertThat(app.sandbox().photos(OTHER)).extracting(StoredPhoto::sha256).containsOnly(theirs.sha256());

        JsonNode records = records(ORDER);
        assertThat(records.path("transfers")).hasSize(4);
        assertThat(app.ledger().timeline(ORDER)).filteredOn(e -> e.kind().equals("TRANSFERRED"))
                .extracting(PhotoEvent::photoId).containsExactlyInAnyOrder(ours.id(), null);
        assertThat(app.ledger().timeline(ORDER)).filteredOn(e -> e.kind().equals("TRANSFER_FAILED")).hasSize(2)
                .allMatch(e -> e.detail().contains("order " + NO_SUCH_ORDER) && e.detail().contains("requested by API"));
        assertThat(app.ledger().timeline(OTHER)).extracting(PhotoEvent::kind).containsExactly("TRANSFERRED_IN", "TRANSFERRED_IN");
        assertThat(records(OTHER).path("transfers")).hasSize(2);
    }

    @Test
    void apiWithoutPhotoIdsTransfersEveryPhotoOfTheOrderInOneCall() throws Exception {
        app = RunningPhotoBridge.start(home);
        StoredPhoto first = seed("first.jpg");
        StoredPhoto second = seed("second.jpg");

        HttpResponse<String> answer = post(ORDER, "{\"transfer_to\":[" + OTHER + "," + THIRD + "],\"photo_ids\":\"all\"}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).path("succeeded").asInt()).isEqualTo(4);
        assertThat(transfers().of(ORDER)).extracting(TransferRecord::rcAttachmentId)
                .containsExactlyInAnyOrder(first.id(), second.id(), first.id(), second.id());
        assertThat(app.sandbox().photos(OTHER)).hasSize(2);
        assertThat(app.sandbox().photos(THIRD)).hasSize(2);
    }

    @Test
    void transferCallsUseTheTransferApiVersion() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.recoveryconnect.transfer-api-version", "v130"));
        StoredPhoto photo = seed("photo.jpg");
        app.sandbox().faults().failNext(1, "/api/v130/orders/" + ORDER + "/photos/" + photo.id(),
                new FaultInjector.Status(422, "seen on v130 (one photo)", null));
        app.sandbox().faults().failNext(1, "/api/v130/orders/" + ORDER + "/photos/transfer",
                new FaultInjector.Status(422, "seen on v130 (all photos)", null));

        assertThat(post(ORDER, "{\"transfer_to\":[" + OTHER + "],\"photo_ids\":[" + photo.id() + "]}").statusCode()).isEqualTo(200);
        assertThat(post(ORDER, "{\"transfer_to\":[" + OTHER + "]}").statusCode()).isEqualTo(200);

        assertThat(transfers().of(ORDER)).extracting(TransferRecord::status, TransferRecord::detail).containsExactly(
                org.assertj.core.groups.Tuple.tuple("REFUSED", "RecoveryConnect transfer photo " + photo.id() + " (order " + ORDER
                        + "): HTTP 422 seen on v130 (one photo)"),
                org.assertj.core.groups.Tuple.tuple("REFUSED", "RecoveryConnect transfer all photos (order " + ORDER
                        + "): HTTP 422 seen on v130 (all photos)"));
        assertThat(app.sandbox().photos(OTHER)).isEmpty();
    }

    @Test
    void apiRefusesBadBodiesUnknownPhotosAndUnknownOrdersNamingTheFieldAndRule() throws Exception {
        app = RunningPhotoBridge.start(home);
        StoredPhoto photo = seed("photo.jpg");

        assertRefused(post(ORDER, "{}"), 400, "transfer_to is required");
        assertRefused(post(ORDER, "{\"transfer_to\":" + OTHER + "}"), 400, "transfer_to must be a list");
        assertRefused(post(ORDER, "{\"transfer_to\":[]}"), 400, "transfer_to must not be empty");
        assertRefused(post(ORDER, "{\"transfer_to\":[\"abc\"]}"), 400, "transfer_to[0] must be a positive whole number");
        assertRefused(post(ORDER, "{\"transfer_to\":[" + ORDER + "]}"), 400, "transfer_to: order " + ORDER + " is the order");
        assertRefused(post(ORDER, "{\"transfer_to\":[" + OTHER + "],\"photo_ids\":[]}"), 400, "photo_ids must not be empty");
        assertRefused(post(ORDER, "[1]"), 400, "must be a JSON object");
        assertRefused(post(ORDER, "{\"transfer_to\":[" + OTHER + "],\"photo_ids\":[180000000," + photo.id() + "]}"), 400,
                "photo_ids: 180000000 is not a photo of order " + ORDER);
        assertRefused(post(NO_SUCH_ORDER, "{\"transfer_to\":[" + OTHER + "]}"), 404,
                "order " + NO_SUCH_ORDER + " is not known to RecoveryConnect");
        HttpResponse<String> noToken = TestHttp.client().send(HttpRequest.newBuilder(
                        URI.create(app.httpBase() + "/api/orders/" + ORDER + "/transfers"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"transfer_to\":[" + OTHER + "]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).isEqualTo(401);

        assertThat(app.sandbox().photos(OTHER)).isEmpty();
        assertThat(transfers().of(ORDER)).isEmpty();
    }

    @Test
    void fiveHundredInTheMiddleIsRetriedAndEndsWithExactlyOneCopyOfEachPhoto() throws Exception {
        app = RunningPhotoBridge.start(home);
        StoredPhoto a = seed("a.jpg");
        StoredPhoto b = seed("b.jpg");
        StoredPhoto c = seed("c.jpg");
        app.sandbox().faults().failNext(2, "/photos/" + b.id(), new FaultInjector.Status(503));

        HttpResponse<String> answer = post(ORDER, "{\"transfer_to\":[" + OTHER + "],\"photo_ids\":[" + a.id() + "," + b.id()
                + "," + c.id() + "]}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(app.sandbox().faults().injected()).isEqualTo(2);
        assertThat(transfers().of(ORDER)).extracting(TransferRecord::rcAttachmentId, TransferRecord::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(a.id(), "SUCCESS"),
                        org.assertj.core.groups.Tuple.tuple(b.id(), "SUCCESS"), org.assertj.core.groups.Tuple.tuple(c.id(), "SUCCESS"));
        assertThat(app.sandbox().transferRequests()).as("one accepted call per photo").isEqualTo(3);
        List<StoredPhoto> copies = app.sandbox().photos(OTHER);
        assertThat(copies).hasSize(3);
        assertThat(copies).extracting(StoredPhoto::requestedFileName).containsExactlyInAnyOrder("a.jpg", "b.jpg", "c.jpg");
    }

    @Test
    void aTransferCarriedOutWithoutAnAnswerIsFoundInTheDestinationsAndNotSentTwice() throws Exception {
        // the sandbox makes the copies 2 s after the call, the client stops waiting after 1 s, the retry looks after 3 s
        app = RunningPhotoBridge.start(home, Map.of("photobridge.recoveryconnect.request-timeout-ms", "1000",
                "photobridge.recoveryconnect.unknown-outcome-delay-ms", "3000"));
        StoredPhoto photo = seed("late.jpg");
        app.sandbox().faults().failNext(1, "/photos/" + photo.id(), new FaultInjector.Slow(Duration.ofMillis(2000)));

        HttpResponse<String> answer = post(ORDER, "{\"transfer_to\":[" + OTHER + "," + THIRD + "],\"photo_ids\":[" + photo.id() + "]}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(transfers().of(ORDER)).hasSize(2).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo("SUCCESS");
            assertThat(r.detail()).startsWith("found in order " + r.transferTo());
        });
        assertThat(app.sandbox().photos(OTHER)).hasSize(1);
        assertThat(app.sandbox().photos(THIRD)).hasSize(1);
        assertThat(app.sandbox().transferRequests()).as("the unanswered call only").isEqualTo(1);
    }

    @Test
    void aWholeOrderTransferCarriedOutWithoutAnAnswerIsFoundInTheDestinationsAndNotSentTwice() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.recoveryconnect.unknown-outcome-delay-ms", "200"));
        StoredPhoto first = seed("first.jpg");
        StoredPhoto second = seed("second.jpg");
        app.sandbox().faults().failNext(1, "/photos/transfer", new FaultInjector.LostAnswer());

        HttpResponse<String> answer = post(ORDER, "{\"transfer_to\":[" + OTHER + "," + THIRD + "]}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(app.sandbox().faults().injected()).isEqualTo(1);
        assertThat(app.sandbox().photos(OTHER)).as("one copy of each photo").hasSize(2);
        assertThat(app.sandbox().photos(THIRD)).as("one copy of each photo").hasSize(2);
        assertThat(app.sandbox().transferRequests()).as("the unanswered whole-order call only").isEqualTo(1);
        assertThat(transfers().unsettled(JSON.readTree(answer.body()).path("request_id").asText())).isEmpty();
        assertThat(transfers().of(ORDER)).extracting(TransferRecord::rcAttachmentId)
                .containsExactlyInAnyOrder(first.id(), second.id(), first.id(), second.id());
        assertThat(transfers().of(ORDER)).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo("SUCCESS");
            assertThat(r.detail()).isEqualTo("found in order " + r.transferTo()
                    + ": a copy is there, looked up after a whole-order call whose outcome was unknown");
        });
    }

    @Test
    void aWholeOrderTransferThatNeverArrivedIsSentPhotoByPhotoAfterTheLookup() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.recoveryconnect.unknown-outcome-delay-ms", "200"));
        StoredPhoto first = seed("first.jpg");
        StoredPhoto second = seed("second.jpg");
        app.sandbox().faults().failNext(1, "/photos/transfer", new FaultInjector.Drop());

        HttpResponse<String> answer = post(ORDER, "{\"transfer_to\":[" + OTHER + "],\"photo_ids\":\"all\"}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(app.sandbox().faults().injected()).isEqualTo(1);
        assertThat(transfers().of(ORDER)).extracting(TransferRecord::rcAttachmentId, TransferRecord::status)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(first.id(), "SUCCESS"),
                        org.assertj.core.groups.Tuple.tuple(second.id(), "SUCCESS"));
        assertThat(app.sandbox().photos(OTHER)).hasSize(2);
        assertThat(app.sandbox().transferRequests()).as("one call per photo after the dropped whole-order call").isEqualTo(2);
    }

    @Test
    void afterAnUnansweredWholeOrderCallEachPhotoStillLackingIsACallOfItsOwnRetriedAndRecordedOnce() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.retry.max-redeliveries", "1",
                "photobridge.recoveryconnect.unknown-outcome-delay-ms", "200"));
        StoredPhoto refused = seed("refused.jpg");
        StoredPhoto unavailable = seed("unavailable.jpg");
        StoredPhoto fine = seed("fine.jpg");
        app.sandbox().faults().failNext(1, "/photos/transfer", new FaultInjector.Drop());
        app.sandbox().faults().failNext(1, "/photos/" + refused.id(), new FaultInjector.Status(422, "The photo is locked.", null));
        app.sandbox().faults().failNext(2, "/photos/" + unavailable.id(), new FaultInjector.Status(503));

        HttpResponse<String> answer = post(ORDER, "{\"transfer_to\":[" + OTHER + "]}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(app.sandbox().faults().injected()).as("the drop, the 422, and the 503 with its own retry").isEqualTo(4);
        assertThat(transfers().of(ORDER)).as("one row per photo: the refusal is final, the given-up photo named")
                .extracting(TransferRecord::rcAttachmentId, TransferRecord::status).containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(refused.id(), "REFUSED"),
                        org.assertj.core.groups.Tuple.tuple(unavailable.id(), "GAVE_UP"),
                        org.assertj.core.groups.Tuple.tuple(fine.id(), "SUCCESS"));
        assertThat(app.sandbox().photos(OTHER)).extracting(StoredPhoto::requestedFileName).containsExactly("fine.jpg");
        assertThat(transfers().unsettled(JSON.readTree(answer.body()).path("request_id").asText()))
                .as("every call has its outcome recorded, the given-up one as GAVE_UP").isEmpty();
    }

    @Test
    void aTransferFilePutBackAfterAnUnansweredWholeOrderCallGaveUpFindsTheCopiesAndMakesNoSecondOne() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.retry.max-redeliveries", "1",
                "photobridge.recoveryconnect.unknown-outcome-delay-ms", "200"));
        StoredPhoto first = seed("first.jpg");
        StoredPhoto second = seed("second.jpg");
        // the copies are made but the answer is lost, and the destination cannot be listed before the retries run out
        app.sandbox().faults().failNext(1, "/photos/transfer", new FaultInjector.LostAnswer());
        app.sandbox().faults().failNext(1, "/orders/" + OTHER + "/photos", new FaultInjector.Status(503));

        Path file = writeTransferFile("batch.csv", ORDER + "," + OTHER + ",all\n");
        await().atMost(WAIT).until(() -> Files.exists(file.resolveSibling(".done/batch.csv")));
        assertThat(app.sandbox().faults().injected()).isEqualTo(2);
        assertThat(transfers().of(ORDER)).extracting(TransferRecord::status).containsExactly("GAVE_UP");
        assertThat(app.sandbox().photos(OTHER)).hasSize(2);

        Path again = writeTransferFile("again.csv", ORDER + "," + OTHER + ",all\n");
        await().atMost(WAIT).until(() -> Files.exists(again.resolveSibling(".done/again.csv")));
        assertThat(app.sandbox().photos(OTHER)).as("no second copy").hasSize(2);
        assertThat(app.sandbox().transferRequests()).as("the unanswered call only").isEqualTo(1);
        assertThat(transfers().of(ORDER)).filteredOn(r -> r.status().equals("SUCCESS"))
                .extracting(TransferRecord::rcAttachmentId).containsExactlyInAnyOrder(first.id(), second.id());
    }

    @Test
    void aTransferFileReadAgainAfterAStopDuringAnUnknownOutcomeFindsTheCopiesAndMakesNoSecondOne() throws Exception {
        // the lookup is due long after the stop: only the ledger can tell the next run that the call may have been carried out
        Map<String, String> settings = Map.of("photobridge.recoveryconnect.unknown-outcome-delay-ms", "600000",
                "camel.main.shutdown-timeout", "2");
        app = RunningPhotoBridge.start(home, settings);
        seed("first.jpg");
        seed("second.jpg");
        app.sandbox().faults().failNext(1, "/photos/transfer", new FaultInjector.LostAnswer());

        Path file = writeTransferFile("batch.csv", ORDER + "," + OTHER + ",all\n");
        await().atMost(WAIT).until(() -> app.sandbox().faults().injected() == 1 && app.sandbox().photos(OTHER).size() == 2);
        app.close();
        assertThat(file).as("not carried out yet: the file waits for the next run").exists();

        app = RunningPhotoBridge.start(home, settings);
        await().atMost(WAIT).until(() -> Files.exists(file.resolveSibling(".done/batch.csv")));
        assertThat(app.sandbox().photos(OTHER)).as("no second copy").hasSize(2);
        assertThat(app.sandbox().transferRequests()).as("nothing sent by this run").isZero();
        assertThat(transfers().of(ORDER)).hasSize(2).allSatisfy(r -> assertThat(r.status()).isEqualTo("SUCCESS"));
    }

    @Test
    void aFourHundredIsFinalAndRecordedAndRetriesThatRunOutAreRecordedAsGivenUp() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.retry.max-redeliveries", "1"));
        StoredPhoto refused = seed("refused.jpg");
        StoredPhoto unavailable = seed("unavailable.jpg");
        StoredPhoto fine = seed("fine.jpg");
        app.sandbox().faults().failNext(1, "/photos/" + refused.id(), new FaultInjector.Status(422, "The photo is locked.", null));
        app.sandbox().faults().failNext(2, "/photos/" + unavailable.id(), new FaultInjector.Status(503));

        HttpResponse<String> answer = post(ORDER, "{\"transfer_to\":[" + OTHER + "],\"photo_ids\":[" + refused.id() + ","
                + unavailable.id() + "," + fine.id() + "]}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(app.sandbox().faults().injected()).as("the 422 is not retried; the 503 is, once").isEqualTo(3);
        List<TransferRecord> rows = transfers().of(ORDER);
        assertThat(rows).extracting(TransferRecord::rcAttachmentId, TransferRecord::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple(refused.id(), "REFUSED"),
                org.assertj.core.groups.Tuple.tuple(unavailable.id(), "GAVE_UP"),
                org.assertj.core.groups.Tuple.tuple(fine.id(), "SUCCESS"));
        assertThat(rows.get(0).detail()).contains("HTTP 422").contains("The photo is locked.");
        assertThat(rows.get(1).detail()).contains("HTTP 503");
        assertThat(app.sandbox().photos(OTHER)).extracting(StoredPhoto::requestedFileName).containsExactly("fine.jpg");
    }

    @Test
    void csvFileIsCarriedOutRowByRowAndMovesToDone() throws Exception {
        app = RunningPhotoBridge.start(home);
        PhotoRecord ours = upload("ours.jpg");
        seed("theirs.jpg");

        Path file = writeTransferFile("batch.csv", "order_id,transfer_to,photo_id\n"
                + "# the key photo first\n"
                + ORDER + "," + OTHER + "," + ours.rcAttachmentId() + "\n"
                + "\n"
                + ORDER + "," + THIRD + ",all\n");

        await().atMost(WAIT).until(() -> Files.exists(file.resolveSibling(".done/batch.csv")));
        assertThat(app.sandbox().photos(OTHER)).hasSize(1);
        assertThat(app.sandbox().photos(THIRD)).hasSize(2);
        List<TransferRecord> rows = transfers().of(ORDER);
        assertThat(rows).hasSize(3).allMatch(r -> r.status().equals("SUCCESS"));
        assertThat(rows.get(0).photoId()).isEqualTo(ours.id());
        assertThat(rows.get(0).requestedBy()).isEqualTo("file batch.csv line 3");
        assertThat(rows.get(1).requestedBy()).isEqualTo("file batch.csv line 5");
        assertThat(records(ORDER).path("transfers")).hasSize(3);

        // the same rows again (a file put back, or read again after a restart): what succeeded is not transferred twice
        int calls = app.sandbox().transferRequests();
        Path again = writeTransferFile("again.csv", Files.readString(file.resolveSibling(".done/batch.csv")));
        await().atMost(WAIT).until(() -> Files.exists(again.resolveSibling(".done/again.csv")));
        assertThat(app.sandbox().transferRequests()).isEqualTo(calls);
        assertThat(app.sandbox().photos(OTHER)).hasSize(1);
        assertThat(app.sandbox().photos(THIRD)).hasSize(2);
        assertThat(transfers().of(ORDER)).hasSize(3);

        // ...and an order's new photo is what a whole-order row transfers when its file comes back
        StoredPhoto added = seed("added.jpg");
        Path third = writeTransferFile("third.csv", Files.readString(file.resolveSibling(".done/batch.csv")));
        await().atMost(WAIT).until(() -> Files.exists(third.resolveSibling(".done/third.csv")));
        assertThat(app.sandbox().photos(THIRD)).hasSize(3);
        assertThat(app.sandbox().photos(OTHER)).hasSize(1);
        assertThat(transfers().of(ORDER)).hasSize(4).last().satisfies(r -> {
            assertThat(r.rcAttachmentId()).isEqualTo(added.id());
            assertThat(r.transferTo()).isEqualTo(THIRD);
            assertThat(r.status()).isEqualTo("SUCCESS");
        });
    }

    @Test
    void recoveryConnectUnavailableWhileAFileIsCheckedIsRetriedAndTheFileCarriedOut() throws Exception {
        app = RunningPhotoBridge.start(home);
        StoredPhoto photo = seed("photo.jpg");
        app.sandbox().faults().failNext(2, "/orders/" + ORDER + "/photos", new FaultInjector.Status(503));

        Path file = writeTransferFile("outage.csv", ORDER + "," + OTHER + "," + photo.id() + "\n");

        await().atMost(WAIT).until(() -> Files.exists(file.resolveSibling(".done/outage.csv")));
        assertThat(app.sandbox().faults().injected()).isEqualTo(2);
        assertThat(app.sandbox().photos(OTHER)).hasSize(1);
        assertThat(transfers().of(ORDER)).extracting(TransferRecord::status).containsExactly("SUCCESS");
        assertThat(file.resolveSibling(".error/outage.csv.error.txt")).doesNotExist();
    }

    @Test
    void aTransferFileWhoseCheckUsedUpItsRetriesStillRetriesItsCalls() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.retry.max-redeliveries", "2"));
        seed("first.jpg");
        Path file = writeTransferFile("batch.csv", ORDER + "," + OTHER + ",all\n");
        await().atMost(WAIT).until(() -> Files.exists(file.resolveSibling(".done/batch.csv")));
        StoredPhoto added = seed("added.jpg");
        // the check of the file put back passes on its last retry; listing the order for its calls then fails once more
        String order = "/orders/" + ORDER + "/photos";
        app.sandbox().faults().failNext(2, order, new FaultInjector.Status(503));
        app.sandbox().faults().failNext(1, order, new FaultInjector.Slow(Duration.ZERO));
        app.sandbox().faults().failNext(1, order, new FaultInjector.Status(503));

        Path again = writeTransferFile("again.csv", ORDER + "," + OTHER + ",all\n");
        await().atMost(WAIT).until(() -> Files.exists(again.resolveSibling(".done/again.csv")));
        assertThat(app.sandbox().faults().injected()).isEqualTo(4);
        assertThat(transfers().of(ORDER)).extracting(TransferRecord::status).containsExactly("SUCCESS", "SUCCESS");
        assertThat(transfers().of(ORDER).get(1).rcAttachmentId()).isEqualTo(added.id());
        assertThat(app.sandbox().photos(OTHER)).hasSize(2);
    }

    @Test
    void csvFileWithABadRowGoesToErrorWithANoteNamingTheLineAndNothingIsTransferred() throws Exception {
        app = RunningPhotoBridge.start(home);
        StoredPhoto photo = seed("photo.jpg");
        String good = ORDER + "," + OTHER + "," + photo.id() + "\n";
        Map<String, String> files = Map.of(
                "bad-order.csv", good + "57O76503," + OTHER + ",all\n",
                "missing-column.csv", good + ORDER + "," + OTHER + "\n",
                "unknown-photo.csv", good + ORDER + "," + OTHER + ",180000000\n",
                "unknown-order.csv", good + NO_SUCH_ORDER + "," + OTHER + ",all\n");
        Map<String, String> reasons = Map.of(
                "bad-order.csv", "bad-order.csv line 2: order_id '57O76503' is not an id",
                "missing-column.csv", "missing-column.csv line 2: expected 3 columns order_id,transfer_to,photo_id|all, got 2",
                "unknown-photo.csv", "unknown-photo.csv line 2: photo_id 180000000 is not a photo of order " + ORDER,
                "unknown-order.csv", "unknown-order.csv line 2: order " + NO_SUCH_ORDER + " is not known to RecoveryConnect");
        for (Map.Entry<String, String> f : files.entrySet()) {
            writeTransferFile(f.getKey(), f.getValue());
        }

        Path dir = home.resolve("transfers");
        for (String name : files.keySet()) {
            Path note = dir.resolve(".error/" + name + ".error.txt");
            await().atMost(WAIT).until(() -> Files.exists(note) && Files.exists(dir.resolve(".error/" + name)));
            assertThat(Files.readString(note)).as(name).contains(reasons.get(name)).contains("no row of it was transferred");
        }
        assertThat(app.sandbox().photos(OTHER)).isEmpty();
        assertThat(transfers().of(ORDER)).isEmpty();
    }

    private PhotoRecord upload(String name) throws IOException {
        Path target = app.inbox().resolve(ORDER + "/key/" + name);
        Files.createDirectories(target.getParent());
        Files.copy(KEY_JPEG, target);
        await().atMost(WAIT).until(() -> app.ledger().photos(ORDER).stream()
                .anyMatch(p -> p.originalName().equals(name) && p.state() == PhotoState.UPLOADED));
        return app.ledger().photos(ORDER).stream().filter(p -> p.originalName().equals(name)).findFirst().orElseThrow();
    }

    private StoredPhoto seed(String name) throws IOException {
        return app.sandbox().seedPhoto(ORDER, name, 2, Files.readAllBytes(KEY_JPEG), "2025-06-14 09:31:07");
    }

    private Path writeTransferFile(String name, String content) throws IOException {
        Path dir = home.resolve("transfers");
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + name + ".part");
        Files.writeString(temp, content);
        return Files.move(temp, dir.resolve(name));
    }

    private TransferRecords transfers() {
        return new TransferRecords(app.ledger());
    }

    private HttpResponse<String> post(long order, String body) throws Exception {
        return TestHttp.client().send(HttpRequest.newBuilder(URI.create(app.httpBase() + "/api/orders/" + order + "/transfers"))
                        .header("Authorization", "Bearer " + RunningPhotoBridge.API_TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode records(long order) throws Exception {
        HttpResponse<String> answer = TestHttp.client().send(HttpRequest.newBuilder(
                        URI.create(app.httpBase() + "/api/orders/" + order + "/records"))
                .header("Authorization", "Bearer " + RunningPhotoBridge.API_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private static void assertRefused(HttpResponse<String> answer, int status, String message) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        assertThat(JSON.readTree(answer.body()).path("message").asText()).contains(message);
    }
}
