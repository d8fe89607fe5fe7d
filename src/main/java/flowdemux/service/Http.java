package flowdemux.service;

/** The Host and User-Agent headers of an HTTP request, as far as its first segment holds them. */
final class Http
{
    private Http()
    {
    }

    static void headers(final byte[] b, final int o, final int n, final ServiceNotes notes, final int note)
    {
        final int end = o + n;
        int line = Signatures.lineEnd(b, o, end);
        while (line < end)
        {
            // Step over CR LF (or a bare LF) to the next header line.
            int start = line;
            if (b[start] == '\r')
            {
                start++;
            }
            if (start < end && b[start] == '\n')
            {
                start++;
            }
            if (start >= end || b[start] == '\r' || b[start] == '\n')
            {
                return; // the end of the headers
            }
            line = Signatures.lineEnd(b, start, end);
            if (Signatures.startsWithIgnoreCase(b, start, line, "Host:"))
            {
                notes.set(note, true, b, skipSpace(b, start + 5, line), line);
            }
            else if (Signatures.startsWithIgnoreCase(b, start, line, "User-Agent:"))
            {
                notes.set(note, false, b, skipSpace(b, start + 11, line), line);
            }
        }
    }

    private static int skipSpace(final byte[] b, final int i, final int end)
    {
        int j = i;
        while (j < end && (b[j] == ' ' || b[j] == '\t'))
        {
            j++;
        }
        return j;
    }
}
