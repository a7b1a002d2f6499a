package io.photobridge.inspektlabs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A URL-mode upload: Inspektlabs fetches the media itself.
 *
 * @param urls            the image or video URLs ({@code urls}); may be empty when {@code urlPairs} is not
 * @param urlPairs        optional image URL pairs ({@code url_pairs}), each exactly two URLs
 * @param originalIds     optional file names for {@code urls} ({@code original_Id})
 * @param originalPairIds optional combined file names for {@code urlPairs} ({@code original_pair_Id})
 * @param auth            optional authorization token Inspektlabs sends when fetching the URLs ({@code auth}); never shown or logged
 * @param inputMetaData   optional custom metadata such as phone, customerName, model ({@code inputMetaData})
 */
public record UrlUpload(List<String> urls, List<List<String>> urlPairs, List<String> originalIds, List<String> originalPairIds,
                        String auth, Map<String, Object> inputMetaData) {

    public UrlUpload {
        urls = urls == null ? List.of() : List.copyOf(urls);
        if (urlPairs == null) {
            urlPairs = List.of();
        } else {
            List<List<String>> pairs = new ArrayList<>(urlPairs.size());
            for (List<String> pair : urlPairs) {
                if (pair == null || pair.size() != 2) {
                    throw new IllegalArgumentException("Each Inspektlabs url pair must have exactly 2 URLs, not "
                            + (pair == null ? "none" : pair.size()));
                }
                pairs.add(List.copyOf(pair));
            }
            urlPairs = List.copyOf(pairs);
        }
        if (urls.isEmpty() && urlPairs.isEmpty()) {
            throw new IllegalArgumentException("An Inspektlabs URL upload needs at least one URL or URL pair");
        }
        originalIds = originalIds == null ? List.of() : List.copyOf(originalIds);
        originalPairIds = originalPairIds == null ? List.of() : List.copyOf(originalPairIds);
        inputMetaData = inputMetaData == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(inputMetaData));
    }

    /** Just these URLs. */
    public static UrlUpload of(List<String> urls) {
        return new UrlUpload(urls, null, null, null, null, null);
    }

    /** Never shows {@code auth}. */
    @Override
    public String toString() {
        return "UrlUpload[urls=" + urls + ", urlPairs=" + urlPairs + ", originalIds=" + originalIds + ", originalPairIds="
                + originalPairIds + ", auth=" + (auth == null ? "(none)" : "***") + ", inputMetaData=" + inputMetaData + "]";
    }
}
