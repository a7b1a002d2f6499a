package io.photobridge.routes;

/** A route or config edit that cannot be applied; the message names the file and the rule it breaks. */
public final class RouteEditException extends Exception {

    public RouteEditException(String message) {
        super(message);
    }
}
