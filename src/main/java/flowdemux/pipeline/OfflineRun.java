package flowdemux.pipeline;

import flowdemux.decode.DecodeStats;
import flowdemux.decode.DecodedPacket;
import flowdemux.decode.DropReason;
import flowdemux.decode.PacketDecoder;
import flowdemux.decode.Tunnel;
import flowdemux.flow.ConnectionConfig;
import flowdemux.flow.FlowKeys;
import flowdemux.flow.FlowSink;
import flowdemux.flow.FlowTracker;
import flowdemux.flow.TunnelRegistry;
import flowdemux.flow.FragmentReassembly;
import flowdemux.service.Expectations;
import flowdemux.service.ServiceId;
import flowdemux.service.ServicePrefix;
import flowdemux.source.BpfFilter;
import flowdemux.source.CaptureFormatException;
import flowdemux.source.CaptureReader;
import flowdemux.source.MergedReader;
import flowdemux.source.PacketRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.IntFunction;

/**
 * Reads a capture to its end: one reader (the calling thread) reads, decodes, filters and reassembles fragments,
 * then hands each packet to the worker that owns its connection (a hash equal for both directions of the
 * 5-tuple), in batches over lock-free single-producer single-consumer rings (JCTools' SpscArrayQueue). Each worker
 * owns its shard of the flow table. Batches come back to the reader through a second ring, so nothing is allocated
 * per packet, and the reader waits when a worker is behind (back-pressure: nothing is dropped). With one worker
 * the reader tracks the packets itself. Timers run on the reader's capture time, stamped on every packet, so the
 * connections found do not depend on the number of workers (except for --max-flows eviction, which each worker
 * applies to its own share).
 */
public final class OfflineRun
{
    /** How often (in packets) the progress listener is called. */
    private static final int PROGRESS_EVERY = 1 << 16;
    /**
     * Batches in flight, shared out among the workers (at least 8 each). The reader copies every packet into a
     * free batch (a descriptor then, packed since); the longer ago its worker last read that batch, the less the copy
     * waits for the worker's core to give up those cache lines (docs/performance.md, "Behind the code's choices").
     * Batches of 512 since ({@link Batch#SIZE}), half as many: the same descriptors in flight.
     */
    private static final int BATCHES_IN_FLIGHT = 64;
    private static final int MIN_BATCHES_PER_WORKER = 8;

    private final PacketDecoder decoder;
    private final DecodeStats stats = new DecodeStats();
    private final FragmentReassembly fragments;
    private final FlowTracker inline;
    /** With one worker and a large table, the packets gathered for {@link FlowTracker#onKeyedBatch}. */
    private final Batch inlineBatch;
    private final Worker[] workers;
    private final PacketFilter filter;
    private final ProgressListener progress;
    /** Payload bytes copied for service detection with each packet handed on (0: detection off). */
    private final int serviceBytes;
    /** FTP's announced data connections, on the reader because it sees the control and data connections in order. */
    private final Expectations announced = new Expectations();
    /** The TCP directions whose next segments continue a message detection reads whole (a ClientHello). */
    private final flowdemux.service.Continuations continuations = new flowdemux.service.Continuations();
    private BpfFilter recordFilter;
    /** Told where each record went (split, extract, follow), or null. */
    private PacketTap tap;
    /** For a tap whose packets can be batched ({@link PacketTap#offsetsSuffice}): each batched packet's record
     * offset, and after tracking its connection's serial and slot; null otherwise. */
    private long[] tapOffsets;
    private long[] tapSerials;
    private int[] tapFlows;
    /** Each worker's batch being filled (the reader thread's only). */
    private Batch[] filling = new Batch[0];
    private boolean seedUidsFromFirstPacket;
    /** The input has ended and so has every connection. */
    private boolean ended;
    /**
     * Connections held at once from which {@link #reclaim} collects (about 20 MB of flow records): a small read gains
     * nothing from a full collection, and many reads in one JVM (tests) must not each pay for one.
     */
    private long reclaimFrom = RECLAIM_FROM;
    private boolean collectAtPhaseEnds = true;
    static final long RECLAIM_FROM = 1 << 16;
    private CaptureFormatException fault;
    private IOException ioFault;
    /** The bytes of fragmented datagrams that may carry tunnels, and the decoder of the whole ones; null: --decap none. */
    private final flowdemux.decode.DatagramAssembly assembly;
    private final PacketDecoder assembled;
    /** The tunnels met, numbered on this thread for the packets inside them to carry. */
    private final TunnelRegistry tunnels;

