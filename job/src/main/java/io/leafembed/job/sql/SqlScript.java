package io.leafembed.job.sql;

import io.leafembed.job.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flink SQL script cut into statements, each with the line it starts on. Semicolons end
 * statements except inside 'strings' (with '' escapes), "quoted" and `quoted` identifiers, --
 * line comments and block comments, which are dropped (their line breaks are kept, so a
 * statement's lines match the file's). A statement set, written as the SQL client does ({@code
 * BEGIN STATEMENT SET; INSERT ...; INSERT ...; END;}) or as {@code EXECUTE STATEMENT SET BEGIN
 * INSERT ...; INSERT ...; END;}, becomes its INSERT statements.
 */
public final class SqlScript {

    /** What the runner does with a statement. */
    public enum Kind { SET, RESET, INSERT, QUERY, OTHER }

    /** One statement: its text (without the final semicolon and comments), kind and first line. */
    public record Statement(String sql, Kind kind, int line) {

        /** The statement's start, for messages: its first line, cut at 80 characters. */
        public String head() {
            String first = sql.strip().lines().findFirst().orElse("");
            return first.length() > 80 ? first.substring(0, 77) + "..." : first;
        }
    }

    private static final Pattern EXECUTE_SET = Pattern.compile("(?is)^EXECUTE\\s+STATEMENT\\s+SET\\s+BEGIN\\b\\s*(.*)$");
    private static final Pattern BEGIN_SET = Pattern.compile("(?is)^BEGIN\\s+STATEMENT\\s+SET$");
    private static final Pattern END = Pattern.compile("(?is)^END$");
    private static final Pattern EXECUTE_INSERT = Pattern.compile("(?is)^EXECUTE\\s+(INSERT\\b.*)$");

    private SqlScript() {}

    /**
     * Splits {@code text} into statements.
     *
     * @param source the script's name, for messages
     * @throws ConfigException for an unterminated string, identifier, comment or statement set
     */
    public static List<Statement> parse(String text, String source) {
        List<Statement> raw = split(text, source);
        List<Statement> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            Statement s = raw.get(i);
            String sql = s.sql();
            Matcher execute = EXECUTE_SET.matcher(sql);
            boolean begin = BEGIN_SET.matcher(sql).matches();
            if (!execute.matches() && !begin) {
                Matcher insert = EXECUTE_INSERT.matcher(sql);
                String body = insert.matches() ? insert.group(1) : sql;
                out.add(new Statement(body, kindOf(body), s.line()));
                continue;
            }
            int setLine = s.line();
            List<Statement> inner = new ArrayList<>();
            if (execute.matches() && !execute.group(1).isBlank()) {
                String first = execute.group(1);
                inner.add(new Statement(first, kindOf(first), s.line() + countLines(sql, execute.start(1))));
            }
            boolean ended = false;
            while (++i < raw.size()) {
                if (END.matcher(raw.get(i).sql()).matches()) {
                    ended = true;
                    break;
                }
                inner.add(raw.get(i));
            }
            if (!ended) {
                throw new ConfigException(source + " line " + setLine + ": the statement set has no END;");
            }
            for (Statement member : inner) {
                Matcher insert = EXECUTE_INSERT.matcher(member.sql());
                String body = insert.matches() ? insert.group(1) : member.sql();
                if (kindOf(body) != Kind.INSERT) {
                    throw new ConfigException(source + " line " + member.line() + ": a statement set holds INSERT"
                            + " statements only, not: " + member.head());
                }
                out.add(new Statement(body, Kind.INSERT, member.line()));
            }
        }
        return out;
    }

    private static int countLines(String s, int end) {
        int n = 0;
        for (int i = 0; i < end; i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    static Kind kindOf(String sql) {
        String word = sql.strip().split("[\\s(]+", 2)[0].toUpperCase(Locale.ROOT);
        switch (word) {
            case "SET":
                return Kind.SET;
            case "RESET":
                return Kind.RESET;
            case "INSERT":
                return Kind.INSERT;
            case "SELECT":
            case "WITH":
            case "VALUES":
                return Kind.QUERY;
            default:
                return Kind.OTHER;
        }
    }

    private enum State { CODE, STRING, DOUBLE_QUOTED, BACKQUOTED, LINE_COMMENT, BLOCK_COMMENT }

    /** Cuts at semicolons outside strings, quoted identifiers and comments; drops the comments. */
    static List<Statement> split(String text, String source) {
        List<Statement> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        State state = State.CODE;
        int line = 1;
        int start = -1;
        int openedAt = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            char next = i + 1 < text.length() ? text.charAt(i + 1) : '\0';
            switch (state) {
                case CODE:
                    if (c == ';') {
                        if (start > 0) {
                            out.add(new Statement(current.toString().strip(), null, start));
                        }
                        current.setLength(0);
                        start = -1;
                        break;
                    }
                    if (c == '-' && next == '-') {
                        state = State.LINE_COMMENT;
                        i++;
                        break;
                    }
                    if (c == '/' && next == '*') {
                        state = State.BLOCK_COMMENT;
                        openedAt = line;
                        current.append(' ');
                        i++;
                        break;
                    }
                    if (c == '\'' || c == '"' || c == '`') {
                        state = c == '\'' ? State.STRING : c == '"' ? State.DOUBLE_QUOTED : State.BACKQUOTED;
                        openedAt = line;
                    }
                    if (start < 0 && !Character.isWhitespace(c)) {
                        start = line;
                    }
                    if (start > 0) {
                        current.append(c);
                    }
                    break;
                case STRING:
                case DOUBLE_QUOTED:
                case BACKQUOTED:
                    current.append(c);
                    char quote = state == State.STRING ? '\'' : state == State.DOUBLE_QUOTED ? '"' : '`';
                    if (c == quote) {
                        if (next == quote) {
                            current.append(next); // a doubled quote is the quote character itself
                            i++;
                        } else {
                            state = State.CODE;
                        }
                    }
                    break;
                case LINE_COMMENT:
                    if (c == '\n') {
                        state = State.CODE;
                        if (start > 0) {
                            current.append('\n');
                        }
                    }
                    break;
                case BLOCK_COMMENT:
                    if (c == '*' && next == '/') {
                        state = State.CODE;
                        i++;
                    } else if (c == '\n' && start > 0) {
                        current.append('\n');
                    }
                    break;
                default:
                    throw new IllegalStateException(state.name());
            }
            if (c == '\n') {
                line++;
            }
        }
        switch (state) {
            case STRING:
                throw new ConfigException(source + " line " + openedAt + ": a string ('...') is never closed");
            case DOUBLE_QUOTED:
            case BACKQUOTED:
                throw new ConfigException(source + " line " + openedAt + ": a quoted identifier is never closed");
            case BLOCK_COMMENT:
                throw new ConfigException(source + " line " + openedAt + ": a /* comment is never closed");
            default:
                break;
        }
        if (start > 0 && !current.toString().isBlank()) {
            out.add(new Statement(current.toString().strip(), null, start));
        }
        return out;
    }
}
