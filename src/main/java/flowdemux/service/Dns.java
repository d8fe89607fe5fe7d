package flowdemux.service;

import flowdemux.util.Bytes;

/** A sanity check of a DNS message (also mDNS, LLMNR and NetBIOS name service, which share its format). */
final class Dns
{
    private static final int MAX_NAME = 255;

    private Dns()
    {
    }

    /**
     * A DNS header with plausible counts, opcode and rcode, then a well-formed first record (the question, or for a
     * response without one the first answer) with a known class, all within {@code b[o, o + n)}.
     */
    static boolean isMessage(final byte[] b, final int o, final int n)
    {
        if (n < 17)
        {
            return false;
        }
        final int opcode = (b[o + 2] >>> 3) & 0xF;
        final int rcode = b[o + 3] & 0xF;
        if (opcode == 3 || opcode > 8 || rcode > 10)
        {
            return false;
        }
        final int questions = Bytes.u16(b, o + 4);
        final int answers = Bytes.u16(b, o + 6);
        final int authority = Bytes.u16(b, o + 8);
        final int additional = Bytes.u16(b, o + 10);
        if (questions > 16 || answers > 256 || authority > 256 || additional > 256)
        {
            return false;
        }
        if (questions == 0 && (answers == 0 || (b[o + 2] & 0x80) == 0))
        {
            return false;
        }
        final int end = o + n;
        final int afterName = skipName(b, o, o + 12, end);
        if (afterName < 0 || afterName + 4 > end)
        {
            return false;
        }
        final int type = Bytes.u16(b, afterName);
        final int klass = Bytes.u16(b, afterName + 2) & 0x7FFF; // mDNS: the top bit asks for a unicast answer
        return type != 0 && (klass == 1 || klass == 3 || klass == 4 || klass == 254 || klass == 255);
    }

    /** The index after the name at {@code i}, or -1 when it is malformed or runs past {@code end}. */
    static int skipName(final byte[] b, final int message, final int i, final int end)
    {
        int j = i;
        int length = 0;
        while (j < end)
        {
            final int label = b[j] & 0xFF;
            if (label == 0)
            {
                return j + 1;
            }
            if ((label & 0xC0) == 0xC0)
            {
                if (j + 1 >= end)
                {
                    return -1;
                }
                final int target = message + (((label & 0x3F) << 8) | (b[j + 1] & 0xFF));
                return target >= message + 12 && target < j ? j + 2 : -1;
            }
            if ((label & 0xC0) != 0 || j + 1 + label > end)
            {
                return -1;
            }
            length += label + 1;
            if (length > MAX_NAME)
            {
                return -1;
            }
            for (int k = j + 1; k <= j + label; k++)
            {
                final int c = b[k] & 0xFF;
                if (c < 0x20 || c == 0x7F)
                {
                    return -1;
                }
            }
            j += 1 + label;
        }
        return -1;
    }

    /** Writes the first record's name, dotted, into field A of {@code note} (labels only, no pointer followed). */
    static void queryName(final byte[] b, final int o, final int n, final ServiceNotes notes, final int note)
    {
        final int end = o + n;
        int j = o + 12;
        boolean first = true;
        while (j < end)
        {
            final int label = b[j] & 0xFF;
            if (label == 0 || (label & 0xC0) != 0 || j + 1 + label > end)
            {
                break;
            }
            if (!first && !notes.append(note, true, DOT, 0, 1))
            {
                break;
            }
            if (!notes.append(note, true, b, j + 1, j + 1 + label))
            {
                break;
            }
            first = false;
            j += 1 + label;
        }
        if (first)
        {
            notes.append(note, true, DOT, 0, 1); // the root
        }
    }

    private static final byte[] DOT = {'.'};
}