    /**
     * @param sinks the sink of each worker (workers never share one)
     */
    public OfflineRun(final int workerCount, final int maxFlows, final IntFunction<FlowSink> sinks,
        final PacketFilter filter, final ProgressListener progress, final ConnectionConfig config)
    {
        if (workerCount < 1)
        {
            throw new IllegalArgumentException("at least one worker");
        }
        this.decoder = new PacketDecoder(config.checksums);
        this.decoder.decapsulation(config.decapsulate);
        this.assembly = config.decapsulate ? new flowdemux.decode.DatagramAssembly() : null;
        this.assembled = new PacketDecoder(config.checksums);
        this.tunnels = new TunnelRegistry(config, (ts, registry, instance, action) -> { });
        this.stats.checksumMode = config.checksums;
        this.fragments = new FragmentReassembly(config.fragmentTimeout);
        this.filter = filter;
        this.progress = progress;
        this.serviceBytes = config.packetBytes();
        if (workerCount == 1)
        {
            this.inline = new FlowTracker(maxFlows, sinks.apply(0), config);
            this.inline.tunnels(tunnels);
            this.inlineBatch = new Batch();
            this.workers = new Worker[0];
        }
        else
        {
            this.inline = null;
            this.inlineBatch = null;
            this.workers = new Worker[workerCount];
            final int share = Math.max(1, maxFlows / workerCount);
            for (int i = 0; i < workerCount; i++)
            {
                workers[i] = new Worker(share, sinks.apply(i), config, batchesPerWorker(workerCount));
                workers[i].tracker.tunnels(tunnels);
            }
        }
    }

    public OfflineRun(final int maxFlows, final FlowSink sink, final PacketFilter filter, final ProgressListener progress,
        final ConnectionConfig config)
    {
        this(1, maxFlows, i -> sink, filter, progress, config);
    }

    /** Tells {@code listener} of each new connection, on the thread of the worker that tracks it. */
    public void connectionStarts(final flowdemux.flow.ConnectionStarts listener)
    {
        if (inline != null)
        {
            inline.connectionStarts(listener);
        }
        for (final Worker w : workers)
        {
            w.tracker.connectionStarts(listener);
        }
    }

    /** Tells {@code listener} each tunnel found, closed and expired (tunnel.log), on the reader's thread. */
    public void tunnelListener(final TunnelRegistry.Listener listener)
    {
        tunnels.listener(listener);
    }

    /** The tunnels the read has met. */
    public TunnelRegistry tunnels()
    {
        return tunnels;
    }

    /**
     * Seeds the connections' uids with a digest of the first packet read (MergedReader.digestOf), for a source
     * that cannot be read ahead: a live capture's uids are then those a read of its --write file gives.
     */
    public void seedUidsFromFirstPacket()
    {
        this.seedUidsFromFirstPacket = true;
    }

    /**
     * Tells {@code tap} where each record goes. Only with one worker: the tap learns a packet's connection as it is
     * tracked, in input order, so the reader tracks each packet itself (no lookahead batches).
     */
    public void tap(final PacketTap tap)
    {
        if (inline == null)
        {
            throw new IllegalStateException("a tap needs one worker");
        }
        this.tap = tap;
        if (tap.offsetsSuffice())
        {
            tapOffsets = new long[Batch.SIZE];
            tapSerials = new long[Batch.SIZE];
            tapFlows = new int[Batch.SIZE];
        }
    }

    /** A BPF filter (-f) applied to each packet's bytes before it is decoded; null for none. */
    public void recordFilter(final BpfFilter filter)
    {
        this.recordFilter = filter;
    }

