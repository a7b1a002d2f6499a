package io.photobridge.pave;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A session's data as GET /sessions/:key answers it; timestamps are kept as PAVE's text.
 *
 * @param sessionKey       the session's key
 * @param status           IDLE, STARTED, PROCESS, QC_PASSED, CONFIRM, COMPLETE, EXPIRED or INVALID
 * @param theme            LITE, PRO or CAPT
 * @param active           whether the capture link can still be used
 * @param captureUrl       the capture link, when PAVE gives one
 * @param redirectUrl      where the user goes after the capture
 * @param language         the capture UI's language
 * @param vehicle          the vehicle data given or identified
 * @param inspectStartedAt when the capture started
 * @param inspectEndedAt   when the capture ended
 * @param createdAt        when the session was created
 * @param updatedAt        when the session last changed
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PaveSessionData(String sessionKey, String status, String theme, Boolean active, String captureUrl,
                              String redirectUrl, String language, PaveVehicle vehicle, String inspectStartedAt,
                              String inspectEndedAt, String createdAt, String updatedAt) {

    /** The status PAVE gives a session whose results are ready. */
    public static final String COMPLETE = "COMPLETE";

    public boolean complete() {
        return COMPLETE.equalsIgnoreCase(status);
    }
}
