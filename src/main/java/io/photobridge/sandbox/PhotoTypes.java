package io.photobridge.sandbox;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * RecoveryConnect's photo-type catalog as the sandbox serves it.
 */
final class PhotoTypes {

    /** The type of a photo uploaded without {@code type}. */
    static final int DEFAULT_TYPE = 2;

    private static final Map<Integer, String> NAMES = new LinkedHashMap<>();

    static {
        NAMES.put(2, "AR General Photo");
        NAMES.put(3, "Front: Driver side");
        NAMES.put(4, "Front: Passenger side");
        NAMES.put(5, "Rear: Driver side");
        NAMES.put(6, "Rear: Passenger side");
        NAMES.put(7, "Front");
        NAMES.put(8, "Rear");
        NAMES.put(9, "Driver side");
        NAMES.put(10, "Passenger side");
        NAMES.put(11, "VIN");
        NAMES.put(12, "Odometer");
        NAMES.put(13, "Interior");
        NAMES.put(14, "Windshield");
        NAMES.put(15, "Tires");
        NAMES.put(16, "Damage");
        NAMES.put(27, "Key");
    }

    private PhotoTypes() {
    }

    static boolean exists(int id) {
        return NAMES.containsKey(id);
    }

    static String name(int id) {
        return NAMES.get(id);
    }

    static Iterable<Integer> ids() {
        return NAMES.keySet();
    }

    /** The photo's "name" field: "standard-" and the type name in Laravel's kebab case, e.g. "standard-a-r-general-photo". */
    static String attachmentName(String typeName) {
        StringBuilder words = new StringBuilder();
        boolean startOfWord = true;
        for (char c : typeName.toCharArray()) {
            if (Character.isWhitespace(c)) {
                startOfWord = true;
                continue;
            }
            words.append(startOfWord ? Character.toUpperCase(c) : c);
            startOfWord = false;
        }
        StringBuilder kebab = new StringBuilder();
        for (int i = 0; i < words.length(); i++) {
            char c = words.charAt(i);
            if (i > 0 && Character.isUpperCase(c)) {
                kebab.append('-');
            }
            kebab.append(c);
        }
        String slug = kebab.toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return "standard-" + slug;
    }

    /** The type object embedded in photo records and served by /photo-types. */
    static ObjectNode json(int id) {
        ObjectNode type = SandboxHttp.object();
        type.put("id", id);
        type.put("name", NAMES.get(id));
        type.put("always_show", 1);
        type.put("is_required", id == 27 ? 1 : 0);
        type.put("type", "photos");
        type.put("created_at", id == 27 ? "2020-01-20 15:12:16" : "2020-01-20 15:12:10");
        type.put("updated_at", id == 27 ? "2022-02-16 11:51:49" : "2020-06-27 06:26:39");
        type.putNull("deleted_at");
        return type;
    }
}