    /**
     * Reads until the end or the first fault, then ends every open connection. A fault does not throw: what was
     * read before it is kept and the fault is available from {@link #fault()} / {@link #ioFault()}.
     */
    public void run(final CaptureReader reader)
    {
        final Thread[] threads = new Thread[workers.length];
        for (int i = 0; i < workers.length; i++)
        {
            threads[i] = new Thread(workers[i], "flowdemux-worker-" + i);
            threads[i].setDaemon(true);
            threads[i].start();
        }
        filling = new Batch[workers.length];
        final PacketRecord record = new PacketRecord();
        final DecodedPacket packet = decoder.packet();
        long now = Long.MIN_VALUE;
        try
        {
            while (reader.next(record))
            {
                if (seedUidsFromFirstPacket && stats.packets == 0)
                {
                    seedUids(MergedReader.digestOf(java.util.List.of(record)));
                }
                stats.onPacket(record.timestampNanos, record.capturedLength, record.originalLength, record.linkType);
                if ((stats.packets & (PROGRESS_EVERY - 1)) == 0)
                {
                    progress.progress(reader.position(), stats.packets);
                }
                if (recordFilter != null && !recordFilter.accepts(record))
                {
                    stats.filteredOut++;
                    if (tap != null)
                    {
                        tap.filteredOut(record);
                    }
                    continue;
                }
                final DropReason reason = decoder.decode(record);
                stats.onChecksums(packet);
                if (reason != DropReason.NONE)
                {
                    stats.onDrop(reason);
                    if (tap != null)
                    {
                        tap.unmatched(record);
                    }
                    continue;
                }
                now = Math.max(now, packet.timestampNanos);
                packet.captureNow = now;
                if (packet.carries == Tunnel.NONE)
                {
                    offer(record, packet, false, true);
                }
                else
                {
                    layers(record, decoder, packet, now, true);
                }
            }
        }
        catch (CaptureFormatException e)
        {
            fault = e;
        }
        catch (IOException e)
        {
            ioFault = e;
        }
        finally
        {
            stats.addLinkTypes(reader.linkTypes());
            fragments.finish();
            tunnels.finish();
            stats.tunnelsUnnumbered = tunnels.overflow();
            if (tap != null)
            {
                trackInlineBatch();
                tap.inputEnded();
            }
            stats.drops[DropReason.INCOMPLETE_FRAGMENTS.ordinal()] += fragments.incompleteFrames();
            finish(filling, threads, now);
        }
    }

    /**
     * Hands a decoded packet on: IP fragments to their reassembly, then the filters, statistics, the bytes service
     * detection gets, and the tracker (inline or a worker's batch), telling the tap. {@code counted}: the packet's
     * frame is in a connection already (a packet inside a UDP tunnel, whose outer packet was offered first): it adds
     * no frame and the tap hears of it only if it is tracked.
     */
    private void offer(final PacketRecord record, final DecodedPacket packet, final boolean counted,
        final boolean tell)
    {
        final PacketTap told = tell ? tap : null;
        if (counted)
        {
            packet.frames = 0;
        }
        if (packet.fragment)
        {
            if (assembly != null && tap == null && packet.depth == 0)
            {
                assembly.add(record.buffer, packet);
            }
            // Later fragments have no ports: the filter waits for the whole datagram.
            final int frames = fragments.add(packet);
            if (frames == 0)
            {
                if (told != null)
                {
                    told.fragmentHeld(record, packet);
                }
                return;
            }
            packet.frames = counted ? 0 : frames;
            // Not with a tap yet: its held fragments are keyed by the outer datagram, which the packets inside lack.
            if (assembly != null && tap == null && packet.depth == 0 && whole(record, packet, frames))
            {
                return;
            }
        }
        if (!filter.accepts(packet))
        {
            stats.filteredOut += packet.frames;
            if (told != null)
            {
                told.filteredOut(record);
            }
            return;
        }
        stats.onDecoded(packet, packet.frames);
        final int payloadCaptured = packet.inspectLength;
        if (serviceBytes > 0 && packet.inspectLength > 0)
        {
            // The bytes detection gets, the same whoever tracks the packet (see ServicePrefix).
            final boolean tcp = packet.protocol == DecodedPacket.PROTO_TCP;
            final int wanted = ServicePrefix.wanted(packet.inspectBytes, packet.inspectOffset, packet.inspectLength,
                tcp, packet.payloadLength, serviceBytes);
            packet.inspectLength = tcp ? continuations.wanted(packet.srcHi, packet.srcLo, packet.srcPort,
                packet.dstHi, packet.dstLo, packet.dstPort, packet.seq, packet.inspectBytes, packet.inspectOffset,
                packet.inspectLength, wanted) : wanted;
        }
        if (serviceBytes > 0 && packet.protocol == DecodedPacket.PROTO_TCP)
        {
            watchAnnouncements(packet);
        }
        if (told != null)
        {
            if (tapOffsets != null && packet.frames == 1 && inline.lookaheadPays())
            {
                FlowKeys.key(packet);
                if (!inlineBatch.fits(packet))
                {
                    trackInlineBatch();
                }
                tapOffsets[inlineBatch.count] = record.fileOffset;
                inlineBatch.add(packet, serviceBytes);
                if (inlineBatch.count == Batch.SIZE)
                {
                    trackInlineBatch();
                }
                return;
            }
            trackInlineBatch(); // what was gathered comes first
            stats.framesInFlows += inline.onPacket(packet);
            told.tracked(record, packet, inline.lastConnection(), payloadCaptured);
            return;
        }
        if (tap != null)
        {
            // Tracked where the tap is told of the record (its innermost connection), in input order all the same.
            trackInlineBatch();
            stats.framesInFlows += inline.onPacket(packet);
            return;
        }
        if (inline != null)
        {
            if (inline.lookaheadPays())
            {
                // A large table: gather a batch, so that its lookups are looked ahead as a worker's are.
                FlowKeys.key(packet);
                if (!inlineBatch.fits(packet))
                {
                    trackInlineBatch();
                }
                inlineBatch.add(packet, serviceBytes);
                if (inlineBatch.count == Batch.SIZE)
                {
                    trackInlineBatch();
                }
            }
            else
            {
                trackInlineBatch(); // what was gathered comes first
                stats.framesInFlows += inline.onPacket(packet);
            }
            return;
        }
        final int w = FlowKeys.worker(packet, workers.length);
        Batch batch = filling[w];
        if (batch != null && !batch.fits(packet))
        {
            publish(workers[w], batch);
            batch = null;
        }
        if (batch == null)
        {
            batch = acquire(workers[w]);
            filling[w] = batch;
        }
        batch.add(packet, serviceBytes);
        if (batch.count == Batch.SIZE)
        {
            publish(workers[w], batch);
            filling[w] = null;
        }
    }

