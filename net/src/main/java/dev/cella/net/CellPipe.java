package dev.cella.net;

import dev.cella.sandbox.CellExtension;
import dev.cella.sandbox.Stdin;
import dev.cella.vm.ImportResolver;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pipe from one cell's standard output to another's standard input ({@code producer | consumer}).
 * The producer never blocks on it: its output is buffered until the consumer reads it, bounded
 * by the producer's output quota ({@code maxOutput}, 64 MiB by default), so two cells sharing
 * one scheduler thread cannot deadlock on a full pipe. The consumer's read waits for bytes and is
 * announced as blocking, so its scheduler slot is lent meanwhile; it reads the end of the stream
 * once the producer's cell has ended and everything was read.
 *
 * <pre>{@code
 * CellPipe pipe = new CellPipe("gen | upper");
 * CellConfig producer = CellConfig.builder().stdout(pipe.output()).extension(pipe.writerEnd()).build();
 * CellConfig consumer = CellConfig.builder().stdin(pipe.stdin()).build();
 * }</pre>
 */
public final class CellPipe {
    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private byte[] buf = new byte[8192];
    private int head;
    private int size;
    private boolean writerClosed;
    private boolean readerOpened;

    public CellPipe(String name) {
        this.name = name;
    }

    /** The producer's standard output. */
    public OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                put(b, off, len);
            }
        };
    }

    /** Attached to the producer: the pipe ends (EOF for the consumer) when the producer's cell ends. */
    public CellExtension writerEnd() {
        return context -> {
            context.onClose(this::closeWriter);
            return ImportResolver.NONE;
        };
    }

    /** The consumer's standard input (one reader: a second cell opening it reads nothing). */
    public Stdin stdin() {
        return Stdin.stream("pipe " + name, this::openReader);
    }

    private void put(byte[] b, int off, int len) {
        lock.lock();
        try {
            if (writerClosed) {
                return; // the producer's cell ended; a late write (a flush) goes nowhere
            }
            if (buf.length - size < len) {
                byte[] grown = new byte[Math.max(buf.length * 2, size + len)];
                for (int i = 0; i < size; i++) {
                    grown[i] = buf[(head + i) % buf.length];
                }
                buf = grown;
                head = 0;
            }
            for (int i = 0; i < len; i++) {
                buf[(head + size + i) % buf.length] = b[off + i];
            }
            size += len;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Ends the pipe: the consumer reads what is left, then the end of the stream. */
    public void closeWriter() {
        lock.lock();
        try {
            writerClosed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private InputStream openReader() {
        lock.lock();
        try {
            if (readerOpened) {
                return InputStream.nullInputStream();
            }
            readerOpened = true;
        } finally {
            lock.unlock();
        }
        return new InputStream() {
            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return take(b, off, len);
            }

            @Override
            public int available() {
                lock.lock();
                try {
                    return size;
                } finally {
                    lock.unlock();
                }
            }
        };
    }

    private int take(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            while (size == 0 && !writerClosed) {
                changed.awaitUninterruptibly();
            }
            if (size == 0) {
                return -1;
            }
            int n = Math.min(len, size);
            for (int i = 0; i < n; i++) {
                b[off + i] = buf[(head + i) % buf.length];
            }
            head = (head + n) % buf.length;
            size -= n;
            return n;
        } finally {
            lock.unlock();
        }
    }
}
