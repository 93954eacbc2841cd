package dev.cella.sandbox.wasi;

import static dev.cella.sandbox.wasi.GuestMemory.check;
import static dev.cella.sandbox.wasi.GuestMemory.u32;

import dev.cella.sandbox.fs.FileStat;
import dev.cella.sandbox.fs.FsError;
import dev.cella.sandbox.fs.FsException;
import dev.cella.sandbox.fs.Resolution;
import dev.cella.sandbox.fs.VirtualFileSystem;
import dev.cella.vm.Instance;
import dev.cella.vm.Memory;
import java.nio.charset.StandardCharsets;

/**
 * The path calls ({@code path_*}). Each resolves its path inside the directory descriptor it is
 * given, with {@link VirtualFileSystem}'s capability rules; a descriptor that is not a directory
 * is NOTDIR.
 */
final class PathCalls {
    private PathCalls() {}

    /** The directory descriptor {@code fd}: EBADF if none, ENOTDIR if not a directory. */
    private static Descriptor dir(Wasi w, long fd) {
        Descriptor d = w.fds.get(fd);
        if (d.kind != Descriptor.Kind.DIRECTORY) {
            throw new WasiError(Errno.NOTDIR);
        }
        return d;
    }

    /** Reads a guest path: EFAULT outside memory, NAMETOOLONG past 4096 bytes, ILSEQ if not UTF-8. */
    private static String path(Instance inst, long ptr, long len) {
        return GuestMemory.readString(inst.memory(), ptr, len, VirtualFileSystem.MAX_PATH);
    }

    /**
     * path_open(dirfd, dirflags, path, path_len, oflags, rights_base, rights_inheriting, fdflags,
     * fd_ptr). Asking for a write right (fd_write, fd_allocate, fd_filestat_set_size) or the
     * append flag opens the file for writing, which a read-only mount refuses (EROFS). The new
     * descriptor's rights are those asked for, within the directory's inheritable rights and
     * those that apply to its kind of node.
     */
    static int pathOpen(Wasi w, Instance inst, long[] a) {
        Descriptor dir = dir(w, u32(a[0]));
        long dirflags = u32(a[1]);
        String path = path(inst, u32(a[2]), u32(a[3]));
        long oflags = u32(a[4]);
        long rightsBase = a[5];
        long rightsInheriting = a[6];
        long fdflags = u32(a[7]);
        long fdPtr = u32(a[8]);
        check(inst.memory(), fdPtr, 4);
        if ((oflags & ~(long) Abi.OFLAGS_ALL) != 0 || (fdflags & ~(long) Abi.FDFLAGS_ALL) != 0) {
            return Errno.INVAL;
        }
        boolean write = (rightsBase & Abi.WRITE_RIGHTS) != 0 || (fdflags & Abi.FDFLAGS_APPEND) != 0;
        int flags = 0;
        if ((oflags & Abi.OFLAGS_CREAT) != 0) {
            flags |= VirtualFileSystem.CREATE;
        }
        if ((oflags & Abi.OFLAGS_EXCL) != 0) {
            flags |= VirtualFileSystem.EXCLUSIVE;
        }
        if ((oflags & Abi.OFLAGS_TRUNC) != 0) {
            flags |= VirtualFileSystem.TRUNCATE;
        }
        if ((oflags & Abi.OFLAGS_DIRECTORY) != 0) {
            flags |= VirtualFileSystem.DIRECTORY;
        }
        if (write) {
            flags |= VirtualFileSystem.WRITE;
        }
        boolean follow = (dirflags & Abi.LOOKUP_SYMLINK_FOLLOW) != 0;
        // The quota is checked before anything is opened or created, so a refused open leaves no trace.
        w.fds.beforeGuestOpen();
        VirtualFileSystem.Opened opened = w.fs.open(dir.node, path, follow, flags);
        Descriptor d;
        if (opened.file() == null) {
            d = Descriptor.directory(opened.node(), rightsBase & Abi.DIR_RIGHTS & dir.rightsInheriting,
                    rightsInheriting & dir.rightsInheriting);
        } else {
            long rights = rightsBase & Abi.FILE_RIGHTS & dir.rightsInheriting;
            if (!opened.file().writable()) {
                rights &= ~Abi.WRITE_RIGHTS;
            }
            d = Descriptor.file(opened.file(), opened.node(), rights, (int) fdflags);
        }
        int fd = w.fds.add(d);
        w.stats.filesOpened++;
        inst.memory().writeI32(fdPtr, fd);
        return Errno.SUCCESS;
    }

