package io.photobridge.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Tells the order and the RecoveryConnect photo type from an input's path: an {@code <order_id>/[<type-folder>/]<file>}
 * folder, else the row of the dump folder's {@code manifest.csv}, else the file-name pattern.
 */
public final class NameRules {

    /** The setting that holds the file-name pattern of flat camera dumps. */
    public static final String NAME_PATTERN_SETTING = "photobridge.ingest.name-pattern";
    /** Longest allowed path segment, in UTF-8 bytes (what common file systems and S3 tools accept). */
    static final int MAX_SEGMENT_BYTES = 255;

    private static final Pattern ORDER_ID = Pattern.compile("\\d{1,18}");
    private static final Pattern TYPE_ID = Pattern.compile("\\d{1,9}");
    private static final Pattern ORDER_GROUP = Pattern.compile("(?<!\\\\)\\(\\?<order>");
    private static final Pattern TYPE_GROUP = Pattern.compile("(?<!\\\\)\\(\\?<type>");
    private static final Pattern WINDOWS_DRIVE = Pattern.compile("^[A-Za-z]:.*");
    private static final String FOLDER_LAYOUT = "<order_id>/[<type-folder>/]<file>";

    private final Map<String, Integer> typeFolders;
    private final int defaultType;
    private final Pattern namePattern;
    private final boolean patternHasType;

    /** typeFolders: folder name (case-insensitive) to photo type id; defaultType: the type when there is no type folder. */
    public NameRules(Map<String, Integer> typeFolders, int defaultType) {
        this(typeFolders, defaultType, null);
    }

    /**
     * As {@link #NameRules(Map, int)}, plus namePattern (null = none): matched against the whole file name of a file that
     * is neither under an order folder nor in its folder's manifest; named group {@code order} required, {@code type} optional.
     */
    public NameRules(Map<String, Integer> typeFolders, int defaultType, Pattern namePattern) {
        this.typeFolders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        this.typeFolders.putAll(typeFolders);
        this.defaultType = defaultType;
        if (namePattern != null && !ORDER_GROUP.matcher(namePattern.pattern()).find()) {
            throw new IllegalArgumentException(NAME_PATTERN_SETTING + " '" + namePattern.pattern()
                    + "' has no named group 'order', e.g. (?<order>\\d+)_(?<type>[a-z]+)_.*");
        }
        this.namePattern = namePattern;
        this.patternHasType = namePattern != null && TYPE_GROUP.matcher(namePattern.pattern()).find();
    }

