package dev.cella.sandbox.wasi;

import static dev.cella.sandbox.wasi.GuestMemory.check;
import static dev.cella.sandbox.wasi.GuestMemory.checkIovecs;
import static dev.cella.sandbox.wasi.GuestMemory.iovBuf;
import static dev.cella.sandbox.wasi.GuestMemory.iovLen;
import static dev.cella.sandbox.wasi.GuestMemory.u32;

import dev.cella.sandbox.fs.DirEntry;
import dev.cella.sandbox.fs.FileStat;
import dev.cella.sandbox.fs.FileType;
import dev.cella.sandbox.fs.FsException;
import dev.cella.vm.BulkWork;
import dev.cella.vm.Instance;
import dev.cella.vm.InterruptHook;
import dev.cella.vm.Memory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The descriptor calls ({@code fd_*}). Reads and writes move bytes directly between guest memory
 * and the file or stream, iovec by iovec, after every iovec was checked: a bad iovec is EFAULT
 * with nothing transferred, and no host buffer is sized by a guest-supplied length.
 */
final class FdCalls {
    private FdCalls() {}

    /** fd_close(fd). */
    static int fdClose(Wasi w, Instance inst, long[] a) {
        w.fds.close(u32(a[0]));
        return Errno.SUCCESS;
    }

    /** fd_renumber(from, to): both must be open; {@code to} is closed first. */
    static int fdRenumber(Wasi w, Instance inst, long[] a) {
        w.fds.renumber(u32(a[0]), u32(a[1]));
        return Errno.SUCCESS;
    }

    /** fd_read(fd, iovs, iovs_len, nread_ptr). */
    static int fdRead(Wasi w, Instance inst, long[] a) {
        Descriptor d = w.fds.get(u32(a[0]));
        Memory m = inst.memory();
        long iovs = u32(a[1]);
        long count = u32(a[2]);
        long resultPtr = u32(a[3]);
        check(m, resultPtr, 4);
        checkIovecs(m, iovs, count);
        long n = switch (d.kind) {
            case STDIN -> readStream(w, inst, iovs, count);
            case FILE -> {
                requireRight(d, Abi.RIGHT_FD_READ, Errno.BADF);
                long got = readFile(d, m, iovs, count, d.position);
                d.position += got;
                yield got;
            }
            case STREAM -> {
                requireRight(d, Abi.RIGHT_FD_READ, Errno.BADF);
                yield StreamCalls.read(w, inst, d, iovs, count, false, false);
            }
            case DIRECTORY -> throw new WasiError(Errno.ISDIR);
            case STDOUT, STDERR -> throw new WasiError(Errno.BADF);
        };
        m.writeI32(resultPtr, (int) n);
        BulkWork.chargeHost(inst, n);
        return Errno.SUCCESS;
    }

    /** fd_pread(fd, iovs, iovs_len, offset, nread_ptr): does not move the offset. */
    static int fdPread(Wasi w, Instance inst, long[] a) {
        Descriptor d = w.fds.get(u32(a[0]));
        Memory m = inst.memory();
        long iovs = u32(a[1]);
        long count = u32(a[2]);
        long offset = a[3];
        long resultPtr = u32(a[4]);
        requireFile(d);
        requireRight(d, Abi.RIGHT_FD_READ, Errno.BADF);
        if (offset < 0) {
            throw new WasiError(Errno.INVAL);
        }
        check(m, resultPtr, 4);
        checkIovecs(m, iovs, count);
        long n = readFile(d, m, iovs, count, offset);
        m.writeI32(resultPtr, (int) n);
        BulkWork.chargeHost(inst, n);
        return Errno.SUCCESS;
    }

