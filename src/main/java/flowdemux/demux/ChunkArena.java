package flowdemux.demux;

/**
 * The memory every capture's unwritten records share: one array cut into 1 KiB chunks, each file's records a chain
 * of chunks linked through {@link #next}, the free ones another chain. Allocated once, so that ten thousand
 * connections in flight cost the garbage collector nothing and memory stays within the arena whatever their count.
 */
final class ChunkArena
{
    static final int CHUNK = 1 << 10;

    final byte[] bytes;
    /** The chunk after each in its chain, or -1. */
    final int[] next;
    private int free;
    private int freeCount;

    ChunkArena(final long capacity)
    {
        final int chunks = (int)Math.max(16, Math.min(Integer.MAX_VALUE / CHUNK, capacity / CHUNK));
        bytes = new byte[chunks * CHUNK];
        next = new int[chunks];
        for (int i = 0; i < chunks; i++)
        {
            next[i] = i + 1 < chunks ? i + 1 : -1;
        }
        free = 0;
        freeCount = chunks;
    }

    /** A free chunk, or -1 when none is left. */
    int take()
    {
        final int c = free;
        if (c >= 0)
        {
            free = next[c];
            next[c] = -1;
            freeCount--;
        }
        return c;
    }

    /** Frees the chain from {@code first} to {@code last}. */
    void give(final int first, final int last, final int count)
    {
        next[last] = free;
        free = first;
        freeCount += count;
    }

    int freeChunks()
    {
        return freeCount;
    }

    int chunks()
    {
        return next.length;
    }
}
