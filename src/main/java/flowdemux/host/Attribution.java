package flowdemux.host;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Which program owns each local endpoint of the connections a live capture sees. The workers hand each new
 * connection over with {@link #request} (no allocation: a slot of a many-to-one ring, and only for connections with
 * a local endpoint); one lookup thread reads the socket table once per round (at most every 20 ms) for every
 * connection then due, joins
 * each endpoint's socket inode with the processes holding it, and tries again at 20, 60, 150, 400 and 1000 ms for
 * what it could not settle yet (a server's accepted socket exists only after the handshake; a listener stands in for
 * it if it never shows). Settled connections are kept by serial for the reports.
 */
public final class Attribution implements AutoCloseable
{
    private static final long MILLI = 1_000_000L;
    /** When each attempt is due, from the connection's arrival at the lookup thread. */
    private static final long[] ATTEMPT_AT = {0, 20 * MILLI, 60 * MILLI, 150 * MILLI, 400 * MILLI, 1000 * MILLI};
    private static final long LOCAL_REFRESH = 2000 * MILLI;
    /**
     * Rounds at most this often: a read of the table costs the same for one connection as for a hundred (on a busy
     * host it is thousands of sockets, TIME_WAIT ones included), so the connections due within it share one.
     */
    private static final long ROUND_GAP = 20 * MILLI;

    /** New connections from the workers: 16,384 waiting at most (1.2 MB). */
    private final RequestRing requests = new RequestRing(1 << 14);
    /** This namespace's addresses (hi, lo pairs), read by the workers: replaced whole, never changed. */
    private volatile long[] local = new long[0];
    private volatile long[] namespaceNets = new long[0];
    private final Map<Long, LocalConnection> settled = new ConcurrentHashMap<>();
    /** Settled connections for a writer that keeps them with the packets (capture --write F.pcapng), or null. */
    private final Queue<LocalConnection> toWrite;
    private final List<LocalConnection> waiting = new ArrayList<>();
    private final AtomicLong skipped = new AtomicLong();
    private final Path netns;
    private final Thread thread;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean finishing;
    private volatile String failure;
    private volatile String source = "-";
    private volatile List<Listener> listenersAtStart = List.of();
    private volatile List<Listener> listenersAtEnd = List.of();
    private volatile int deniedPids;
    private final AtomicLong noAccess = new AtomicLong();
    private Sockets sockets;
    private Programs programs;
    private long localReadAt;
    private long nextRoundAt;
    /** Catch-up requests ({@link #catchUp}) asked and served; the asker's thread only writes the first. */
    private volatile long catchUpAsked;
    private volatile long catchUpDone;

    /**
     * @param netns a network namespace file (/run/netns/NAME) whose sockets to read instead of this one's, or null
     * @param keepForWriter whether settled connections are also queued for {@link #pollSettled}
     */
    public Attribution(final Path netns, final boolean keepForWriter)
    {
        this.netns = netns;
        this.toWrite = keepForWriter ? new ConcurrentLinkedQueue<>() : null;
        this.thread = new Thread(this::run, "flowdemux-attribution");
        this.thread.setDaemon(true);
    }

