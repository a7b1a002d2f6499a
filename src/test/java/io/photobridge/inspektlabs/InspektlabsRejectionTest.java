package io.photobridge.inspektlabs;

import io.photobridge.inspektlabs.InspektlabsRejection.Reason;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Reasons from the status and the vendor's message: the spec's wording, other cases and small wording changes. */
class InspektlabsRejectionTest {

    @Test
    void theSpecsMessagesMapToTheirReasons() {
        assertThat(InspektlabsRejection.reasonOf(400, "Maximum 99 images upload possible")).isEqualTo(Reason.TOO_MANY_IMAGES);
        assertThat(InspektlabsRejection.reasonOf(400, "Invalid file type, only image or video allowed")).isEqualTo(Reason.INVALID_FILE_TYPE);
        assertThat(InspektlabsRejection.reasonOf(400, "Please upload video greater than 1 MB.")).isEqualTo(Reason.VIDEO_TOO_SMALL);
        assertThat(InspektlabsRejection.reasonOf(400, "please provide callback_url")).isEqualTo(Reason.CALLBACK_URL_MISSING);
        assertThat(InspektlabsRejection.reasonOf(400, "please generate new token and session")).isEqualTo(Reason.SESSION_USED);
        assertThat(InspektlabsRejection.reasonOf(415, "unsupported file type only images or videos")).isEqualTo(Reason.UNSUPPORTED_MEDIA_TYPE);
    }

    @Test
    void smallWordingChangesAndCaseAreTolerated() {
        assertThat(InspektlabsRejection.reasonOf(400, "MAXIMUM 99 IMAGES UPLOAD POSSIBLE!")).isEqualTo(Reason.TOO_MANY_IMAGES);
        assertThat(InspektlabsRejection.reasonOf(400, "Only 99 images can be uploaded")).isEqualTo(Reason.TOO_MANY_IMAGES);
        assertThat(InspektlabsRejection.reasonOf(400, "invalid file-type: only images or videos")).isEqualTo(Reason.INVALID_FILE_TYPE);
        assertThat(InspektlabsRejection.reasonOf(400, "Please upload a video greater than 1MB")).isEqualTo(Reason.VIDEO_TOO_SMALL);
        assertThat(InspektlabsRejection.reasonOf(400, "Please provide callback url.")).isEqualTo(Reason.CALLBACK_URL_MISSING);
        assertThat(InspektlabsRejection.reasonOf(400, "Please generate a new token and session")).isEqualTo(Reason.SESSION_USED);
        assertThat(InspektlabsRejection.reasonOf(400, "Unsupported file type: only images or videos")).isEqualTo(Reason.UNSUPPORTED_MEDIA_TYPE);
    }

    @Test
    void anythingElseIsOtherAndA415StaysAnUnsupportedMediaType() {
        assertThat(InspektlabsRejection.reasonOf(400, "case_id is required")).isEqualTo(Reason.OTHER);
        assertThat(InspektlabsRejection.reasonOf(400, null)).isEqualTo(Reason.OTHER);
        assertThat(InspektlabsRejection.reasonOf(400, "Please upload video less than 100 MB.")).isEqualTo(Reason.OTHER);
        assertThat(InspektlabsRejection.reasonOf(400, "Cannot mix images and videos in one request")).isEqualTo(Reason.OTHER);
        assertThat(InspektlabsRejection.reasonOf(415, "Unsupported Media Type")).isEqualTo(Reason.UNSUPPORTED_MEDIA_TYPE);
        assertThat(InspektlabsRejection.reasonOf(415, "")).isEqualTo(Reason.UNSUPPORTED_MEDIA_TYPE);
    }

    @Test
    void somethingWentWorngIsRecognisedWithEitherSpelling() {
        assertThat(InspektlabsClient.isSomethingWentWrong("Something Went Worng")).isTrue();
        assertThat(InspektlabsClient.isSomethingWentWrong("something went wrong.")).isTrue();
        assertThat(InspektlabsClient.isSomethingWentWrong("Not Found")).isFalse();
    }
}
