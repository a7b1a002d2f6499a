package io.photobridge.recoveryconnect;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The per-order, per-attachment outcome of a photo transfer. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TransferResult(List<TransferredOrder> orders) {

    /** One destination order and the attachments sent to it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TransferredOrder(long id, List<Attachment> attachments) {
    }

    /** One attachment's transfer status, {@code success} or {@code fail}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Attachment(long id, String status) {
        public boolean succeeded() {
            return "success".equalsIgnoreCase(status);
        }
    }

    /** Whether every attachment reached every destination. */
    public boolean allSucceeded() {
        return orders != null && orders.stream().flatMap(o -> o.attachments().stream()).allMatch(Attachment::succeeded);
    }
}
