package io.photobridge.recoveryconnect;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** RecoveryConnect's answer to a created photo; {@code orderId} arrives as a string here and as a number elsewhere: both are accepted. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CreatedPhoto(long orderId, Integer type, Integer caseAttachmentTypeId, Long recoveryHasDamageTypeLocationId,
                           long attachmentId, Long recoveryId) {
}
