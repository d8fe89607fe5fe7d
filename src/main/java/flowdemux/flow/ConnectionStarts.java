package flowdemux.flow;

/**
 * Is told of each new connection as its first packet is tracked, on the worker's thread: endpoint A and B as the
 * table keys them (the originator is decided later). Called once per connection, never per packet; an
 * implementation must not block or allocate (live process attribution hands it to its own thread).
 */
@FunctionalInterface
public interface ConnectionStarts
{
    void started(long serial, int protocol, long aHi, long aLo, int aPort, long bHi, long bLo, int bPort,
        long firstNanos);
}