    /**
     * The value of {@value #NAME_PATTERN_SETTING} compiled; null for null or blank. An invalid regex, or one without an
     * {@code order} group, fails with a message naming the setting and what is wrong.
     */
    public static Pattern namePattern(String regex) {
        if (regex == null || regex.isBlank()) {
            return null;
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex.trim());
        } catch (PatternSyntaxException e) {
            throw new IllegalStateException("Setting " + NAME_PATTERN_SETTING + " is not a valid regular expression: "
                    + e.getDescription() + (e.getIndex() >= 0 ? " near index " + e.getIndex() : "") + " of '" + regex.trim()
                    + "'", e);
        }
        if (!ORDER_GROUP.matcher(pattern.pattern()).find()) {
            throw new IllegalStateException("Setting " + NAME_PATTERN_SETTING + " '" + regex.trim()
                    + "' has no named group 'order', e.g. (?<order>\\d+)_(?<type>[a-z]+)_.*");
        }
        return pattern;
    }

    /** The order and type an input belongs to; typeFolder is the type-folder name used, or null. */
    public record Identity(long orderId, int typeId, String typeFolder, String fileName) {
    }

    /** The order and type of an input from its path alone (no manifests). */
    public Identity identify(String path) throws RuleViolation {
        try {
            return identify(path, Manifests.NONE);
        } catch (IOException e) {
            throw new IllegalStateException("no manifests, no I/O", e);
        }
    }

    /**
     * The order and type of an input: (a) {@code <order_id>/[<type-folder>/]<file>}; else (b) the row naming the file in
     * its folder's manifest; else (c) the name pattern matching the file name; else a rule violation saying so. A manifest
     * that cannot be used (unreadable, a bad row for this file) is a rule violation too, with the manifest's own message.
     */
    public Identity identify(String path, Manifests manifests) throws RuleViolation, IOException {
        if (path == null || path.isEmpty()) {
            throw new RuleViolation("(empty path)", "an empty path names no file");
        }
        String normalized = path.replace('\\', '/');
        String input = printable(normalized);
        checkSegments(normalized, input);
        String[] parts = normalized.split("/", -1);

        if (parts.length >= 2 && ORDER_ID.matcher(parts[0]).matches()) {
            return fromOrderFolder(parts, input);
        }

        String fileName = parts[parts.length - 1];
        String folder = parts.length == 1 ? "" : normalized.substring(0, normalized.length() - fileName.length() - 1);
        Optional<Manifests.ManifestRow> row;
        try {
            row = manifests.lookup(folder, fileName);
        } catch (IOException e) {
            throw new RuleViolation(input, e.getMessage() == null ? "cannot read " + manifestName(folder) + ": " + e : e.getMessage());
        }
        if (row.isPresent()) {
            return fromManifest(row.get(), fileName, input);
        }

        if (namePattern != null) {
            Matcher m = namePattern.matcher(fileName);
            if (m.matches()) {
                return fromNamePattern(m, fileName, input);
            }
        }

        StringBuilder rule = new StringBuilder("maps to no order: not under an <order_id>/ folder");
        if (parts.length >= 2) {
            rule.append(" (folder '").append(printable(parts[0])).append("' is not an order id)");
        }
        rule.append(", not listed in ").append(printable(manifestName(folder)))
                .append(", and the name does not match ").append(NAME_PATTERN_SETTING)
                .append(" (").append(namePattern == null ? "not set" : namePattern.pattern()).append(')');
        throw new RuleViolation(input, rule.toString());
    }

    private Identity fromOrderFolder(String[] parts, String input) throws RuleViolation {
        if (parts.length > 3) {
            throw new RuleViolation(input, "cannot tell the order: expected " + FOLDER_LAYOUT
                    + " (at most one type folder under the order folder)");
        }
        long orderId = Long.parseLong(parts[0]);
        if (parts.length == 2) {
            return new Identity(orderId, defaultType, null, parts[1]);
        }
        Integer known = typeFolders.get(parts[1]);
        if (known != null) {
            return new Identity(orderId, known, parts[1].toLowerCase(Locale.ROOT), parts[2]);
        }
        if (TYPE_ID.matcher(parts[1]).matches()) {
            return new Identity(orderId, Integer.parseInt(parts[1]), null, parts[2]);
        }
        throw new RuleViolation(input, "unknown type folder '" + printable(parts[1]) + "' (" + knownTypes()
                + "; add one as photobridge.recoveryconnect.type-folders.<name>=<type id>)");
    }

    private Identity fromManifest(Manifests.ManifestRow row, String fileName, String input) throws RuleViolation {
        String where = printable(row.manifest()) + " line " + row.line();
        String order = row.orderId() == null ? "" : row.orderId().trim();
        if (!ORDER_ID.matcher(order).matches()) {
            throw new RuleViolation(input, where + ": order_id '" + printable(order)
                    + "' is not an order id (digits expected; manifest rows are file,order_id[,type])");
        }
        String type = row.type() == null ? "" : row.type().trim();
        if (type.isEmpty()) {
            return new Identity(Long.parseLong(order), defaultType, null, fileName);
        }
        Integer known = typeFolders.get(type);
        if (known != null) {
            return new Identity(Long.parseLong(order), known, type.toLowerCase(Locale.ROOT), fileName);
        }
        if (TYPE_ID.matcher(type).matches()) {
            return new Identity(Long.parseLong(order), Integer.parseInt(type), null, fileName);
        }
        throw new RuleViolation(input, where + ": unknown type '" + printable(type) + "' (" + knownTypes()
                + "; or leave it empty for the default type " + defaultType + ")");
    }

    private Identity fromNamePattern(Matcher m, String fileName, String input) throws RuleViolation {
        String rule = NAME_PATTERN_SETTING + " (" + namePattern.pattern() + ")";
        String order = m.group("order");
        if (order == null || !ORDER_ID.matcher(order).matches()) {
            throw new RuleViolation(input, "group 'order' of " + rule + " captured '" + printable(String.valueOf(order))
                    + "', which is not an order id (digits expected)");
        }
        String type = patternHasType ? typeGroup(m) : null;
        if (type == null || type.isEmpty()) {
            return new Identity(Long.parseLong(order), defaultType, null, fileName);
        }
        Integer known = typeFolders.get(type);
        if (known != null) {
            return new Identity(Long.parseLong(order), known, type.toLowerCase(Locale.ROOT), fileName);
        }
        if (TYPE_ID.matcher(type).matches()) {
            return new Identity(Long.parseLong(order), Integer.parseInt(type), null, fileName);
        }
        throw new RuleViolation(input, "group 'type' of " + rule + " captured unknown type '" + printable(type) + "' ("
                + knownTypes() + ")");
    }

    private static String typeGroup(Matcher m) {
        try {
            return m.group("type");
        } catch (IllegalArgumentException noSuchGroup) {
            return null;
        }
    }

    /**
     * Only the checks of the path's form (what {@link #identify} checks first): no absolute path, no empty, '.' or '..'
     * segment, no control character, valid UTF-8, at most 255 bytes per name. '\' counts as a separator, as in identify.
     */
    public static void checkPath(String path) throws RuleViolation {
        if (path == null || path.isEmpty()) {
            throw new RuleViolation("(empty path)", "an empty path names no file");
        }
        String normalized = path.replace('\\', '/');
        checkSegments(normalized, printable(normalized));
    }

    /** Rejects absolute paths, empty, '.' and '..' segments, control characters, broken encodings and over-long names. */
    private static void checkSegments(String normalized, String input) throws RuleViolation {
        if (normalized.startsWith("/") || WINDOWS_DRIVE.matcher(normalized).matches()) {
            throw new RuleViolation(input, "absolute paths are not allowed: a path must be relative to the source root");
        }
        if (normalized.endsWith("/")) {
            throw new RuleViolation(input, "the path ends with '/': it names a folder, not a file");
        }
        for (String part : normalized.split("/", -1)) {
            if (part.isEmpty() || part.equals("..") || part.equals(".")) {
                throw new RuleViolation(input, "path segment '" + part + "' is not allowed (no empty, '.' or '..' segments)");
            }
            for (int i = 0; i < part.length(); i++) {
                char c = part.charAt(i);
                if (Character.isISOControl(c)) {
                    throw new RuleViolation(input, String.format("name '%s' contains the control character U+%04X;"
                            + " control characters are not allowed in names", printable(part), (int) c));
                }
                if (c == '\uFFFD') {
                    throw new RuleViolation(input, "name '" + printable(part) + "' is not valid UTF-8 (it was decoded with"
                            + " replacement characters U+FFFD); rename the file using UTF-8");
                }
                if (Character.isHighSurrogate(c) && i + 1 < part.length() && Character.isLowSurrogate(part.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    throw new RuleViolation(input, "name '" + printable(part) + "' is not valid Unicode (unpaired"
                            + " surrogate); rename the file using UTF-8");
                }
            }
            int bytes = part.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_SEGMENT_BYTES) {
                throw new RuleViolation(input, "name '" + abbreviate(part) + "' is " + bytes + " bytes long in UTF-8;"
                        + " at most " + MAX_SEGMENT_BYTES + " bytes per name are allowed");
            }
        }
    }

    private String knownTypes() {
        return "known type folders: " + String.join(", ", typeFolders.keySet()).toLowerCase(Locale.ROOT)
                + "; or a numeric type id";
    }

    private static String manifestName(String folder) {
        return folder.isEmpty() ? "manifest.csv" : folder + "/manifest.csv";
    }

    static String abbreviate(String name) {
        String p = printable(name);
        return p.length() <= 60 ? p : p.substring(0, 40) + "..." + p.substring(p.length() - 16);
    }

    /** The text with control characters, unpaired surrogates and U+FFFD shown as \\uXXXX escapes (safe for logs and notes). */
    static String printable(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))
                    || Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
            boolean escape = Character.isISOControl(c) || c == '\uFFFD' || Character.isSurrogate(c) && !paired;
            if (escape && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (escape) {
                    out.append(String.format("\\u%04X", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }
}
