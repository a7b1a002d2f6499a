package io.photobridge.inspektlabs;

/**
 * Optional fields of an upload; each null or blank field is not sent.
 *
 * @param callbackUrl the URL Inspektlabs posts the result to ({@code callback_url}); required by accounts without a configured webhook
 * @param emailId     an address to send the report to ({@code email_id})
 * @param agentId     an agent id for tracking ({@code agent_id})
 * @param agentName   the agent's name ({@code agent_name})
 */
public record UploadOptions(String callbackUrl, String emailId, String agentId, String agentName) {

    private static final UploadOptions NONE = new UploadOptions(null, null, null, null);

    /** No optional field. */
    public static UploadOptions none() {
        return NONE;
    }

    /** Only a callback URL. */
    public static UploadOptions callback(String callbackUrl) {
        return new UploadOptions(callbackUrl, null, null, null);
    }
}
