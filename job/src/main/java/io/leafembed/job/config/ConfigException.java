package io.leafembed.job.config;

/**
 * The job's configuration is invalid: the message names the key, the rule and the value given,
 * and the fix. Thrown at startup, before anything runs.
 */
public class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
