package flowdemux.source;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * A tcpdump-syntax filter ({@code -f "tcp port 443 and host 10.0.0.1"}) on saved captures: libpcap's own compiler
 * ({@code pcap_compile} on a dead handle of the packet's link type, through JNA as pcap4j reaches libpcap) turns it
 * into classic BPF instructions once per link type, and this class runs them on each packet's bytes in place, as
 * libpcap's {@code bpf_filter} does: no native call, copy or allocation per packet.
 */
public final class BpfFilter
{
    /** pcap_compile's netmask when none is known (only "ip broadcast" needs one). */
    private static final int NETMASK_UNKNOWN = 0xFFFF_FFFF;
    private static final int SNAPLEN = 262_144;
    private static final int MEMORY_WORDS = 16;

    private final String expression;
    private final int[] memory = new int[MEMORY_WORDS];
    private int[] linkTypes = new int[0];
    private Program[] programs = new Program[0];
    private int lastLinkType = -1;
    private Program last;

    /** One compiled program: the instructions' fields in parallel arrays. */
    static final class Program
    {
        final short[] code;
        final byte[] jt;
        final byte[] jf;
        final int[] k;

        Program(final short[] code, final byte[] jt, final byte[] jf, final int[] k)
        {
            this.code = code;
            this.jt = jt;
            this.jf = jf;
            this.k = k;
        }
    }

    private BpfFilter(final String expression)
    {
        this.expression = expression;
    }

    /**
     * Compiles {@code expression} for {@code linkType} now, so that a filter that does not compile is refused before
     * anything is read.
     *
     * @throws IllegalArgumentException with libpcap's message when the expression does not compile
     * @throws UnsatisfiedLinkError     when libpcap is not installed
     */
    public static BpfFilter compile(final String expression, final int linkType)
    {
        final BpfFilter f = new BpfFilter(expression);
        f.programFor(linkType);
        return f;
    }

    public String expression()
    {
        return expression;
    }

    /** True when the filter accepts the packet (libpcap's filter returned a non-zero length). */
    public boolean accepts(final PacketRecord r)
    {
        final Program p = r.linkType == lastLinkType ? last : programFor(r.linkType);
        return run(p, r.buffer, r.offset, r.capturedLength, r.originalLength, memory) != 0;
    }

    private Program programFor(final int linkType)
    {
        for (int i = 0; i < linkTypes.length; i++)
        {
            if (linkTypes[i] == linkType)
            {
                lastLinkType = linkType;
                last = programs[i];
                return last;
            }
        }
        final Program p = Compiler.compile(expression, linkType);
        linkTypes = java.util.Arrays.copyOf(linkTypes, linkTypes.length + 1);
        programs = java.util.Arrays.copyOf(programs, programs.length + 1);
        linkTypes[linkTypes.length - 1] = linkType;
        programs[programs.length - 1] = p;
        lastLinkType = linkType;
        last = p;
        return p;
    }

    /**
     * Classic BPF over {@code length} captured bytes at {@code off} (libpcap's bpf_filter.c, instruction by
     * instruction): a load outside the captured bytes, a division by zero or a jump out of the program rejects the
     * packet. Jumps only go forward, so the loop ends.
     */
    static int run(final Program p, final byte[] b, final int off, final int length, final int wireLength,
        final int[] mem)
    {
        final short[] code = p.code;
        final int[] ks = p.k;
        int a = 0;
        int x = 0;
        int pc = 0;
        while (pc < code.length)
        {
            final int c = code[pc] & 0xFFFF;
            final int k = ks[pc];
            switch (c & 0x07)
            {
                case 0x00: // LD
                case 0x01: // LDX
                {
                    final boolean toX = (c & 0x07) == 0x01;
                    final int v;
                    switch (c & 0xE0)
                    {
                        case 0x00: // IMM
                            v = k;
                            break;
                        case 0x20: // ABS
                        case 0x40: // IND
                        {
                            final long at = (c & 0xE0) == 0x40 ? (x & 0xFFFF_FFFFL) + (k & 0xFFFF_FFFFL) : k & 0xFFFF_FFFFL;
                            final int size = (c & 0x18) == 0x00 ? 4 : (c & 0x18) == 0x08 ? 2 : 1;
                            if (at + size > length)
                            {
                                return 0;
                            }
                            final int i = off + (int)at;
                            v = size == 4 ? ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8)
                                | (b[i + 3] & 0xFF) : size == 2 ? ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF) : b[i] & 0xFF;
                            break;
                        }
                        case 0x60: // MEM
                            if ((k & 0xFFFF_FFFFL) >= MEMORY_WORDS)
                            {
                                return 0;
                            }
                            v = mem[k];
                            break;
                        case 0x80: // LEN
                            v = wireLength;
                            break;
                        case 0xA0: // MSH: 4 * (low nibble of byte k), the IPv4 header length
                            if ((k & 0xFFFF_FFFFL) >= length)
                            {
                                return 0;
                            }
                            v = (b[off + k] & 0x0F) << 2;
                            break;
                        default:
                            return 0;
                    }
                    if (toX)
                    {
                        x = v;
                    }
                    else
                    {
                        a = v;
                    }
                    pc++;
                    break;
                }
                case 0x02: // ST
                case 0x03: // STX
                    if ((k & 0xFFFF_FFFFL) >= MEMORY_WORDS)
                    {
                        return 0;
                    }
                    mem[k] = (c & 0x07) == 0x02 ? a : x;
                    pc++;
                    break;
                case 0x04: // ALU
                {
                    final int operand = (c & 0x08) != 0 ? x : k;
                    switch (c & 0xF0)
                    {
                        case 0x00:
                            a += operand;
                            break;
                        case 0x10:
                            a -= operand;
                            break;
                        case 0x20:
                            a *= operand;
                            break;
                        case 0x30:
                            if (operand == 0)
                            {
                                return 0;
                            }
                            a = Integer.divideUnsigned(a, operand);
                            break;
                        case 0x40:
                            a |= operand;
                            break;
                        case 0x50:
                            a &= operand;
                            break;
                        case 0x60:
                            a = Integer.compareUnsigned(operand, 32) < 0 ? a << operand : 0;
                            break;
                        case 0x70:
                            a = Integer.compareUnsigned(operand, 32) < 0 ? a >>> operand : 0;
                            break;
                        case 0x80:
                            a = -a;
                            break;
                        case 0x90:
                            if (operand == 0)
                            {
                                return 0;
                            }
                            a = Integer.remainderUnsigned(a, operand);
                            break;
                        case 0xA0:
                            a ^= operand;
                            break;
                        default:
                            return 0;
                    }
                    pc++;
                    break;
                }
                case 0x05: // JMP
                {
                    if ((c & 0xF0) == 0x00) // JA
                    {
                        if (k < 0)
                        {
                            return 0;
                        }
                        pc += 1 + k;
                        break;
                    }
                    final int operand = (c & 0x08) != 0 ? x : k;
                    final boolean taken;
                    switch (c & 0xF0)
                    {
                        case 0x10:
                            taken = a == operand;
                            break;
                        case 0x20:
                            taken = Integer.compareUnsigned(a, operand) > 0;
                            break;
                        case 0x30:
                            taken = Integer.compareUnsigned(a, operand) >= 0;
                            break;
                        case 0x40:
                            taken = (a & operand) != 0;
                            break;
                        default:
                            return 0;
                    }
                    pc += 1 + ((taken ? p.jt[pc] : p.jf[pc]) & 0xFF);
                    break;
                }
                case 0x06: // RET
                    return (c & 0x18) == 0x10 ? a : (c & 0x18) == 0x08 ? x : k;
                default: // MISC
                    if ((c & 0xF8) == 0x00)
                    {
                        x = a; // TAX
                    }
                    else if ((c & 0xF8) == 0x80)
                    {
                        a = x; // TXA
                    }
                    else
                    {
                        return 0;
                    }
                    pc++;
                    break;
            }
        }
        return 0;
    }

    /** libpcap through JNA: the compiler only (a dead handle per link type, freed at once). */
    private static final class Compiler
    {
        private Compiler()
        {
        }

        /** struct bpf_program { u_int bf_len; struct bpf_insn *bf_insns; } */
        @Structure.FieldOrder({"bf_len", "bf_insns"})
        public static final class BpfProgram extends Structure
        {
            public int bf_len;
            public Pointer bf_insns;
        }

        /** The few libpcap calls the compiler needs. */
        public interface LibPcap extends Library
        {
            Pointer pcap_open_dead(int linktype, int snaplen);

            int pcap_compile(Pointer p, BpfProgram program, String expression, int optimize, int netmask);

            void pcap_freecode(BpfProgram program);

            String pcap_geterr(Pointer p);

            void pcap_close(Pointer p);
        }

        private static LibPcap library;

        private static synchronized LibPcap library()
        {
            if (library == null)
            {
                // The same library pcap4j loads (its property names another, as on systems without libpcap.so).
                library = com.sun.jna.Native.load(System.getProperty("org.pcap4j.core.pcapLibName", "pcap"),
                    LibPcap.class);
            }
            return library;
        }

        static synchronized Program compile(final String expression, final int linkType)
        {
            final LibPcap pcap = library();
            final Pointer handle = pcap.pcap_open_dead(linkType, SNAPLEN);
            if (handle == null)
            {
                throw new IllegalArgumentException("libpcap does not know link type " + linkType);
            }
            try
            {
                final BpfProgram program = new BpfProgram();
                if (pcap.pcap_compile(handle, program, expression, 1, NETMASK_UNKNOWN) != 0)
                {
                    throw new IllegalArgumentException(pcap.pcap_geterr(handle));
                }
                try
                {
                    program.read();
                    final int n = program.bf_len;
                    final byte[] raw = program.bf_insns.getByteArray(0, n * 8);
                    final java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.nativeOrder());
                    final short[] code = new short[n];
                    final byte[] jt = new byte[n];
                    final byte[] jf = new byte[n];
                    final int[] k = new int[n];
                    for (int i = 0; i < n; i++)
                    {
                        // struct bpf_insn { u_short code; u_char jt; u_char jf; bpf_u_int32 k; }
                        code[i] = in.getShort(i * 8);
                        jt[i] = in.get(i * 8 + 2);
                        jf[i] = in.get(i * 8 + 3);
                        k[i] = in.getInt(i * 8 + 4);
                    }
                    return new Program(code, jt, jf, k);
                }
                finally
                {
                    pcap.pcap_freecode(program);
                }
            }
            finally
            {
                pcap.pcap_close(handle);
            }
        }
    }
}
