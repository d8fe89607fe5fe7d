package flowdemux.util;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AddressIndexTest
{
    private record Key(long hi, long lo, int tag)
    {
    }

    /** Random puts, gets and removes over a small key space (many collisions and probe runs) agree with a HashMap. */
    @Test
    void behavesLikeAMap()
    {
        final Random random = new Random(7);
        final AddressIndex index = new AddressIndex();
        final Map<Key, Integer> reference = new HashMap<>();
        final List<Key> keys = new ArrayList<>();
        for (int i = 0; i < 300; i++)
        {
            // Keys that differ in one part only: the hash must mix all three.
            keys.add(new Key(random.nextInt(3), random.nextInt(40), random.nextInt(3) << 8 | 6));
        }
        for (int op = 0; op < 200_000; op++)
        {
            final Key k = keys.get(random.nextInt(keys.size()));
            switch (random.nextInt(3))
            {
                case 0 ->
                {
                    final int v = random.nextInt(1000);
                    index.put(k.hi(), k.lo(), k.tag(), v);
                    reference.put(k, v);
                }
                case 1 ->
                {
                    final Integer old = reference.remove(k);
                    assertEquals(old == null ? AddressIndex.MISSING : old, index.remove(k.hi(), k.lo(), k.tag()),
                        "remove " + k);
                }
                default -> assertEquals(reference.getOrDefault(k, AddressIndex.MISSING),
                    index.get(k.hi(), k.lo(), k.tag()), "get " + k);
            }
        }
        assertEquals(reference.size(), index.size());
        final Map<Key, Integer> visited = new HashMap<>();
        index.forEach((hi, lo, tag, value) -> visited.put(new Key(hi, lo, tag), value));
        assertEquals(reference, visited);
    }
}
