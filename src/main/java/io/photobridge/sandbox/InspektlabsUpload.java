package io.photobridge.sandbox;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One accepted upload as the Inspektlabs sandbox saw it: mode "file" (multipart) or "urls" (JSON). {@code files} are the
 * received files (in "urls" mode the fetched ones, named by their URL: {@code urls} first, then {@code url_pairs} flattened);
 * {@code urls} is the request's {@code urls} field as sent (empty in "file" mode); optional fields are null when absent.
 */
public record InspektlabsUpload(String session, String caseId, String mode, List<UploadedFile> files, List<String> urls,
                                String callbackUrl, String emailId, String agentId, String agentName, Instant at) {

    /** Upload mode of a multipart/form-data request. */
    public static final String MODE_FILE = "file";
    /** Upload mode of a JSON request with URLs. */
    public static final String MODE_URLS = "urls";

    public InspektlabsUpload {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(caseId, "caseId");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(at, "at");
        files = files == null ? List.of() : List.copyOf(files);
        urls = urls == null ? List.of() : List.copyOf(urls);
    }

    /** One received file: its name (file name, or the URL it was fetched from), byte size, lowercase hex SHA-256 and Content-Type. */
    public record UploadedFile(String name, long size, String sha256, String contentType) {
        public UploadedFile {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sha256, "sha256");
        }
    }
}