    private static long readStream(Wasi w, Instance inst, long iovs, long count) {
        Memory m = inst.memory();
        InputStream in = w.stdin();
        if (in == null) {
            return 0;
        }
        byte[] bytes = m.array();
        long total = 0;
        try {
            for (long i = 0; i < count; i++) {
                int len = iovLen(m, iovs, i);
                if (len == 0) {
                    continue;
                }
                int got = read(inst, in, bytes, iovBuf(m, iovs, i), len);
                if (got <= 0) {
                    break;
                }
                total += got;
                if (got < len) {
                    break; // a short read: return what is there rather than block for more
                }
            }
        } catch (IOException e) {
            if (total == 0) {
                throw new WasiError(Errno.IO);
            }
        }
        w.stats.stdinRead += total;
        return total;
    }

    /**
     * Reads from the host stream; a read that may block (no data available yet) is announced to
     * the instance's interrupt hook, so a scheduler can lend the cell's thread slot meanwhile.
     */
    private static int read(Instance inst, InputStream in, byte[] bytes, int off, int len) throws IOException {
        InterruptHook hook = inst.interruptHook();
        if (hook == null || in.available() > 0) {
            return in.read(bytes, off, len);
        }
        hook.blockingStarts(inst);
        try {
            return in.read(bytes, off, len);
        } finally {
            hook.blockingEnds(inst);
        }
    }

    private static long readFile(Descriptor d, Memory m, long iovs, long count, long position) {
        byte[] bytes = m.array();
        long total = 0;
        for (long i = 0; i < count; i++) {
            int len = iovLen(m, iovs, i);
            int got = d.file.read(position + total, bytes, iovBuf(m, iovs, i), len);
            total += got;
            if (got < len) {
                break;
            }
        }
        return total;
    }

    /** fd_write(fd, iovs, iovs_len, nwritten_ptr). */
    static int fdWrite(Wasi w, Instance inst, long[] a) {
        Descriptor d = w.fds.get(u32(a[0]));
        Memory m = inst.memory();
        long iovs = u32(a[1]);
        long count = u32(a[2]);
        long resultPtr = u32(a[3]);
        check(m, resultPtr, 4);
        long total = checkIovecs(m, iovs, count);
        switch (d.kind) {
            case STDOUT, STDERR -> writeStream(w, d.kind, m, iovs, count, total);
            case FILE -> {
                requireRight(d, Abi.RIGHT_FD_WRITE, Errno.BADF);
                long at = (d.fdflags & Abi.FDFLAGS_APPEND) != 0 ? d.file.size() : d.position;
                total = writeFile(d, m, iovs, count, at);
                d.position = at + total;
            }
            case STREAM -> {
                requireRight(d, Abi.RIGHT_FD_WRITE, Errno.BADF);
                total = StreamCalls.write(w, inst, d, iovs, count);
            }
            case STDIN, DIRECTORY -> throw new WasiError(Errno.BADF);
        }
        m.writeI32(resultPtr, (int) total);
        BulkWork.chargeHost(inst, total);
        return Errno.SUCCESS;
    }

    /** fd_pwrite(fd, iovs, iovs_len, offset, nwritten_ptr): does not move the offset. */
    static int fdPwrite(Wasi w, Instance inst, long[] a) {
        Descriptor d = w.fds.get(u32(a[0]));
        Memory m = inst.memory();
        long iovs = u32(a[1]);
        long count = u32(a[2]);
        long offset = a[3];
        long resultPtr = u32(a[4]);
        requireFile(d);
        requireRight(d, Abi.RIGHT_FD_WRITE, Errno.BADF);
        if (offset < 0) {
            throw new WasiError(Errno.INVAL);
        }
        check(m, resultPtr, 4);
        checkIovecs(m, iovs, count);
        long written = writeFile(d, m, iovs, count, offset);
        m.writeI32(resultPtr, (int) written);
        BulkWork.chargeHost(inst, written);
        return Errno.SUCCESS;
    }