    /** Starts the lookup thread and waits until it knows this namespace's addresses; null, or why it cannot run. */
    public String start()
    {
        thread.start();
        try
        {
            ready.await(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        return failure;
    }

    /**
     * A new connection, from a worker: looked up if an endpoint is an address of this host (or of a namespace
     * beside it). Never blocks: when the ring is full the connection is counted as {@link #skipped} instead.
     */
    public void request(final long serial, final int protocol, final long aHi, final long aLo, final int aPort,
        final long bHi, final long bLo, final int bPort, final long firstNanos)
    {
        if (protocol != Sockets.TCP && protocol != Sockets.UDP || !interesting(aHi, aLo) && !interesting(bHi, bLo))
        {
            return;
        }
        if (!requests.offer(serial, firstNanos, aHi, aLo, bHi, bLo, aPort, bPort, protocol))
        {
            skipped.incrementAndGet();
        }
    }

    private boolean interesting(final long hi, final long lo)
    {
        return isLocal(hi, lo) || LocalAddresses.inNets(namespaceNets, hi, lo);
    }

    /** The owner of endpoint {@code hi/lo:port} of connection {@code serial}, or null (not local, not settled). */
    public Owner owner(final long serial, final long hi, final long lo, final int port)
    {
        final LocalConnection c = settled.get(serial);
        return c == null ? null : c.ownerOf(hi, lo, port);
    }

    /**
     * The connection has ended and its record was written: its owners are no longer kept (a long capture on a busy
     * host would otherwise keep every local connection it saw).
     */
    public void forget(final long serial)
    {
        settled.remove(serial);
    }

    /** A connection settled elsewhere (read back from a capture file). */
    public void put(final LocalConnection c)
    {
        settled.put(c.serial, c);
    }

    public LocalConnection pollSettled()
    {
        return toWrite == null ? null : toWrite.poll();
    }

    /** Ends the lookups: what is still waiting gets one last attempt now; then the listeners are read again. */
    public void finish()
    {
        finishing = true;
        LockSupport.unpark(thread);
        try
        {
            finished.await(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close()
    {
        finishing = true;
        LockSupport.unpark(thread);
    }

    /**
     * Waits (at most {@code timeoutNanos}) until the lookup thread has taken every connection handed over so far and
     * tried each once: a rolling report names what can be named of the interval's connections, short ones included.
     */
    public void catchUp(final long timeoutNanos)
    {
        if (!thread.isAlive())
        {
            return;
        }
        final long ticket = ++catchUpAsked;
        LockSupport.unpark(thread);
        final long deadline = System.nanoTime() + timeoutNanos;
        while (catchUpDone < ticket && System.nanoTime() < deadline && thread.isAlive())
        {
            LockSupport.parkNanos(MILLI / 2);
        }
    }

    /** Enters network namespace {@code netns} on the calling thread only (setns). */
    public static void enterNamespace(final Path netns) throws IOException
    {
        Namespaces.enter(netns);
    }

    /** Connections not looked up because the ring was full. */
    public long skipped()
    {
        return skipped.get();
    }

    /** Endpoints whose socket belongs to a process this user may not read. */
    public long noAccess()
    {
        return noAccess.get();
    }

    public int deniedPids()
    {
        return deniedPids;
    }

    /** "sock_diag" or "/proc/net". */
    public String source()
    {
        return source;
    }

    /** The listening sockets when the capture began and when it ended. */
    public List<Listener> listenersAtStart()
    {
        return listenersAtStart;
    }

    public List<Listener> listenersAtEnd()
    {
        return listenersAtEnd;
    }

    /** Every socket that listened at the start or at the end, once (the end's programs where both have it). */
    public List<Listener> listeners()
    {
        final Map<String, Listener> all = new java.util.LinkedHashMap<>();
        for (final List<Listener> list : List.of(listenersAtEnd, listenersAtStart))
        {
            for (final Listener l : list)
            {
                all.putIfAbsent(l.protocol() + " " + l.hi() + " " + l.lo() + " " + l.port(), l);
            }
        }
        final List<Listener> out = new ArrayList<>(all.values());
        out.sort(java.util.Comparator.comparingInt(Listener::protocol).thenComparingInt(Listener::port)
            .thenComparingLong(Listener::hi).thenComparingLong(Listener::lo));
        return out;
    }

    /** This namespace's addresses as hi, lo pairs (a copy). */
    public long[] localAddresses()
    {
        return local.clone();
    }

    /** Whether {@code hi/lo} is an address of this host (of the namespace looked up). */
    public boolean isLocalAddress(final long hi, final long lo)
    {
        return isLocal(hi, lo);
    }

    /** What a capture file kept (read back): the host's addresses and its listening sockets then. */
    public void adopt(final long[] addresses, final List<Listener> atStart, final List<Listener> atEnd)
    {
        if (addresses != null)
        {
            local = addresses.clone();
        }
        if (atStart != null)
        {
            listenersAtStart = List.copyOf(atStart);
        }
        if (atEnd != null)
        {
            listenersAtEnd = List.copyOf(atEnd);
        }
    }

    private void run()
    {
        try
        {
            if (netns != null)
            {
                Namespaces.enter(netns);
            }
            sockets = Sockets.open(Path.of("/proc/thread-self/net"));
            programs = Programs.system();
            source = sockets.source();
            refreshLocal(System.nanoTime());
            try
            {
                listenersAtStart = Listeners.read(sockets, programs);
            }
            catch (IOException e)
            {
                // listed as none
            }
        }
        catch (IOException | RuntimeException | LinkageError e)
        {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
            ready.countDown();
            finished.countDown();
            return;
        }
        ready.countDown();
        try
        {
            while (true)
            {
                final boolean last = finishing;
                final long asked = catchUpAsked;
                final long now = System.nanoTime();
                drain(now);
                if (now - localReadAt > LOCAL_REFRESH)
                {
                    refreshLocal(now);
                }
                if (asked != catchUpDone)
                {
                    nextRoundAt = now; // a report is waiting: this round now, not at the next gap
                }
                round(now, last);
                catchUpDone = asked;
                if (last)
                {
                    break;
                }
                long wait = 5 * MILLI;
                for (final LocalConnection c : waiting)
                {
                    wait = Math.min(wait, Math.max(MILLI, Math.max(c.dueNanos, nextRoundAt) - now));
                }
                LockSupport.parkNanos(wait);
            }
            try
            {
                listenersAtEnd = Listeners.read(sockets, programs);
            }
            catch (IOException e)
            {
                // listed as none
            }
        }
        catch (RuntimeException e)
        {
            failure = e.toString();
        }
        finally
        {
            finished.countDown();
        }
    }

    private void refreshLocal(final long now)
    {
        localReadAt = now;
        local = LocalAddresses.read(Path.of("/proc/thread-self/net"));
        namespaceNets = netns == null ? LocalAddresses.namespaceNets(Path.of("/sys/class/net")) : new long[0];
    }

    private void drain(final long now)
    {
        requests.drain((f, at) ->
        {
            final LocalConnection c = new LocalConnection(f[at], (int)f[at + 8], f[at + 2], f[at + 3], (int)f[at + 6],
                f[at + 4], f[at + 5], (int)f[at + 7], f[at + 1]);
            c.dueNanos = now;
            waiting.add(c);
        });
    }

    /** One read of the tables for every connection due now (all of them when {@code last}). */
    private void round(final long now, final boolean last)
    {
        if (!last && now < nextRoundAt)
        {
            return;
        }
        boolean due = false;
        for (final LocalConnection c : waiting)
        {
            due |= last || c.dueNanos <= now;
        }
        if (!due)
        {
            return;
        }
        nextRoundAt = now + ROUND_GAP;
        programs.newRound();
        try
        {
            sockets.session(true);
        }
        catch (IOException e)
        {
            // each read opens its own then
        }
        final Map<Integer, SocketIndex> tables = new HashMap<>();
        final List<LocalConnection> still = new ArrayList<>();
        for (final LocalConnection c : waiting)
        {
            if (!last && c.dueNanos > now)
            {
                still.add(c);
                continue;
            }
            SocketIndex table = tables.get(c.protocol);
            if (table == null)
            {
                table = new SocketIndex(sockets, c.protocol);
                tables.put(c.protocol, table);
            }
            attempt(c, table);
            c.attempts++;
            final boolean outOfTries = last || c.attempts >= ATTEMPT_AT.length;
            if (c.finalA && c.finalB || outOfTries)
            {
                settle(c);
            }
            else
            {
                c.dueNanos = c.dueNanos - ATTEMPT_AT[c.attempts - 1] + ATTEMPT_AT[c.attempts];
                still.add(c);
            }
        }
        try
        {
            sockets.session(false);
        }
        catch (IOException e)
        {
            // closed
        }
        waiting.clear();
        waiting.addAll(still);
        deniedPids = Math.max(deniedPids, programs.deniedPids());
    }

    private void attempt(final LocalConnection c, final SocketIndex table)
    {
        if (!c.finalA)
        {
            final Resolution r = resolve(table, c.protocol, c.aHi, c.aLo, c.aPort, c.bHi, c.bLo, c.bPort);
            c.candidateA = r == null ? null : r.owner;
            c.finalA = r == null || r.conclusive || gone(r, c);
            if (c.finalA)
            {
                c.ownerA = c.candidateA; // seen at once by the reports, before the other side settles
            }
        }
        if (!c.finalB)
        {
            final Resolution r = resolve(table, c.protocol, c.bHi, c.bLo, c.bPort, c.aHi, c.aLo, c.aPort);
            c.candidateB = r == null ? null : r.owner;
            c.finalB = r == null || r.conclusive || gone(r, c);
            if (c.finalB)
            {
                c.ownerB = c.candidateB;
            }
        }
        if (c.finalA || c.finalB)
        {
            settled.putIfAbsent(c.serial, c);
        }
    }

    /**
     * No socket in three looks over 60 ms: the socket existed when its packets were sent (a client's before its
     * first packet), so it is gone, not late; waiting the whole second would only hide the side that is known.
     */
    private static boolean gone(final Resolution r, final LocalConnection c)
    {
        return r.owner.kind() == Owner.Kind.NO_SOCKET && c.attempts >= 2;
    }

    private void settle(final LocalConnection c)
    {
        c.ownerA = c.candidateA;
        c.ownerB = c.candidateB;
        for (final Owner o : new Owner[] {c.ownerA, c.ownerB})
        {
            if (o != null && o.kind() == Owner.Kind.NO_ACCESS)
            {
                noAccess.incrementAndGet();
            }
        }
        settled.put(c.serial, c);
        if (toWrite != null)
        {
            toWrite.add(c);
        }
    }

    private record Resolution(Owner owner, boolean conclusive)
    {
    }

    /** The owner of endpoint E (talking to peer P) as the table stands; null when E is not local. */
    private Resolution resolve(final SocketIndex table, final int protocol, final long eHi, final long eLo,
        final int ePort, final long pHi, final long pLo, final int pPort)
    {
        if (!isLocal(eHi, eLo))
        {
            return LocalAddresses.inNets(namespaceNets, eHi, eLo)
                ? new Resolution(Owner.none(Owner.Kind.OTHER_NAMESPACE, null), true) : null;
        }
        boolean waitingForAccept = false;
        boolean closed = false;
        for (final SocketEntry s : table.exact(eHi, eLo, ePort, pHi, pLo, pPort))
        {
            if (s.inode() != 0)
            {
                return new Resolution(holderOf(s, false), true);
            }
            if (s.state() == SocketEntry.SYN_RECV)
            {
                waitingForAccept = true;
            }
            else
            {
                closed = true; // TIME_WAIT, or closed by its program and not yet gone
            }
        }
        // No socket of its own (yet, or any more): the listener or bound socket that takes this address and port.
        // A UDP socket that is not connected is the endpoint itself. A TCP listener stands in for the accepted
        // socket when that is gone (closed before the lookup: no entry, or TIME_WAIT), and is named so ("via
        // listener"); while the handshake is still in the listener's queue (SYN_RECV), the next attempts wait for
        // the accepted socket, which names the very process (a SO_REUSEPORT group, a forked worker).
        final SocketEntry bound = table.listener(protocol, eHi, eLo, ePort);
        if (bound != null)
        {
            return new Resolution(holderOf(bound, protocol == Sockets.TCP), protocol == Sockets.UDP || !waitingForAccept);
        }
        if (closed && !waitingForAccept)
        {
            // A client's socket closed before the lookup, no listener on its port: it ended.
            return new Resolution(Owner.none(Owner.Kind.ENDED, null), true);
        }
        return new Resolution(Owner.none(Owner.Kind.NO_SOCKET, null), false);
    }

    private Owner holderOf(final SocketEntry s, final boolean viaListener)
    {
        final Program p = programs.holder(s.inode());
        if (p != null)
        {
            return Owner.of(p, viaListener);
        }
        if (programs.deniedPids() > 0)
        {
            return Owner.none(Owner.Kind.NO_ACCESS, programs.user(s.uid()));
        }
        return Owner.none(Owner.Kind.ENDED, programs.user(s.uid()));
    }

    private boolean isLocal(final long hi, final long lo)
    {
        if (hi == 0 && (lo >>> 24) == 0x0000_FFFF_7FL)
        {
            return true; // 127.0.0.0/8 is local whole, though the kernel's table names 127.0.0.1
        }
        final long[] l = local;
        for (int i = 0; i + 1 < l.length; i += 2)
        {
            if (l[i] == hi && l[i + 1] == lo)
            {
                return true;
            }
        }
        return false;
    }

    /** One read of a protocol's sockets: by their four-tuple, and the bound ones by port. */
    static final class SocketIndex
    {
        private record Tuple(long localHi, long localLo, int localPort, long remoteHi, long remoteLo, int remotePort)
        {
        }

        private final Map<Tuple, List<SocketEntry>> byTuple = new HashMap<>();
        private final Map<Integer, List<SocketEntry>> boundByPort = new HashMap<>();
        /**
         * For TCP through netlink: only the listeners are read whole, each connection's own socket is asked for by
         * its four-tuple (a busy port's thousands of TIME_WAIT sockets are not read every round); else null.
         */
        private final Sockets exactFrom;
        private final int protocol;

        SocketIndex(final Sockets sockets, final int protocol)
        {
            this.protocol = protocol;
            this.exactFrom = protocol == Sockets.TCP && sockets.exactLookups() ? sockets : null;
            List<SocketEntry> entries;
            try
            {
                entries = exactFrom != null ? sockets.read(protocol, NetlinkSockets.LISTENING_ONLY)
                    : sockets.read(protocol);
            }
            catch (IOException e)
            {
                entries = List.of();
            }
            index(entries);
        }

        private void index(final List<SocketEntry> entries)
        {
            for (final SocketEntry e : entries)
            {
                byTuple.computeIfAbsent(new Tuple(e.localHi(), e.localLo(), e.localPort(), e.remoteHi(), e.remoteLo(),
                    e.remotePort()), k -> new ArrayList<>(1)).add(e);
                if (e.listening() && e.inode() != 0)
                {
                    boundByPort.computeIfAbsent(e.localPort(), k -> new ArrayList<>(1)).add(e);
                }
            }
        }

        /** The sockets of exactly this endpoint and peer (more than one: a TIME_WAIT and a new one). */
        List<SocketEntry> exact(final long hi, final long lo, final int port, final long peerHi, final long peerLo,
            final int peerPort)
        {
            final Tuple key = new Tuple(hi, lo, port, peerHi, peerLo, peerPort);
            if (exactFrom == null)
            {
                return byTuple.getOrDefault(key, List.of());
            }
            return byTuple.computeIfAbsent(key, k ->
            {
                try
                {
                    return exactFrom.exact(protocol, hi, lo, port, peerHi, peerLo, peerPort);
                }
                catch (IOException e)
                {
                    return List.of();
                }
            });
        }

        /** The bound socket that takes hi/lo:port: on that address first, then on every address. */
        SocketEntry listener(final int protocol, final long hi, final long lo, final int port)
        {
            SocketEntry wildcard = null;
            for (final SocketEntry e : boundByPort.getOrDefault(port, List.of()))
            {
                if (e.localHi() == hi && e.localLo() == lo)
                {
                    return e;
                }
                if (wildcard == null && new Listener(protocol, e.localHi(), e.localLo(), port, 0, null, List.of())
                    .accepts(protocol, hi, lo, port))
                {
                    wildcard = e;
                }
            }
            return wildcard;
        }
    }
}
