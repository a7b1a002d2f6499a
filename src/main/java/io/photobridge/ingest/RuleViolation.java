package io.photobridge.ingest;

/** An input broke one of PhotoBridge's rules; the message names the input and the rule. */
public class RuleViolation extends Exception {

    private final String input;
    private final String rule;

    public RuleViolation(String input, String rule) {
        super(input + ": " + rule);
        this.input = input;
        this.rule = rule;
    }

    public String input() {
        return input;
    }

    public String rule() {
        return rule;
    }
}