    private static void writeStream(Wasi w, Descriptor.Kind kind, Memory m, long iovs, long count, long total) {
        w.limits.beforeOutput(w.stats.stdoutWritten + w.stats.stderrWritten, total);
        OutputStream out = kind == Descriptor.Kind.STDOUT ? w.options.stdout() : w.options.stderr();
        if (out != null) {
            byte[] bytes = m.array();
            try {
                for (long i = 0; i < count; i++) {
                    out.write(bytes, iovBuf(m, iovs, i), iovLen(m, iovs, i));
                }
                out.flush();
            } catch (IOException e) {
                throw new WasiError(Errno.PIPE);
            }
            // A PrintStream (the CLI's stdout) keeps its failures to itself: ask it. A stream the
            // host can no longer write is, for the guest, a pipe whose reader went away.
            if (out instanceof PrintStream ps && ps.checkError()) {
                throw new WasiError(Errno.PIPE);
            }
        }
        if (kind == Descriptor.Kind.STDOUT) {
            w.stats.stdoutWritten += total;
        } else {
            w.stats.stderrWritten += total;
        }
    }

    /**
     * Writes the iovecs in turn and returns the bytes written. An iovec refused (the disk quota,
     * a full host disk) after others were written makes a short write, as POSIX has it, so the
     * guest learns exactly what is in the file; refused at the first, the call fails with its
     * errno and wrote nothing.
     */
    private static long writeFile(Descriptor d, Memory m, long iovs, long count, long position) {
        byte[] bytes = m.array();
        long at = position;
        for (long i = 0; i < count; i++) {
            int len = iovLen(m, iovs, i);
            if (len > 0) {
                try {
                    d.file.write(at, bytes, iovBuf(m, iovs, i), len);
                } catch (FsException e) {
                    if (at == position) {
                        throw e;
                    }
                    break;
                }
                at += len;
            }
        }
        if ((d.fdflags & (Abi.FDFLAGS_SYNC | Abi.FDFLAGS_DSYNC)) != 0) {
            d.file.sync();
        }
        return at - position;
    }

    private static void requireFile(Descriptor d) {
        switch (d.kind) {
            case FILE -> { }
            case DIRECTORY -> throw new WasiError(Errno.ISDIR);
            default -> throw new WasiError(Errno.SPIPE);
        }
    }

    private static void requireRight(Descriptor d, long right, int errno) {
        if ((d.rightsBase & right) == 0) {
            throw new WasiError(errno);
        }
    }

    /** fd_seek(fd, offset, whence, newoffset_ptr). */
    static int fdSeek(Wasi w, Instance inst, long[] a) {
        Descriptor d = w.fds.get(u32(a[0]));
        long offset = a[1];
        long whence = u32(a[2]);
        long resultPtr = u32(a[3]);
        if (d.isStream()) {
            throw new WasiError(Errno.SPIPE);
        }
        if (d.kind == Descriptor.Kind.DIRECTORY) {
            throw new WasiError(Errno.BADF);
        }
        check(inst.memory(), resultPtr, 8);
        long base = switch ((int) whence) {
            case Abi.WHENCE_SET -> 0;
            case Abi.WHENCE_CUR -> d.position;
            case Abi.WHENCE_END -> d.file.size();
            default -> throw new WasiError(Errno.INVAL);
        };
        long target;
        try {
            target = Math.addExact(base, offset);
        } catch (ArithmeticException e) {
            throw new WasiError(Errno.OVERFLOW);
        }
        if (target < 0) {
            throw new WasiError(Errno.INVAL);
        }
        d.position = target;
        inst.memory().writeI64(resultPtr, target);
        return Errno.SUCCESS;
    }

    /** fd_tell(fd, offset_ptr). */
    static int fdTell(Wasi w, Instance inst, long[] a) {
        Descriptor d = w.fds.get(u32(a[0]));
        if (d.isStream()) {
            throw new WasiError(Errno.SPIPE);
        }
        if (d.kind == Descriptor.Kind.DIRECTORY) {
            throw new WasiError(Errno.BADF);
        }
        GuestMemory.writeU64(inst.memory(), u32(a[1]), d.position);
        return Errno.SUCCESS;
    }

