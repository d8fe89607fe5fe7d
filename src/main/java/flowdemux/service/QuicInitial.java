package flowdemux.service;

import flowdemux.util.Bytes;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/**
 * A client's QUIC Initial packets opened, as anyone on the path can (RFC 9001 section 5.2: the keys come from the
 * Destination Connection ID and a salt the version fixes; RFC 9369 for version 2): header protection removed, the
 * payload decrypted and authenticated (AES-128-GCM), and the CRYPTO frames' bytes handed on by their offset in the
 * handshake stream, where the ClientHello is. Everything is the JDK's (HMAC-SHA256 for HKDF, AES). Reused for every
 * packet; the cipher objects allocate a little per packet opened, which only a connection's first packets pay.
 */
final class QuicInitial
{
    /** Where the CRYPTO frames' bytes go. */
    interface Crypto
    {
        void crypto(long offset, byte[] bytes, int from, int length);
    }

    static final int VERSION_1 = 0x00000001;
    static final int VERSION_2 = 0x6b3343cf;
    private static final byte[] SALT_1 = hex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a");
    private static final byte[] SALT_2 = hex("0dede3def700a6db819381be6e269dcbf9bd2ed9");
    private static final int TAG = 16;
    private static final int MAX_CID = 20;

    private final Mac hmac;
    private final Cipher aead;
    private final Cipher ecb;
    private final byte[] plain = new byte[Continuations.MAX_BYTES + 64];
    private final byte[] header = new byte[Continuations.MAX_BYTES];
    private final byte[] mask = new byte[16];
    private final byte[] nonce = new byte[12];

    QuicInitial()
    {
        try
        {
            hmac = Mac.getInstance("HmacSHA256");
            aead = Cipher.getInstance("AES/GCM/NoPadding");
            ecb = Cipher.getInstance("AES/ECB/NoPadding");
        }
        catch (GeneralSecurityException e)
        {
            throw new IllegalStateException("the JDK has HMAC-SHA256 and AES-GCM", e);
        }
    }

    /** Whether {@code b[o]} starts a long-header packet of a version whose Initial keys are known. */
    static boolean initialVersion(final byte[] b, final int o, final int n)
    {
        if (n < 7 || (b[o] & 0xC0) != 0xC0)
        {
            return false;
        }
        final int version = Bytes.i32(b, o + 1);
        final int type = (b[o] >>> 4) & 0x03;
        return (version == VERSION_1 && type == 0) || (version == VERSION_2 && type == 1);
    }

    /**
     * Opens each Initial packet of the datagram {@code b[o, o + n)} (packets may be coalesced) and hands its CRYPTO
     * bytes to {@code out}; returns how many were opened (0: none, or none authenticated).
     */
    int open(final byte[] b, final int o, final int n, final Crypto out)
    {
        return open(b, o, n, out, null);
    }

    /**
     * As {@link #open}, for the server's Initial packets: their keys come from the Destination Connection ID of the
     * client's first Initial ({@code clientDcid}: its length, then its bytes), under the label "server in".
     */
    int openServer(final byte[] b, final int o, final int n, final byte[] clientDcid, final Crypto out)
    {
        return open(b, o, n, out, clientDcid);
    }

    private int open(final byte[] b, final int o, final int n, final Crypto out, final byte[] clientDcid)
    {
        int opened = 0;
        int at = o;
        final int end = o + n;
        while (at < end && initialVersion(b, at, end - at))
        {
            final int next = packet(b, at, end, out, clientDcid);
            if (next == -1)
            {
                break;
            }
            opened += next > 0 ? 1 : 0;
            at = Math.abs(next);
        }
        return opened;
    }

