package flowdemux.demux;

import flowdemux.source.CaptureReader;
import flowdemux.source.LinkType;
import flowdemux.source.PacketRecord;

/**
 * How records are written: classic pcap copied as it is (its file header, and each record's own header), pcap
 * written anew (merged pcap inputs whose headers differ), or pcapng (pcapng input, several link types, or asked).
 * Each writes into a {@link CaptureFile}'s buffer, where {@link CaptureFiles} has made room for
 * {@link #recordLength} bytes first.
 */
abstract class RecordEncoder
{
    static final int MAX_RECORD = 32 + 262_144 + 64;

    /** What the header of a new file takes at most. */
    abstract int headerLength();

    abstract void header(CaptureFile file);

    /** The most bytes {@link #record} may write for this record, with any block it needs first (pcapng's IDB). */
    abstract int recordLength(PacketRecord record);

    abstract void record(CaptureFile file, PacketRecord record);

    /** "pcap" or "pcapng", for messages. */
    abstract String name();

    static RecordEncoder of(final CaptureReader reader, final boolean pcapng)
    {
        final byte[] raw = reader.pcapHeader();
        if (!pcapng && raw != null)
        {
            return new CopiedPcap(raw);
        }
        // pcapng input stays pcapng: its 64-bit timestamps may not fit pcap's 32-bit seconds (past 2106).
        final int[] types = reader.linkTypes();
        if (!pcapng && types.length <= 1 && !reader.formatName().contains("pcapng"))
        {
            return new Pcap(types.length == 0 ? LinkType.ETHERNET : types[0]);
        }
        return new Pcapng();
    }

    static void putInt(final CaptureFile f, final int v)
    {
        final byte[] b = f.buffer;
        final int i = f.fill;
        b[i] = (byte)v;
        b[i + 1] = (byte)(v >>> 8);
        b[i + 2] = (byte)(v >>> 16);
        b[i + 3] = (byte)(v >>> 24);
        f.fill = i + 4;
    }

    static void putShort(final CaptureFile f, final int v)
    {
        f.buffer[f.fill] = (byte)v;
        f.buffer[f.fill + 1] = (byte)(v >>> 8);
        f.fill += 2;
    }

    static void putBytes(final CaptureFile f, final byte[] src, final int offset, final int length)
    {
        System.arraycopy(src, offset, f.buffer, f.fill, length);
        f.fill += length;
    }

    /** A classic pcap input's header and records, byte for byte. */
    static final class CopiedPcap extends RecordEncoder
    {
        private final byte[] header;

        CopiedPcap(final byte[] header)
        {
            this.header = header;
        }

        @Override
        int headerLength()
        {
            return header.length;
        }

        @Override
        void header(final CaptureFile file)
        {
            putBytes(file, header, 0, header.length);
        }

        @Override
        int recordLength(final PacketRecord record)
        {
            return 16 + record.capturedLength;
        }

        @Override
        void record(final CaptureFile file, final PacketRecord record)
        {
            putBytes(file, record.buffer, record.offset - 16, 16 + record.capturedLength);
        }

        @Override
        String name()
        {
            return "pcap";
        }
    }

    /** Classic pcap, little-endian, nanosecond timestamps (what merged pcap inputs of mixed precision need). */
    static final class Pcap extends RecordEncoder
    {
        private final int linkType;

        Pcap(final int linkType)
        {
            this.linkType = linkType;
        }

        @Override
        int headerLength()
        {
            return 24;
        }

        @Override
        void header(final CaptureFile file)
        {
            putInt(file, 0xA1B23C4D);
            putShort(file, 2);
            putShort(file, 4);
            putInt(file, 0);
            putInt(file, 0);
            putInt(file, 262_144);
            putInt(file, linkType);
        }

        @Override
        int recordLength(final PacketRecord record)
        {
            return 16 + record.capturedLength;
        }

        @Override
        void record(final CaptureFile file, final PacketRecord record)
        {
            putInt(file, (int)Math.floorDiv(record.timestampNanos, 1_000_000_000L));
            putInt(file, (int)Math.floorMod(record.timestampNanos, 1_000_000_000L));
            putInt(file, record.capturedLength);
            putInt(file, Math.max(record.capturedLength, record.originalLength));
            putBytes(file, record.buffer, record.offset, record.capturedLength);
        }

        @Override
        String name()
        {
            return "pcap";
        }
    }

    /**
     * pcapng: a section header, an interface description for each link type as a file first meets it (nanosecond
     * resolution), enhanced packet blocks.
     */
    static final class Pcapng extends RecordEncoder
    {
        private static final int IDB_LENGTH = 20 + 8 + 4;

        @Override
        int headerLength()
        {
            return 28;
        }

        @Override
        void header(final CaptureFile file)
        {
            putInt(file, 0x0A0D0D0A);
            putInt(file, 28);
            putInt(file, 0x1A2B3C4D);
            putShort(file, 1);
            putShort(file, 0);
            putInt(file, -1);
            putInt(file, -1);
            putInt(file, 28);
        }

        @Override
        int recordLength(final PacketRecord record)
        {
            return IDB_LENGTH + 32 + record.capturedLength + 3;
        }

        @Override
        void record(final CaptureFile file, final PacketRecord record)
        {
            final int iface = interfaceOf(file, record.linkType);
            final int padded = (record.capturedLength + 3) & ~3;
            final int total = 32 + padded;
            putInt(file, 6);
            putInt(file, total);
            putInt(file, iface);
            putInt(file, (int)(record.timestampNanos >>> 32));
            putInt(file, (int)record.timestampNanos);
            putInt(file, record.capturedLength);
            putInt(file, Math.max(record.capturedLength, record.originalLength));
            putBytes(file, record.buffer, record.offset, record.capturedLength);
            for (int i = record.capturedLength; i < padded; i++)
            {
                file.buffer[file.fill++] = 0;
            }
            putInt(file, total);
        }

        /** The file's interface for a link type, its description block written first if this is its first. */
        private static int interfaceOf(final CaptureFile file, final int linkType)
        {
            if (file.interfaces == null)
            {
                file.interfaces = new int[4];
            }
            for (int i = 0; i < file.interfaceCount; i++)
            {
                if (file.interfaces[i] == linkType)
                {
                    return i;
                }
            }
            if (file.interfaceCount == file.interfaces.length)
            {
                file.interfaces = java.util.Arrays.copyOf(file.interfaces, file.interfaceCount * 2);
            }
            file.interfaces[file.interfaceCount] = linkType;
            putInt(file, 1);
            putInt(file, IDB_LENGTH);
            putShort(file, linkType);
            putShort(file, 0);
            putInt(file, 0);
            putShort(file, 9); // if_tsresol: nanoseconds
            putShort(file, 1);
            putInt(file, 9);
            putInt(file, 0); // opt_endofopt
            putInt(file, IDB_LENGTH);
            return file.interfaceCount++;
        }

        @Override
        String name()
        {
            return "pcapng";
        }
    }
}