    /** fd_sync(fd) and fd_datasync(fd): force a file's data to the host's storage. */
    static int fdSync(Wasi w, Instance inst, long[] a) {
        Descriptor d = w.fds.get(u32(a[0]));
        switch (d.kind) {
            case FILE -> d.file.sync();
            case DIRECTORY -> { }
            default -> throw new WasiError(Errno.INVAL);
        }
        return Errno.SUCCESS;
    }

    /** fd_fdstat_get(fd, fdstat_ptr): filetype u8 @0, flags u16 @2, rights u64 @8, inheriting u64 @16. */
    static int fdFdstatGet(Wasi w, Instance inst, long[] a) {
        Descriptor d = w.fds.get(u32(a[0]));
        long p = u32(a[1]);
        Memory m = check(inst.memory(), p, Abi.FDSTAT_SIZE);
        int type = switch (d.kind) {
            case STDIN, STDOUT, STDERR -> Abi.filetype(streamType(w, d));
            case FILE -> Abi.filetype(d.node.type()); // a regular file or an in-memory device
            case DIRECTORY -> Abi.FILETYPE_DIRECTORY;
            case STREAM -> Abi.filetype(streamType(d));
        };
        m.writeI64(p, 0);
        m.writeU8(p, type);
        m.writeU16(p + 2, d.fdflags);
        m.writeI64(p + 8, d.rightsBase);
        m.writeI64(p + 16, d.rightsInheriting);
        return Errno.SUCCESS;
    }

    /**
     * What a standard stream is, truthfully: a character device if it is a terminal on the host,
     * else of unknown type (a pipe or a file), so that the guest's {@code isatty} (which asks
     * for a character device) answers as it would natively: programs buffer and refuse terminals
     * by it.
     */
    private static FileType streamType(Wasi w, Descriptor d) {
        int fd = switch (d.kind) {
            case STDIN -> 0;
            case STDOUT -> 1;
            default -> 2;
        };
        return w.options.isTerminal(fd) ? FileType.CHARACTER_DEVICE : FileType.UNKNOWN;
    }

    /** A socket's or pipe's type: a socket stream, or unknown (as WASI reports a pipe). */
    private static FileType streamType(Descriptor d) {
        return d.stream.isSocket() ? FileType.SOCKET_STREAM : FileType.UNKNOWN;
    }

    /**
     * fd_fdstat_set_flags(fd, flags): APPEND, SYNC and DSYNC take effect on files, NONBLOCK on
     * sockets and pipes (docs/network.md); RSYNC is kept.
     */
    static int fdFdstatSetFlags(Wasi w, Instance inst, long[] a) {
        Descriptor d = w.fds.get(u32(a[0]));
        long flags = u32(a[1]);
        if ((flags & ~(long) Abi.FDFLAGS_ALL) != 0) {
            return Errno.INVAL;
        }
        if ((d.rightsBase & Abi.RIGHT_FD_FDSTAT_SET_FLAGS) == 0) {
            return Errno.NOTCAPABLE;
        }
        d.fdflags = (int) flags;
        return Errno.SUCCESS;
    }

    /** fd_filestat_get(fd, filestat_ptr). */
    static int fdFilestatGet(Wasi w, Instance inst, long[] a) {
        Descriptor d = w.fds.get(u32(a[0]));
        long p = u32(a[1]);
        check(inst.memory(), p, Abi.FILESTAT_SIZE);
        FileStat st = switch (d.kind) {
            case FILE -> d.file.stat();
            case DIRECTORY -> w.fs.stat(d.node);
            case STDIN, STDOUT, STDERR -> new FileStat(0, 0, streamType(w, d), 1, 0, 0, 0, 0);
            case STREAM -> new FileStat(0, 0, streamType(d), 1, 0, 0, 0, 0);
        };
        writeFilestat(w, inst.memory(), p, st);
        return Errno.SUCCESS;
    }