    /** One packet at {@code at}: the offset after it if opened, minus that if it could not be, -1 if malformed. */
    private int packet(final byte[] b, final int at, final int end, final Crypto out, final byte[] clientDcid)
    {
        final int version = Bytes.i32(b, at + 1);
        int i = at + 5;
        final int dcidLength = b[i] & 0xFF;
        if (dcidLength > MAX_CID || i + 1 + dcidLength >= end)
        {
            return -1;
        }
        final int dcid = i + 1;
        i = dcid + dcidLength;
        final int scidLength = b[i] & 0xFF;
        if (scidLength > MAX_CID || i + 1 + scidLength >= end)
        {
            return -1;
        }
        i += 1 + scidLength;
        final long tokenLength = varint(b, i, end);
        if (tokenLength < 0)
        {
            return -1;
        }
        i += varintLength(b[i]);
        if (tokenLength > end - i)
        {
            return -1;
        }
        i += (int)tokenLength;
        final long length = varint(b, i, end);
        if (length < 0)
        {
            return -1;
        }
        i += varintLength(b[i]);
        final int pnOffset = i;
        if (length < 4 + TAG || length > end - pnOffset || pnOffset + 4 + 16 > end
            || length > plain.length || pnOffset - at + 4 > header.length)
        {
            return -1;
        }
        final int packetEnd = pnOffset + (int)length;
        try
        {
            final boolean v2 = version == VERSION_2;
            final byte[] secret = clientDcid == null ? secret(v2 ? SALT_2 : SALT_1, b, dcid, dcidLength, "client in")
                : secret(v2 ? SALT_2 : SALT_1, clientDcid, 1, clientDcid[0], "server in");
            final byte[] key = expandLabel(secret, v2 ? "quicv2 key" : "quic key", 16);
            final byte[] iv = expandLabel(secret, v2 ? "quicv2 iv" : "quic iv", 12);
            final byte[] hp = expandLabel(secret, v2 ? "quicv2 hp" : "quic hp", 16);
            // Header protection: a mask from 16 bytes sampled 4 after the packet number's start.
            ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hp, "AES"));
            ecb.doFinal(b, pnOffset + 4, 16, mask, 0);
            final int first = (b[at] ^ (mask[0] & 0x0F)) & 0xFF;
            final int pnLength = (first & 0x03) + 1;
            final int headerLength = pnOffset + pnLength - at;
            System.arraycopy(b, at, header, 0, headerLength);
            header[0] = (byte)first;
            long pn = 0;
            for (int k = 0; k < pnLength; k++)
            {
                header[pnOffset - at + k] ^= mask[1 + k];
                pn = pn << 8 | (header[pnOffset - at + k] & 0xFF);
            }
            System.arraycopy(iv, 0, nonce, 0, 12);
            for (int k = 0; k < 8; k++)
            {
                nonce[11 - k] ^= (byte)(pn >>> (8 * k));
            }
            aead.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            aead.updateAAD(header, 0, headerLength);
            final int plainLength = aead.doFinal(b, at + headerLength, packetEnd - at - headerLength, plain, 0);
            frames(plain, plainLength, out);
            return packetEnd;
        }
        catch (GeneralSecurityException e)
        {
            // Not authenticated (not an Initial of this connection, or damaged): nothing read from it.
            return -packetEnd;
        }
    }

    /** The frames of a decrypted Initial: CRYPTO's bytes handed on; PADDING, PING and ACK skipped; others end it. */
    private static void frames(final byte[] p, final int n, final Crypto out)
    {
        int i = 0;
        while (i < n)
        {
            final int type = p[i] & 0xFF;
            if (type == 0x00 || type == 0x01)
            {
                i++;
            }
            else if (type == 0x06)
            {
                i++;
                final long offset = varint(p, i, n);
                if (offset < 0)
                {
                    return;
                }
                i += varintLength(p[i]);
                final long length = varint(p, i, n);
                if (length < 0)
                {
                    return;
                }
                i += varintLength(p[i]);
                if (length > n - i)
                {
                    return;
                }
                out.crypto(offset, p, i, (int)length);
                i += (int)length;
            }
            else if (type == 0x02 || type == 0x03)
            {
                // ACK: largest, delay, range count, first range, then the ranges (and ECN counts for 0x03).
                i++;
                long ranges = 0;
                for (int k = 0; k < 3; k++)
                {
                    if (i >= n || varint(p, i, n) < 0)
                    {
                        return;
                    }
                    if (k == 2)
                    {
                        ranges = varint(p, i, n);
                    }
                    i += varintLength(p[i]);
                }
                if (i >= n || varint(p, i, n) < 0)
                {
                    return;
                }
                i += varintLength(p[i]);
                for (long r = 0; r < 2 * ranges + (type == 0x03 ? 3 : 0); r++)
                {
                    if (i >= n || varint(p, i, n) < 0)
                    {
                        return;
                    }
                    i += varintLength(p[i]);
                }
            }
            else
            {
                return;
            }
        }
    }

    /** One side's Initial secret ("client in", "server in"), from the client's first Destination Connection ID. */
    private byte[] secret(final byte[] salt, final byte[] b, final int dcid, final int dcidLength, final String side)
        throws GeneralSecurityException
    {
        hmac.init(new SecretKeySpec(salt, "HmacSHA256"));
        hmac.update(b, dcid, dcidLength);
        final byte[] initial = hmac.doFinal();
        return expandLabel(initial, side, 32);
    }

    /** The Destination Connection ID of the Initial at {@code b[o]}: its length, then its bytes; or null. */
    static byte[] destinationId(final byte[] b, final int o, final int n)
    {
        final int length = n > 6 ? b[o + 5] & 0xFF : MAX_CID + 1;
        if (length > MAX_CID || 6 + length > n)
        {
            return null;
        }
        final byte[] id = new byte[1 + length];
        id[0] = (byte)length;
        System.arraycopy(b, o + 6, id, 1, length);
        return id;
    }

    /** TLS 1.3's HKDF-Expand-Label with an empty context, for outputs of at most one hash (32 bytes). */
    private byte[] expandLabel(final byte[] secret, final String label, final int length)
        throws GeneralSecurityException
    {
        final int labelLength = 6 + label.length();
        final byte[] info = new byte[2 + 1 + labelLength + 1 + 1];
        info[0] = (byte)(length >>> 8);
        info[1] = (byte)length;
        info[2] = (byte)labelLength;
        final String full = "tls13 " + label;
        for (int k = 0; k < full.length(); k++)
        {
            info[3 + k] = (byte)full.charAt(k);
        }
        info[3 + labelLength] = 0; // context
        info[4 + labelLength] = 1; // T(1)
        hmac.init(new SecretKeySpec(secret, "HmacSHA256"));
        final byte[] t = hmac.doFinal(info);
        return java.util.Arrays.copyOf(t, length);
    }

    /** A QUIC variable-length integer at {@code b[i]}, or -1 when it runs past {@code end}. */
    static long varint(final byte[] b, final int i, final int end)
    {
        if (i >= end)
        {
            return -1;
        }
        final int length = varintLength(b[i]);
        if (i + length > end)
        {
            return -1;
        }
        long v = b[i] & 0x3F;
        for (int k = 1; k < length; k++)
        {
            v = v << 8 | (b[i + k] & 0xFF);
        }
        return v;
    }

    static int varintLength(final byte first)
    {
        return 1 << ((first & 0xFF) >>> 6);
    }

    private static byte[] hex(final String s)
    {
        final byte[] out = new byte[s.length() / 2];
        for (int k = 0; k < out.length; k++)
        {
            out[k] = (byte)Integer.parseInt(s.substring(2 * k, 2 * k + 2), 16);
        }
        return out;
    }
}
