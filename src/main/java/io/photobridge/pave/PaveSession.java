package io.photobridge.pave;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** A new PAVE session as POST /sessions answers it: its key, status and the capture link to give the user. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PaveSession(String sessionKey, String status, String captureUrl, String redirectUrl, String theme) {
}