    /**
     * A datagram that came in fragments, completed by {@code packet}: if its bytes were kept and it carries a tunnel,
     * it goes on whole, through its layers (true); else it is counted as the fragments' datagram it is (false).
     */
    private boolean whole(final PacketRecord record, final DecodedPacket packet, final int frames)
    {
        final int n = assembly.complete(packet);
        if (n == 0 || assembled.decodeDatagram(assembly.bytes(), n, packet) != DropReason.NONE
            || assembled.packet().carries == Tunnel.NONE)
        {
            return false;
        }
        final DecodedPacket datagram = assembled.packet();
        datagram.frames = frames;
        datagram.captureNow = packet.captureNow;
        layers(record, assembled, datagram, datagram.captureNow, false);
        return true;
    }

    /**
     * A packet that carries a tunnel, and each packet inside it, outermost first, as Zeek's analyzers hand each layer
     * on: a tunnel over UDP is a connection of its own and so is what it carries; a tunnel over IP (GRE, IP in IP) is
     * only the way to the packet inside, which takes the frame. A carrier's connection gets the record's index with
     * its depth + 1 above bit 40 as its serial, the innermost connection the index itself: the connections inside a
     * tunnel keep the uids they have in the same traffic captured without it. A tap hears of the record at each
     * connection it is in, or, if it keeps each record once ({@link PacketTap#eachRecordOnce}: split), at the
     * innermost.
     */
    private void layers(final PacketRecord record, final PacketDecoder decoder, final DecodedPacket packet,
        final long now, final boolean fromRecord)
    {
        // A datagram put together from fragments is told whole to a tap that keeps each record once.
        final int tapDepth = tap == null || !tap.eachRecordOnce() ? -1 : fromRecord ? innermostConnection(record, now)
            : 0;
        boolean counted = false;
        while (true)
        {
            final int carries = packet.carries;
            final boolean overIp = carries != Tunnel.NONE && packet.protocol != DecodedPacket.PROTO_UDP
                && packet.depth < Tunnel.MAX_DEPTH;
            if (carries != Tunnel.NONE)
            {
                packet.packetIndex = PacketDecoder.carrierIndex(packet.packetIndex, packet.depth);
            }
            if (!overIp)
            {
                offer(record, packet, counted, tapDepth < 0 || packet.depth == tapDepth);
                counted = true;
            }
            if (carries == Tunnel.NONE)
            {
                return;
            }
            final int instance = tunnels.enter(packet, now);
            final DropReason inner = decoder.decapsulate();
            if (inner == null)
            {
                stats.tooDeep++;
                return;
            }
            packet.tunnelInstance = instance;
            packet.captureNow = now;
            if (inner != DropReason.NONE)
            {
                stats.innerDrops[inner.ordinal()]++;
                if (!counted)
                {
                    stats.onDrop(inner);
                    if (tap != null)
                    {
                        tap.unmatched(record);
                    }
                }
                return;
            }
            stats.tunnelled[packet.tunnelType]++;
            tunnels.carried(instance, packet.timestampNanos);
        }
    }

