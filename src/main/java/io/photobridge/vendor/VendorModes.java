package io.photobridge.vendor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.camel.spi.PropertiesComponent;

/**
 * Which vendors are real, simulated or off: {@code photobridge.mode=demo} simulates all three; in {@code production} (the
 * default) a vendor is simulated only when {@code photobridge.<vendor>.simulated=true} says so.
 */
public final class VendorModes {

    /** The setting that selects demo or production. */
    public static final String MODE = "photobridge.mode";
    public static final String RECOVERYCONNECT = "recoveryconnect";
    public static final String INSPEKTLABS = "inspektlabs";
    public static final String PAVE = "pave";
    private static final List<String> VENDORS = List.of(RECOVERYCONNECT, INSPEKTLABS, PAVE);

    /** How PhotoBridge reaches one vendor. */
    public enum State {
        REAL, SIMULATED, OFF;

        /** The word used in logs, health details and the metric label. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final boolean demo;
    private final Map<String, State> states;

    private VendorModes(boolean demo, Map<String, State> states) {
        this.demo = demo;
        this.states = states;
    }

    /** The registry name under which a simulated vendor's sandbox URL is bound (the one base URL its client may use). */
    public static String sandboxUrlBean(String vendor) {
        return "sandboxBaseUrl." + vendor;
    }

    /** Reads photobridge.mode, photobridge.&lt;vendor&gt;.enabled and photobridge.&lt;vendor&gt;.simulated; an unknown mode fails. */
    public static VendorModes of(PropertiesComponent properties) {
        String mode = properties.resolveProperty(MODE).orElse("production").trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("demo") && !mode.equals("production")) {
            throw new IllegalStateException(MODE + " must be production or demo, not '" + mode + "' (env PHOTOBRIDGE_MODE, or"
                    + " the first argument: java -jar photobridge.jar demo)");
        }
        boolean demo = mode.equals("demo");
        Map<String, State> states = new LinkedHashMap<>();
        for (String vendor : VENDORS) {
            // RecoveryConnect is the destination of every photo: it has no on/off switch
            boolean enabled = vendor.equals(RECOVERYCONNECT) || flag(properties, "photobridge." + vendor + ".enabled", true);
            boolean simulated = demo || flag(properties, "photobridge." + vendor + ".simulated", false);
            states.put(vendor, !enabled ? State.OFF : simulated ? State.SIMULATED : State.REAL);
        }
        return new VendorModes(demo, Map.copyOf(states));
    }

    private static boolean flag(PropertiesComponent properties, String key, boolean otherwise) {
        return properties.resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty()).map(Boolean::parseBoolean).orElse(otherwise);
    }

    public boolean demo() {
        return demo;
    }

    /** "demo" or "production". */
    public String mode() {
        return demo ? "demo" : "production";
    }

    public State state(String vendor) {
        return states.get(vendor);
    }

    public boolean simulated(String vendor) {
        return state(vendor) == State.SIMULATED;
    }

    public boolean anySimulated() {
        return states.containsValue(State.SIMULATED);
    }

    /** The vendors in a fixed order: recoveryconnect, inspektlabs, pave. */
    public static List<String> vendors() {
        return VENDORS;
    }

    /** E.g. "recoveryconnect=simulated, inspektlabs=real, pave=off". */
    public String describe() {
        return VENDORS.stream().map(v -> v + "=" + state(v).label()).collect(Collectors.joining(", "));
    }

    /** The simulated vendors, comma separated, or "none". */
    public String simulatedNames() {
        String names = VENDORS.stream().filter(this::simulated).collect(Collectors.joining(", "));
        return names.isEmpty() ? "none" : names;
    }
}
