package io.photobridge.routes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The route files of one moment, read whole: each file's text, and each route and route configuration by id with its
 * definition as written, so that two sets can be compared route by route.
 */
public final class RouteSet {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(.+?)}}");

    /**
     * One route or route configuration: its id, the file that holds it, its definition as written and, for a route, the
     * configuration it names and the endpoint it consumes.
     */
    public record Entry(String id, Path file, String definition, String configurationId, String from) {
    }

    /** A placeholder written in a route file, with its line. */
    public record Placeholder(Path file, int line, String text) {
    }

    private final Map<Path, String> texts;
    private final Map<String, Entry> routes;
    private final Map<String, Entry> configurations;
    private final Map<String, Entry> rests;

    private RouteSet(Map<Path, String> texts, Map<String, Entry> routes, Map<String, Entry> configurations, Map<String, Entry> rests) {
        this.texts = texts;
        this.routes = routes;
        this.configurations = configurations;
        this.rests = rests;
    }

    /** Reads the files; a file that is not YAML, a route without an id or an id used twice is a {@link RouteEditException}. */
    public static RouteSet read(List<Path> files) throws RouteEditException {
        Map<Path, String> texts = new LinkedHashMap<>();
        Map<String, Entry> routes = new LinkedHashMap<>();
        Map<String, Entry> configurations = new LinkedHashMap<>();
        Map<String, Entry> rests = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            try {
                readFile(file, texts, routes, configurations, rests);
            } catch (RouteEditException e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) {
            throw new RouteEditException(problems);
        }
        return new RouteSet(Collections.unmodifiableMap(texts), Collections.unmodifiableMap(routes),
                Collections.unmodifiableMap(configurations), Collections.unmodifiableMap(rests));
    }

    private static void readFile(Path file, Map<Path, String> texts, Map<String, Entry> routes, Map<String, Entry> configurations,
            Map<String, Entry> rests) throws RouteEditException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new RouteEditException(file + ": cannot be read: " + e.getMessage());
        }
        texts.put(file, text);
        if (text.isBlank()) {
            // an editor saving a file truncates it first: never read that as "remove every route of this file"
            throw new RouteEditException(file + ": the file is empty; to remove its routes, delete the file");
        }
        Object document;
        try {
            document = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(text);
        } catch (RuntimeException e) {
            throw new RouteEditException(file + ": not valid YAML: " + e.getMessage().replaceAll("\\s+", " "));
        }
        if (document == null) {
            return;
        }
        if (!(document instanceof List<?> items)) {
            throw new RouteEditException(file + ": a route file is a YAML list of '- route:' and '- routeConfiguration:' items");
        }
        for (Object item : items) {
            if (item instanceof Map<?, ?> map) {
                collect(file, map, "route", routes);
                collect(file, map, "routeConfiguration", configurations);
                collect(file, map, "route-configuration", configurations);
                if (map.get("rest") instanceof Map<?, ?> rest) {
                    String id = rest.get("id") instanceof String restId ? restId : file + "#rest" + rests.size();
                    rests.put(id, new Entry(id, file, rest.toString(), null, null));
                }
            }
        }
    }

    private static void collect(Path file, Map<?, ?> item, String kind, Map<String, Entry> into) throws RouteEditException {
        if (!item.containsKey(kind)) {
            return;
        }
        if (!(item.get(kind) instanceof Map<?, ?> body) || !(body.get("id") instanceof String id) || id.isBlank()) {
            throw new RouteEditException(file + ": every " + kind + " needs an explicit id (route edits are applied route by"
                    + " route, by id)");
        }
        Entry earlier = into.get(id);
        if (earlier != null) {
            throw new RouteEditException(file + ": " + kind + " id '" + id + "' is used twice"
                    + (earlier.file().equals(file) ? " in this file" : " (also in " + earlier.file() + ")"));
        }
        Object configurationId = body.get("routeConfigurationId");
        Object from = body.get("from") instanceof Map<?, ?> input ? input.get("uri") : null;
        into.put(id, new Entry(id, file, body.toString(), configurationId == null ? null : configurationId.toString(),
                from == null ? null : RouteEditCheck.internalName(from.toString())));
    }

    /** The direct:/seda: (and other) endpoints the routes of these files consume; files that do not read count for none. */
    public static Set<String> consumers(List<Path> files) {
        Set<String> consumed = new HashSet<>();
        try {
            read(files).routes().values().forEach(route -> {
                if (route.from() != null) {
                    consumed.add(route.from());
                }
            });
        } catch (RouteEditException e) {
            // a switched-off feature's file is not loaded; the feature's own switch guards what names it
        }
        return consumed;
    }

    /** The files read, in order. */
    public List<Path> files() {
        return List.copyOf(texts.keySet());
    }

    public String text(Path file) {
        return texts.get(file);
    }

    public Map<String, Entry> routes() {
        return routes;
    }

    public Map<String, Entry> configurations() {
        return configurations;
    }

    /** The rest: definitions (Camel builds their HTTP operations at start-up only). */
    public Map<String, Entry> rests() {
        return rests;
    }

    /** The line of a file where an id is written (1-based), or 0 when it is not found. */
    public int lineOf(Path file, String id) {
        String[] lines = texts.getOrDefault(file, "").split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].matches("\\s*(-\\s+)?id:\\s*[\"']?" + java.util.regex.Pattern.quote(id) + "[\"']?\\s*")) {
                return i + 1;
            }
        }
        return 0;
    }

    /** Every {{placeholder}} written in the files, outside comment lines. */
    public List<Placeholder> placeholders() {
        List<Placeholder> found = new ArrayList<>();
        texts.forEach((file, text) -> {
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].stripLeading().startsWith("#")) {
                    continue;
                }
                Matcher m = PLACEHOLDER.matcher(lines[i]);
                while (m.find()) {
                    found.add(new Placeholder(file, i + 1, m.group()));
                }
            }
        });
        return found;
    }
}
