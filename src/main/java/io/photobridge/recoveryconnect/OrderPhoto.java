package io.photobridge.recoveryconnect;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A photo of an order as RecoveryConnect lists it; {@code photoUrl} is a pre-signed link that expires, never a permanent one. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OrderPhoto(long id, PhotoType type, Integer orderAttachmentTypeId, Long recoveryHasDamageTypeLocationId,
                         long orderId, String name, String photoUrl, String filename, Uploader uploadedBy,
                         Long parentAttachmentOrderId, String createdAt, Meta meta) {

    /** A photo type of RecoveryConnect's catalog, e.g. 27 "Key". */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PhotoType(int id, String name, Integer alwaysShow, Integer isRequired, String type,
                            String createdAt, String updatedAt, String deletedAt) {
    }

    /** The employee who uploaded a photo. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Uploader(long id, Long companyId, String name, String firstname, String lastname, Contact contact,
                           List<String> roles) {
    }

    /** An uploader's contact details. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Contact(String email, String mobilePhone) {
    }

    /** Where and when a photo was generated. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Meta(String lat, @JsonProperty("long") String lng, String generatedAt, String createdAt) {
    }
}
