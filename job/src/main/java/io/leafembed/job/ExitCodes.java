package io.leafembed.job;

/**
 * The job's exit codes (also in {@code --help} and the README): 0 done, 1 the job failed
 * (including an output that cannot be written), 2 invalid configuration, files or model, 130
 * stopped by Ctrl-C (the JVM's code for SIGINT), 141 standard output or error was a pipe whose
 * reader went away (the shell's code for SIGPIPE, as {@code yes | head -1} gives).
 */
public final class ExitCodes {

    public static final int DONE = 0;
    public static final int JOB_FAILED = 1;
    public static final int INVALID_CONFIGURATION = 2;
    public static final int INTERRUPTED = 130;
    public static final int CLOSED_PIPE = 141;

    private ExitCodes() {}
}
