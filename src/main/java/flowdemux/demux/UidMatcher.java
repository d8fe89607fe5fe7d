package flowdemux.demux;

import flowdemux.flow.FlowRecord;
import org.agrona.collections.LongHashSet;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which connections of a read are the ones asked for by uid. A uid is a hash of the run's seed and the connection's
 * serial, so it cannot be turned back into a serial: each new connection's uid is written once into a reused line
 * and matched by a hash of its characters (no string unless it matches), after which its serial is remembered.
 */
final class UidMatcher
{
    private final long uidSeed;
    /** The uids asked for, and whether the input held each. */
    private final Map<String, Boolean> wanted = new LinkedHashMap<>();
    private final LongHashSet wantedHashes = new LongHashSet();
    private final LongHashSet chosen = new LongHashSet();
    private final flowdemux.util.AsciiLine uid = new flowdemux.util.AsciiLine(24);
    private final java.util.Set<String> communityIds = new java.util.HashSet<>();
    private final int communityIdSeed;

    UidMatcher(final Collection<String> uids, final long uidSeed)
    {
        this(uids, uidSeed, 0);
    }

    /**
     * {@code uids} may hold Community IDs too ("1:..."): a connection whose tuple hashes to one (with
     * {@code communityIdSeed}) is chosen, every such connection (a tuple reused is several connections).
     */
    UidMatcher(final Collection<String> uids, final long uidSeed, final int communityIdSeed)
    {
        this.uidSeed = uidSeed;
        this.communityIdSeed = communityIdSeed;
        for (final String u : uids)
        {
            wanted.put(u, Boolean.FALSE);
            if (u.startsWith("1:"))
            {
                communityIds.add(u);
                continue;
            }
            final byte[] b = u.getBytes(StandardCharsets.US_ASCII);
            wantedHashes.add(hash(b, b.length));
        }
    }

    /**
     * Whether the connection of {@code serial} is asked for; {@code isNew} when this is its first packet (the
     * serial is the index of that packet), else only a lookup.
     */
    boolean matches(final long serial, final boolean isNew)
    {
        return matches(serial, isNew, null);
    }

    /** {@link #matches(long, boolean)}, with the connection's view for the Community IDs asked for (or null). */
    boolean matches(final long serial, final boolean isNew, final flowdemux.flow.FlowSlot connection)
    {
        if (!isNew)
        {
            return chosen.contains(serial);
        }
        if (connection != null && !communityIds.isEmpty())
        {
            final String id = flowdemux.flow.CommunityId.of(connection, communityIdSeed);
            if (communityIds.contains(id))
            {
                wanted.put(id, Boolean.TRUE);
                chosen.add(serial);
                return true;
            }
        }
        uid.setLength(0);
        FlowRecord.appendUid(uid, uidSeed, serial);
        if (!wantedHashes.contains(hash(uid.array(), uid.length())))
        {
            return false;
        }
        final String u = uid.toString();
        if (!wanted.containsKey(u))
        {
            return false; // another uid with the same hash
        }
        wanted.put(u, Boolean.TRUE);
        chosen.add(serial);
        return true;
    }

    /** The uids asked for that the input did not hold, in the order asked. */
    List<String> missing()
    {
        return wanted.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
    }

    /** FNV-1a over the characters: uids are random, so any decent mix separates them. */
    static long hash(final byte[] b, final int length)
    {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < length; i++)
        {
            h = (h ^ (b[i] & 0xFF)) * 0x100000001b3L;
        }
        return h;
    }
}