    /**
     * Writes a 64-byte filestat: dev @0, ino @8, filetype u8 @16, nlink @24, size @32, atim @40,
     * mtim @48, ctim @56. A mounted node's times are the host clock's readings, so unless the
     * cell was given the host clock they are all reported as the virtual clock's epoch (the
     * same for every file and every run): a guest must not learn the host's time from a file it
     * just wrote. Times the guest set itself are the exception ({@link GuestTimes}).
     */
    static void writeFilestat(Wasi w, Memory m, long p, FileStat st) {
        check(m, p, Abi.FILESTAT_SIZE);
        if (st.mounted() && !w.clock.isHost()) {
            st = w.guestTimes.seen(st);
        }
        m.writeI64(p, st.dev());
        m.writeI64(p + 8, st.ino());
        m.writeI64(p + 16, 0);
        m.writeU8(p + 16, Abi.filetype(st.type()));
        m.writeI64(p + 24, st.nlink());
        m.writeI64(p + 32, st.size());
        m.writeI64(p + 40, st.atim());
        m.writeI64(p + 48, st.mtim());
        m.writeI64(p + 56, st.ctim());
    }

    /** fd_filestat_set_size(fd, size): truncates or zero-extends a file open for writing. */
    static int fdFilestatSetSize(Wasi w, Instance inst, long[] a) {
        Descriptor d = w.fds.get(u32(a[0]));
        long size = a[1];
        requireFile(d);
        if ((d.rightsBase & Abi.RIGHT_FD_FILESTAT_SET_SIZE) == 0 || !d.file.writable()) {
            return Errno.BADF;
        }
        if (size < 0) {
            return Errno.INVAL;
        }
        d.file.setSize(size);
        return Errno.SUCCESS;
    }

    /**
     * fd_filestat_set_times(fd, atim, mtim, fst_flags): see {@link #times}. Needs the
     * fd_filestat_set_times right (stdio lacks it: EBADF).
     */
    static int fdFilestatSetTimes(Wasi w, Instance inst, long[] a) {
        Descriptor d = w.fds.get(u32(a[0]));
        if ((d.rightsBase & Abi.RIGHT_FD_FILESTAT_SET_TIMES) == 0 || d.node == null) {
            return Errno.BADF;
        }
        Long[] t = times(w, inst, a[1], a[2], u32(a[3]));
        w.fs.setTimes(d.node, t[0], t[1]);
        remember(w, inst, d.kind == Descriptor.Kind.FILE ? d.file.stat() : w.fs.stat(d.node), t);
        return Errno.SUCCESS;
    }

    /**
     * The access and modification times a set_times call asks for ({@code fst_flags}: bit 0 atim,
     * bit 1 atim now, bit 2 mtim, bit 3 mtim now; null for a time left as it is). "Now" is the
     * cell's realtime clock, virtual unless the host clock was granted, so setting a time never
     * reveals or records the host's time to a guest that was not given it.
     *
     * @throws WasiError INVAL for unknown flags, or a time both given and "now"
     */
    static Long[] times(Wasi w, Instance inst, long atim, long mtim, long flags) {
        if ((flags & ~15L) != 0 || (flags & 3) == 3 || (flags & 12) == 12) {
            throw new WasiError(Errno.INVAL);
        }
        long now = w.clock.now(Abi.CLOCK_REALTIME, inst);
        Long at = (flags & 1) != 0 ? Long.valueOf(atim) : (flags & 2) != 0 ? Long.valueOf(now) : null;
        Long mt = (flags & 4) != 0 ? Long.valueOf(mtim) : (flags & 8) != 0 ? Long.valueOf(now) : null;
        return new Long[] {at, mt};
    }

    /** After a set_times call on the node {@code st}: without the host clock, see {@link GuestTimes}. */
    static void remember(Wasi w, Instance inst, FileStat st, Long[] t) {
        if (st.mounted() && !w.clock.isHost()) {
            w.guestTimes.set(st, t[0], t[1], w.clock.now(Abi.CLOCK_REALTIME, inst));
        }
    }

