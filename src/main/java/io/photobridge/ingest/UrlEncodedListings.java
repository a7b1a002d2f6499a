package io.photobridge.ingest;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.ListObjectsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;

/**
 * Asks S3 for URL-encoded keys in every object listing (the SDK decodes them again). Without it, one key holding a
 * character XML 1.0 cannot carry (a control character) makes every listing of the bucket unreadable, so the S3 source
 * stopped taking any object, and a carriage return in a key came back as a line feed (a key that does not exist).
 */
public final class UrlEncodedListings implements ExecutionInterceptor {

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes executionAttributes) {
        SdkRequest request = context.request();
        if (request instanceof ListObjectsRequest list && list.encodingType() == null) {
            return list.toBuilder().encodingType(EncodingType.URL).build();
        }
        if (request instanceof ListObjectsV2Request list && list.encodingType() == null) {
            return list.toBuilder().encodingType(EncodingType.URL).build();
        }
        return request;
    }
}
