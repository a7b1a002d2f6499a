package io.photobridge.ingest;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Tells the order and the RecoveryConnect photo type from an input's path: {@code <order_id>/[<type-folder>/]<file>}. */
public final class NameRules {

    private static final Pattern ORDER_ID = Pattern.compile("\\d{1,18}");

    private final Map<String, Integer> typeFolders;
    private final int defaultType;

    /** typeFolders: folder name (case-insensitive) to photo type id; defaultType: the type when there is no type folder. */
    public NameRules(Map<String, Integer> typeFolders, int defaultType) {
        this.typeFolders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        this.typeFolders.putAll(typeFolders);
        this.defaultType = defaultType;
    }

    /** The order and type an input belongs to. */
    public record Identity(long orderId, int typeId, String typeFolder, String fileName) {
    }

    public Identity identify(String path) throws RuleViolation {
        String normalized = path.replace('\\', '/');
        String[] parts = normalized.split("/");
        if (parts.length < 2 || parts.length > 3) {
            throw new RuleViolation(normalized, "cannot tell the order: expected <order_id>/[<type-folder>/]<file>");
        }
        for (String part : parts) {
            if (part.isEmpty() || part.equals("..") || part.equals(".")) {
                throw new RuleViolation(normalized, "path segment '" + part + "' is not allowed");
            }
        }
        if (!ORDER_ID.matcher(parts[0]).matches()) {
            throw new RuleViolation(normalized, "folder '" + parts[0]
                    + "' is not an order id (digits expected): expected <order_id>/[<type-folder>/]<file>");
        }
        long orderId = Long.parseLong(parts[0]);
        if (parts.length == 2) {
            return new Identity(orderId, defaultType, null, parts[1]);
        }
        Integer type = typeFolders.get(parts[1]);
        if (type == null) {
            throw new RuleViolation(normalized, "unknown type folder '" + parts[1] + "' (known: "
                    + String.join(", ", typeFolders.keySet()).toLowerCase(Locale.ROOT)
                    + "; add one as photobridge.recoveryconnect.type-folders.<name>=<type id>)");
        }
        return new Identity(orderId, type, parts[1].toLowerCase(Locale.ROOT), parts[2]);
    }
}