    /**
     * For a tap that keeps each record once: the depth of the innermost layer of the record that is a connection (-1 for none), found by a first
     * pass down the chain; the record is then decoded again for {@link #layers}, which only a read with a tap pays.
     */
    private int innermostConnection(final PacketRecord record, final long now)
    {
        final DecodedPacket packet = decoder.packet();
        int depth = -1;
        while (true)
        {
            final boolean overIp = packet.carries != Tunnel.NONE && packet.protocol != DecodedPacket.PROTO_UDP
                && packet.depth < Tunnel.MAX_DEPTH;
            if (!overIp)
            {
                depth = packet.depth;
            }
            if (packet.carries == Tunnel.NONE || decoder.decapsulate() != DropReason.NONE)
            {
                break;
            }
        }
        decoder.decode(record);
        packet.captureNow = now;
        return depth;
    }

    private void finish(final Batch[] filling, final Thread[] threads, final long finalNow)
    {
        ended = true;
        if (inline != null)
        {
            trackInlineBatch();
            inline.flushAll(finalNow);
            return;
        }
        reclaim();
        for (int w = 0; w < workers.length; w++)
        {
            Batch batch = filling[w];
            if (batch == null)
            {
                batch = acquire(workers[w]);
            }
            batch.last = true;
            batch.finalNow = finalNow;
            publish(workers[w], batch);
        }
        for (final Thread t : threads)
        {
            try
            {
                t.join();
            }
            catch (InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the workers", e);
            }
        }
        for (final Worker w : workers)
        {
            if (w.failure != null)
            {
                throw failure(w, "a worker failed");
            }
            stats.framesInFlows += w.framesInFlows;
        }
        reclaim();
    }

    /**
     * A full collection at the two phase ends of a read by workers that held many connections: when the input has
     * ended, and when every connection has (flushAll has released the flow tables). The throughput collector never
     * runs one by itself in a read (its old generation starts at a 64th of the machine's memory), so what the read
     * promoted and then dropped (the report's client lists and sets outgrown by doubling) and the dead flow tables
     * stayed resident, and the end of the read, which allocates about 100 MB on the 1M-connection capture (the last
     * runs, the workers' aggregates merged), went to fresh pages; with both collections it reuses those. Not with one
     * worker, which has no workers' aggregates to merge at the end, nor when the sinks build no views
     * ({@link #collectAtPhaseEnds}): there the collections cost more than they save (docs/performance.md).
     */
    private void reclaim()
    {
        if (!collectAtPhaseEnds)
        {
            return;
        }
        long peak = 0;
        // At the end of the input the workers still run: a count read a little stale only moves the threshold.
        for (final Worker w : workers)
        {
            peak += w.tracker.table().peakSize();
        }
        if (peak >= reclaimFrom)
        {
            System.gc();
        }
    }

    /**
     * Whether the sinks build views as connections end (the report's per-port and per-server views), whose outgrown
     * arrays the phase-end collections reclaim (the default). Sinks that only keep a line per connection leave little
     * to reclaim, and the collections then cost more memory than they return.
     */
    public void collectAtPhaseEnds(final boolean views)
    {
        this.collectAtPhaseEnds = views;
    }

    /** Collects at the phase ends when the read held this many connections at once, its tables summed (tests). */
    void reclaimFrom(final long flows)
    {
        this.reclaimFrom = flows;
    }

    /** Notes FTP's and IRC's announcements of data connections, and marks a new connection that one announced. */
    private void watchAnnouncements(final DecodedPacket p)
    {
        if (p.inspectLength > 0)
        {
            announced.observe(p.srcHi, p.srcLo, p.dstHi, p.dstLo, p.inspectBytes, p.inspectOffset,
                Math.min(p.inspectLength, serviceBytes), p.captureNow);
        }
        if (!announced.isEmpty() && (p.tcpFlags & (DecodedPacket.SYN | DecodedPacket.ACK)) == DecodedPacket.SYN)
        {
            p.expectedService = announced.expected(p.srcHi, p.srcLo, p.dstHi, p.dstLo, p.dstPort, p.captureNow) + 1;
        }
    }