    /** path_create_directory(fd, path, path_len). */
    static int pathCreateDirectory(Wasi w, Instance inst, long[] a) {
        Descriptor dir = dir(w, u32(a[0]));
        w.fs.createDirectory(dir.node, path(inst, u32(a[1]), u32(a[2])));
        return Errno.SUCCESS;
    }

    /** path_remove_directory(fd, path, path_len). */
    static int pathRemoveDirectory(Wasi w, Instance inst, long[] a) {
        Descriptor dir = dir(w, u32(a[0]));
        w.fs.removeDirectory(dir.node, path(inst, u32(a[1]), u32(a[2])));
        return Errno.SUCCESS;
    }

    /** path_unlink_file(fd, path, path_len). */
    static int pathUnlinkFile(Wasi w, Instance inst, long[] a) {
        Descriptor dir = dir(w, u32(a[0]));
        w.fs.unlink(dir.node, path(inst, u32(a[1]), u32(a[2])));
        return Errno.SUCCESS;
    }

    /** path_rename(fd, old_path, old_path_len, new_fd, new_path, new_path_len). */
    static int pathRename(Wasi w, Instance inst, long[] a) {
        Descriptor from = dir(w, u32(a[0]));
        String fromPath = path(inst, u32(a[1]), u32(a[2]));
        Descriptor to = dir(w, u32(a[3]));
        String toPath = path(inst, u32(a[4]), u32(a[5]));
        w.fs.rename(from.node, fromPath, to.node, toPath);
        return Errno.SUCCESS;
    }

    /** path_filestat_get(fd, lookupflags, path, path_len, filestat_ptr). */
    static int pathFilestatGet(Wasi w, Instance inst, long[] a) {
        Descriptor dir = dir(w, u32(a[0]));
        boolean follow = (u32(a[1]) & Abi.LOOKUP_SYMLINK_FOLLOW) != 0;
        String path = path(inst, u32(a[2]), u32(a[3]));
        long p = u32(a[4]);
        Memory m = check(inst.memory(), p, Abi.FILESTAT_SIZE);
        Resolution r = w.fs.resolve(dir.node, path, follow);
        if (r.node() == null) {
            throw new FsException(FsError.NOENT, path);
        }
        FileStat st = w.fs.stat(r.node());
        FdCalls.writeFilestat(w, m, p, st);
        return Errno.SUCCESS;
    }

    /** path_filestat_set_times(fd, lookupflags, path, path_len, atim, mtim, fst_flags): see {@link FdCalls#times}. */
    static int pathFilestatSetTimes(Wasi w, Instance inst, long[] a) {
        Descriptor dir = dir(w, u32(a[0]));
        boolean follow = (u32(a[1]) & Abi.LOOKUP_SYMLINK_FOLLOW) != 0;
        String path = path(inst, u32(a[2]), u32(a[3]));
        Long[] t = FdCalls.times(w, inst, a[4], a[5], u32(a[6]));
        Resolution r = w.fs.resolve(dir.node, path, follow);
        if (r.node() == null) {
            throw new FsException(FsError.NOENT, path);
        }
        w.fs.setTimes(r.node(), t[0], t[1]);
        FdCalls.remember(w, inst, w.fs.stat(r.node()), t);
        return Errno.SUCCESS;
    }

    /**
     * path_readlink(fd, path, path_len, buf, buf_len, bufused_ptr): the link's target, cut off
     * at buf_len bytes as POSIX readlink does; no NUL is added.
     */
    static int pathReadlink(Wasi w, Instance inst, long[] a) {
        Descriptor dir = dir(w, u32(a[0]));
        String path = path(inst, u32(a[1]), u32(a[2]));
        long buf = u32(a[3]);
        long bufLen = u32(a[4]);
        long usedPtr = u32(a[5]);
        Memory m = check(inst.memory(), buf, bufLen);
        check(m, usedPtr, 4);
        byte[] target = w.fs.readlink(dir.node, path).getBytes(StandardCharsets.UTF_8);
        int n = (int) Math.min(target.length, bufLen);
        m.write(buf, target, 0, n);
        m.writeI32(usedPtr, n);
        return Errno.SUCCESS;
    }

    /** path_symlink(old_path, old_path_len, fd, new_path, new_path_len): creates new_path pointing at old_path. */
    static int pathSymlink(Wasi w, Instance inst, long[] a) {
        String target = path(inst, u32(a[0]), u32(a[1]));
        Descriptor dir = dir(w, u32(a[2]));
        String path = path(inst, u32(a[3]), u32(a[4]));
        w.fs.symlink(target, dir.node, path);
        return Errno.SUCCESS;
    }
}
