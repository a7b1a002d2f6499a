package io.photobridge;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.spi.PropertiesComponent;

/** Reads PhotoBridge's settings through Camel's properties component, so -D and environment overrides apply. */
final class Settings {

    private static final Pattern ENV_PLACEHOLDER = Pattern.compile("\\{\\{env:([A-Za-z0-9_]+)(:.*)?}}");

    private final PropertiesComponent properties;
    /** Keys (and prefixes ending in '.') read so far: the Java wiring's settings, which a config edit cannot change live. */
    private final Set<String> read = ConcurrentHashMap.newKeySet();

    Settings(PropertiesComponent properties) {
        this.properties = properties;
    }

    String get(String key) {
        read.add(key);
        return properties.resolveProperty(key)
                .orElseThrow(() -> new IllegalStateException("Setting " + key + " is missing from config/application.properties"));
    }

    String optional(String key) {
        read.add(key);
        String value = properties.resolveProperty(key).orElse("").trim();
        return value.isEmpty() ? null : value;
    }

    int integer(String key) {
        String value = get(key).trim();
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Setting " + key + " must be a whole number, not '" + value + "'");
        }
    }

    boolean bool(String key) {
        return Boolean.parseBoolean(get(key).trim());
    }

    Duration millis(String key) {
        return Duration.ofMillis(integer(key));
    }

    Duration seconds(String key) {
        return Duration.ofSeconds(integer(key));
    }

    /** A time zone id, or null when the setting is empty. */
    ZoneId zone(String key) {
        String value = optional(key);
        if (value == null) {
            return null;
        }
        try {
            return ZoneId.of(value);
        } catch (DateTimeException e) {
            throw new IllegalStateException("Setting " + key + " must be a time zone id such as America/Chicago, not '" + value + "'");
        }
    }

    /** The environment variable that sets a key: the one its value in the file names ({{env:NAME:...}}), else the key's own form. */
    String envName(String key) {
        String raw = properties.loadProperties(k -> k.equals(key)).getProperty(key);
        Matcher m = ENV_PLACEHOLDER.matcher(raw == null ? "" : raw.trim());
        return m.matches() ? m.group(1) : PhotoBridge.environmentName(key);
    }

    /** All settings under a prefix, keyed by the rest of their name. */
    Map<String, String> withPrefix(String prefix) {
        read.add(prefix);
        Properties all = properties.loadProperties(k -> k.startsWith(prefix));
        Map<String, String> result = new TreeMap<>();
        for (String key : all.stringPropertyNames()) {
            result.put(key.substring(prefix.length()), properties.resolveProperty(key).orElse(all.getProperty(key)).trim());
        }
        return result;
    }

    /** True when the wiring read this setting (or a prefix holding it) at start-up. */
    boolean wasRead(String key) {
        return read.contains(key) || read.stream().anyMatch(p -> p.endsWith(".") && key.startsWith(p));
    }
}
