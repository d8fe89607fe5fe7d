package flowdemux.cli;

import flowdemux.source.CaptureFormatException;
import flowdemux.source.CaptureReader;
import flowdemux.source.CaptureReaders;
import flowdemux.source.MergedReader;
import flowdemux.util.IoErrors;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Opening the inputs of a command that reads captures (read, split, extract, follow), and their faults' lines. */
final class Inputs
{
    private Inputs()
    {
    }

    /**
     * Opens every input, merged by time; on the first that cannot be, prints why, closes the others and returns
     * null (nothing is written then).
     */
    static MergedReader open(final List<String> inputs, final String readerKind, final PrintWriter err)
    {
        final List<CaptureReader> readers = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        for (final String input : inputs)
        {
            final String problem = open(input, readerKind, readers);
            if (problem != null)
            {
                closeAll(readers);
                err.println("flowdemux: " + problem);
                return null;
            }
            names.add("-".equals(input) ? "(standard input)" : input);
        }
        return new MergedReader(names, readers);
    }

    /** Opens one input into {@code readers}; returns the line that says why it cannot be, or null. */
    private static String open(final String input, final String readerKind, final List<CaptureReader> readers)
    {
        final String name = "-".equals(input) ? "(standard input)" : input;
        try
        {
            readers.add("pcap4j".equals(readerKind) ? openWithLibpcap(input) : CaptureReaders.open(input));
            return null;
        }
        catch (IOException e)
        {
            return name + ": cannot read: " + IoErrors.reason(e);
        }
        catch (CaptureFormatException e)
        {
            return name + ": byte offset " + e.byteOffset() + ": " + e.getMessage();
        }
    }

    /** The lines of the inputs that ended in a fault. */
    static List<String> faults(final MergedReader reader)
    {
        final List<String> errors = new ArrayList<>();
        for (final MergedReader.Input in : reader.inputs())
        {
            final String error = faultLine(in);
            if (error != null)
            {
                errors.add(error);
            }
        }
        return errors;
    }

    /** "NAME: byte offset N: message" for an input that ended in a fault, else null. */
    static String faultLine(final MergedReader.Input in)
    {
        if (in.fault != null)
        {
            return in.name + ": byte offset " + in.fault.byteOffset() + ": " + in.fault.getMessage();
        }
        if (in.ioFault != null)
        {
            return in.name + ": read error at byte offset " + in.position() + ": " + IoErrors.reason(in.ioFault);
        }
        return null;
    }

    static void closeAll(final List<CaptureReader> readers)
    {
        for (final CaptureReader r : readers)
        {
            try
            {
                r.close();
            }
            catch (IOException e)
            {
                // closing what was only opened: nothing to lose
            }
        }
    }

    static int firstLinkType(final MergedReader reader)
    {
        final int[] types = reader.linkTypes();
        return types.length == 0 ? flowdemux.source.LinkType.ETHERNET : types[0];
    }

    /** libpcap's reader; its refusal becomes a format error at offset 0 (libpcap does not say where). */
    private static CaptureReader openWithLibpcap(final String path) throws IOException, CaptureFormatException
    {
        if (!Files.exists(Path.of(path)))
        {
            throw new java.nio.file.NoSuchFileException(path);
        }
        try
        {
            return flowdemux.source.LiveCapture.openOffline(path);
        }
        catch (org.pcap4j.core.PcapNativeException e)
        {
            throw new CaptureFormatException(0, "libpcap: " + e.getMessage());
        }
        catch (UnsatisfiedLinkError | NoClassDefFoundError e)
        {
            throw new IOException(LiveErrors.describe(e), e);
        }
    }
}
