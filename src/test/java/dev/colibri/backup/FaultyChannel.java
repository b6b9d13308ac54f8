package dev.colibri.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** A real file channel that fails on purpose: after a number of positional writes, or on every fsync. */
final class FaultyChannel extends FileChannel {

    private final FileChannel real;
    private final int writesBeforeFailure;
    private final boolean failForce;
    private int writes;

    private FaultyChannel(FileChannel real, int writesBeforeFailure, boolean failForce) {
        this.real = real;
        this.writesBeforeFailure = writesBeforeFailure;
        this.failForce = failForce;
    }

    static FileChannel failingWrites(FileChannel real, int writesBeforeFailure) {
        return new FaultyChannel(real, writesBeforeFailure, false);
    }

    static FileChannel failingForce(FileChannel real) {
        return new FaultyChannel(real, Integer.MAX_VALUE, true);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        if (++writes > writesBeforeFailure) {
            throw new IOException("No space left on device (injected)");
        }
        return real.write(src, position);
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (failForce) {
            throw new IOException("Input/output error (injected)");
        }
        real.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return real.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return real.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return real.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return real.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
        return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        real.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        real.truncate(size);
        return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return real.transferFrom(src, position, count);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return real.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        real.close();
    }
}
