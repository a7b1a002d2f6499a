package io.photobridge.inspektlabs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Inspektlabs' answer to an accepted upload: {@code status} "success", {@code id} the inspection (session) id, {@code caseId} the client's case id. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record UploadAccepted(String status, String id, String message, String caseId) {
}