    /** Tracks the packets gathered for the inline tracker, if any. */
    private void trackInlineBatch()
    {
        if (inlineBatch != null && inlineBatch.count > 0)
        {
            if (tapOffsets == null)
            {
                stats.framesInFlows += inline.onKeyedBatch(inlineBatch.packets, inlineBatch.count,
                    inlineBatch.payloads);
            }
            else
            {
                stats.framesInFlows += inline.onKeyedBatch(inlineBatch.packets, inlineBatch.count,
                    inlineBatch.payloads, tapSerials, tapFlows);
                for (int i = 0; i < inlineBatch.count; i++)
                {
                    tap.trackedAt(tapOffsets[i], tapSerials[i], tapFlows[i]);
                }
            }
            inlineBatch.clear();
        }
    }

    private void seedUids(final long seed)
    {
        tunnels.uidSeed(seed);
        if (inline != null)
        {
            inline.seedUids(seed);
        }
        // Each worker reads its seed only after the first batch, which the ring hands over after this store.
        for (final Worker w : workers)
        {
            w.tracker.seedUids(seed);
        }
    }

    /**
     * A worker's share of {@link #BATCHES_IN_FLIGHT}, a power of two: the reader fills each worker's batches in turn,
     * so with more workers a batch waits as long between uses with fewer of them.
     */
    static int batchesPerWorker(final int workers)
    {
        return Math.max(MIN_BATCHES_PER_WORKER, Integer.highestOneBit(BATCHES_IN_FLIGHT / workers));
    }

    /** Takes a free batch of a worker, waiting while it has none (the worker is behind). */
    private static Batch acquire(final Worker worker)
    {
        int idle = 0;
        Batch batch;
        while ((batch = worker.free.relaxedPoll()) == null)
        {
            if (worker.finished)
            {
                throw failure(worker, "a worker stopped early");
            }
            Idle.idle(idle++);
        }
        return batch;
    }

    /**
     * What a worker's failure means to the user: its sink's I/O failure (a full or missing temporary folder) as it
     * is, anything else as a failed worker.
     */
    private static RuntimeException failure(final Worker worker, final String what)
    {
        if (worker.failure instanceof UncheckedIOException io)
        {
            return io;
        }
        return new IllegalStateException(what + ": " + worker.failure, worker.failure);
    }

    private static void publish(final Worker worker, final Batch batch)
    {
        // The ring holds every batch the worker has, so this offer always succeeds.
        worker.full.offer(batch);
    }

    /**
     * A live capture's clock on a quiet link: hands each worker what its batch has gathered and moves every tracker's
     * capture time on to {@code captureNanos} (never back), so that connections whose timers have run out end now
     * and their records go out, rather than at the next packet (Zeek's run loop, too, advances network time from the
     * clock while no packet comes). Only from the thread that runs {@link #run}, between packets.
     */
    public void advanceClock(final long captureNanos)
    {
        if (ended || filling.length != workers.length)
        {
            return;
        }
        if (inline != null)
        {
            trackInlineBatch();
            inline.advance(captureNanos);
            return;
        }
        for (int w = 0; w < workers.length; w++)
        {
            Batch batch = filling[w];
            filling[w] = null;
            if (batch == null)
            {
                batch = acquire(workers[w]);
            }
            batch.advanceTo = captureNanos;
            publish(workers[w], batch);
        }
    }

    /**
     * Open connections as they stand, for a rolling report, each worker's into its own sink: called only from the
     * thread that runs {@link #run} (a live capture calls it between packets). A worker takes its snapshot after
     * every packet handed to it so far, and this waits until all have.
     */
    public void snapshotOpenFlows(final IntFunction<FlowSink> sinks)
    {
        if (ended)
        {
            return; // every connection has ended: none is open
        }
        if (inline != null)
        {
            trackInlineBatch();
            inline.snapshot(sinks.apply(0));
            return;
        }
        final java.util.concurrent.CountDownLatch taken = new java.util.concurrent.CountDownLatch(workers.length);
        for (int w = 0; w < workers.length; w++)
        {
            Batch batch = filling[w];
            filling[w] = null;
            if (batch == null)
            {
                batch = acquire(workers[w]);
            }
            batch.snapshot = sinks.apply(w);
            batch.snapshotTaken = taken;
            publish(workers[w], batch);
        }
        try
        {
            taken.await();
        }
        catch (InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    public int workerCount()
    {
        return Math.max(1, workers.length);
    }

    public DecodeStats stats()
    {
        return stats;
    }

    public CaptureFormatException fault()
    {
        return fault;
    }

    public IOException ioFault()
    {
        return ioFault;
    }
}
