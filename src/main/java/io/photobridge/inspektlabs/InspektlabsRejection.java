package io.photobridge.inspektlabs;

import java.util.Locale;

import io.photobridge.vendor.VendorException;

/** Inspektlabs refused an upload for a reason it states (400 or 415): resending the same request cannot succeed. */
public class InspektlabsRejection extends VendorException {

    /** Why Inspektlabs refused, from its status and message. */
    public enum Reason {
        /** 400 "Maximum 99 images upload possible". */
        TOO_MANY_IMAGES,
        /** 400 "Invalid file type, only image or video allowed". */
        INVALID_FILE_TYPE,
        /** 415 "unsupported file type only images or videos". */
        UNSUPPORTED_MEDIA_TYPE,
        /** 400 "Please upload video greater than 1 MB.". */
        VIDEO_TOO_SMALL,
        /** 400 "please provide callback_url". */
        CALLBACK_URL_MISSING,
        /** 400 "please generate new token and session": the session was used before; a new session may resend once. */
        SESSION_USED,
        /** Any other refusal. */
        OTHER
    }

    private final Reason reason;

    public InspektlabsRejection(String vendor, String operation, int status, String vendorMessage, Reason reason) {
        super(vendor, operation, status, vendorMessage, null);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** The reason for a refusal with this status and message; messages match case-insensitively and tolerate small wording changes. */
    public static Reason reasonOf(int status, String vendorMessage) {
        String words = vendorMessage == null ? "" : vendorMessage.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ").trim();
        String joined = words.replace(" ", "");
        if (words.contains("unsupported file type") || words.contains("unsupported media type")) {
            return Reason.UNSUPPORTED_MEDIA_TYPE;
        }
        if (words.contains("99 image") || words.contains("maximum") && words.contains("image")) {
            return Reason.TOO_MANY_IMAGES;
        }
        if (words.contains("invalid file type")) {
            return Reason.INVALID_FILE_TYPE;
        }
        if (joined.contains("greaterthan1mb") || words.contains("video") && joined.contains("1mb")) {
            return Reason.VIDEO_TOO_SMALL;
        }
        if (joined.contains("callbackurl")) {
            return Reason.CALLBACK_URL_MISSING;
        }
        if (words.contains("new token and session") || words.contains("new token") && words.contains("session")) {
            return Reason.SESSION_USED;
        }
        return status == 415 ? Reason.UNSUPPORTED_MEDIA_TYPE : Reason.OTHER;
    }
}
