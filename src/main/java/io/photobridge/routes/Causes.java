package io.photobridge.routes;

/** One line from an exception and its causes. */
public final class Causes {

    private Causes() {
    }

    /** The messages of an exception and its causes, outermost first, without repeats, on one line. */
    public static String of(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().replaceAll("\\s+", " ").trim();
            if (!text.toString().contains(message)) {
                text.append(text.length() == 0 ? "" : " <- ").append(message);
            }
        }
        return text.toString();
    }
}
