package flowdemux.demux;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The uids of a list a user hands to extract: a Zeek conn.log (its {@code uid} column, found by the
 * {@code #fields} line), a table with a header line naming a uid column (split's index.tsv, read's CSV), JSON lines (each record's top-level {@code uid}, as read's jsonl or Zeek's JSON logs
 * write it), or uids one per line or separated by spaces or commas (what {@code zeek-cut uid} or {@code jq -r .uid}
 * print). Lines starting with '#' other than the header are comments.
 */
public final class UidList
{
    /** A Zeek-style connection uid: 'C' and base-62 characters (Zeek writes 18 in all, some fewer). */
    private static final Pattern UID = Pattern.compile("C[0-9A-Za-z]{5,21}");
    /** Made when a JSON line is met: a --uid alone does not load the JSON parser. */
    private static final class Json
    {
        static final JsonFactory FACTORY = new JsonFactory();
    }

    private UidList()
    {
    }

    /** Whether {@code s} reads as a uid. */
    public static boolean isUid(final String s)
    {
        return UID.matcher(s).matches();
    }

    /**
     * Reads the uids, in first-seen order without repeats.
     *
     * @throws IllegalArgumentException naming the line that is neither a uid nor a record with one
     */
    public static Set<String> read(final BufferedReader in) throws IOException
    {
        final Set<String> uids = new LinkedHashSet<>();
        int uidColumn = -1;
        String separator = "\t";
        int lineNumber = 0;
        String line;
        while ((line = in.readLine()) != null)
        {
            lineNumber++;
            if (line.isBlank())
            {
                continue;
            }
            if (line.startsWith("#"))
            {
                if (line.startsWith("#separator "))
                {
                    separator = unescape(line.substring("#separator ".length()).strip());
                }
                else if (line.startsWith("#fields"))
                {
                    final String[] names = line.split(Pattern.quote(separator), -1);
                    uidColumn = -1;
                    for (int i = 1; i < names.length; i++)
                    {
                        if (names[i].equals("uid"))
                        {
                            uidColumn = i - 1;
                        }
                    }
                    if (uidColumn < 0)
                    {
                        throw new IllegalArgumentException("line " + lineNumber + ": a Zeek log without a uid field");
                    }
                }
                continue;
            }
            if (uidColumn >= 0)
            {
                final String[] fields = line.split(Pattern.quote(separator), -1);
                if (fields.length <= uidColumn || !isUid(fields[uidColumn]))
                {
                    throw new IllegalArgumentException("line " + lineNumber + ": no uid in the uid column");
                }
                uids.add(fields[uidColumn]);
            }
            else if (line.stripLeading().startsWith("{"))
            {
                uids.add(jsonUid(line, lineNumber));
            }
            else if (uids.isEmpty() && headerColumn(line, "\t") >= 0)
            {
                separator = "\t"; // split's index.tsv, tshark -T fields -E header=y
                uidColumn = headerColumn(line, separator);
            }
            else if (uids.isEmpty() && headerColumn(line, ",") >= 0)
            {
                separator = ","; // read's CSV
                uidColumn = headerColumn(line, separator);
            }
            else
            {
                for (final String token : line.strip().split("[\\s,]+"))
                {
                    if (!isUid(token))
                    {
                        throw new IllegalArgumentException("line " + lineNumber + ": '" + shorten(token)
                            + "' is not a uid (C and base-62 characters, as in a conn.log)");
                    }
                    uids.add(token);
                }
            }
        }
        return uids;
    }

    /** The column named uid of a header line, or -1. */
    private static int headerColumn(final String line, final String separator)
    {
        final String[] names = line.split(Pattern.quote(separator), -1);
        for (int i = 0; i < names.length; i++)
        {
            if (names[i].strip().equals("uid") || names[i].strip().equals("\"uid\""))
            {
                return names.length > 1 ? i : -1;
            }
        }
        return -1;
    }

    private static String jsonUid(final String line, final int lineNumber) throws IOException
    {
        try (JsonParser p = Json.FACTORY.createParser(line))
        {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME)
            {
                final String name = p.currentName();
                final JsonToken value = p.nextToken();
                if ("uid".equals(name) && value == JsonToken.VALUE_STRING && isUid(p.getText()))
                {
                    return p.getText();
                }
                p.skipChildren();
            }
        }
        catch (JsonProcessingException e)
        {
            throw new IllegalArgumentException("line " + lineNumber + ": not a JSON record: "
                + e.getOriginalMessage());
        }
        throw new IllegalArgumentException("line " + lineNumber + ": a JSON record without a uid");
    }

    /** Zeek writes its separator as "\x09". */
    private static String unescape(final String s)
    {
        if (s.matches("\\\\x[0-9a-fA-F]{2}"))
        {
            return String.valueOf((char)Integer.parseInt(s.substring(2), 16));
        }
        return s;
    }

    private static String shorten(final String s)
    {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