    /** fd_prestat_get(fd, prestat_ptr): tag u8 @0 (0 = directory), name length u32 @4; EBADF if not a preopen. */
    static int fdPrestatGet(Wasi w, Instance inst, long[] a) {
        Descriptor d = w.fds.get(u32(a[0]));
        if (d.preopenPath == null) {
            return Errno.BADF;
        }
        long p = u32(a[1]);
        Memory m = check(inst.memory(), p, Abi.PRESTAT_SIZE);
        m.writeI64(p, 0);
        m.writeU8(p, Abi.PREOPENTYPE_DIR);
        m.writeI32(p + 4, d.preopenPath.getBytes(StandardCharsets.UTF_8).length);
        return Errno.SUCCESS;
    }

    /** fd_prestat_dir_name(fd, path, path_len): the preopen's guest path, not NUL-terminated. */
    static int fdPrestatDirName(Wasi w, Instance inst, long[] a) {
        Descriptor d = w.fds.get(u32(a[0]));
        if (d.preopenPath == null) {
            return Errno.BADF;
        }
        byte[] name = d.preopenPath.getBytes(StandardCharsets.UTF_8);
        long p = u32(a[1]);
        long len = u32(a[2]);
        if (len < name.length) {
            return Errno.NAMETOOLONG;
        }
        GuestMemory.writeBytes(inst.memory(), p, name, 0, name.length);
        return Errno.SUCCESS;
    }

    /**
     * fd_readdir(fd, buf, buf_len, cookie, bufused_ptr): entries {@code .}, {@code ..}, then the
     * directory's entries sorted by name; the cookie is an entry's index. Each entry is a 24-byte
     * dirent (next cookie @0, ino @8, name length u32 @16, filetype u8 @20) and its name; the
     * last entry is cut off where the buffer ends, as WASI specifies, and a full buffer tells the
     * guest to call again.
     */
    static int fdReaddir(Wasi w, Instance inst, long[] a) {
        Descriptor d = w.fds.get(u32(a[0]));
        long buf = u32(a[1]);
        long bufLen = u32(a[2]);
        long cookie = a[3];
        long usedPtr = u32(a[4]);
        if (d.kind != Descriptor.Kind.DIRECTORY) {
            return Errno.NOTDIR;
        }
        Memory m = check(inst.memory(), buf, bufLen);
        check(m, usedPtr, 4);
        if (cookie < 0) {
            return Errno.INVAL;
        }
        if (cookie == 0 || d.listing == null) {
            List<DirEntry> list = new ArrayList<>();
            long self = w.fs.stat(d.node).ino();
            list.add(new DirEntry(".", self, FileType.DIRECTORY));
            list.add(new DirEntry("..", w.fs.parentIno(d.node), FileType.DIRECTORY));
            list.addAll(w.fs.list(d.node));
            d.listing = list;
        }
        long used = 0;
        byte[] entry = new byte[Abi.DIRENT_SIZE + 256 * 4];
        for (long i = cookie; i < d.listing.size() && used < bufLen; i++) {
            DirEntry e = d.listing.get((int) i);
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            int size = Abi.DIRENT_SIZE + name.length;
            if (entry.length < size) {
                entry = new byte[size];
            }
            java.util.Arrays.fill(entry, 0, Abi.DIRENT_SIZE, (byte) 0);
            Memory.storeI64(entry, 0, i + 1);
            Memory.storeI64(entry, 8, e.ino());
            Memory.storeI32(entry, 16, name.length);
            entry[20] = (byte) Abi.filetype(e.type());
            System.arraycopy(name, 0, entry, Abi.DIRENT_SIZE, name.length);
            int n = (int) Math.min(size, bufLen - used);
            m.write(buf + used, entry, 0, n);
            used += n;
        }
        m.writeI32(usedPtr, (int) used);
        return Errno.SUCCESS;
    }
}
