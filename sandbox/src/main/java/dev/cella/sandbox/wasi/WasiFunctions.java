package dev.cella.sandbox.wasi;

import dev.cella.isa.ValType;
import dev.cella.isa.module.FuncType;
import dev.cella.vm.Instance;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every call of WASI preview 1 with its signature (in Cella value types: pointers, sizes, fds and
 * flags are i32; offsets, sizes of files, timestamps and rights are i64; each call returns its
 * errno as an i32, except {@code proc_exit}) and its implementation, or none for the calls this
 * host does not support, which return NOSYS. {@code docs/host-abi.md} lists the same table.
 */
final class WasiFunctions {
    /** An implementation: returns the errno (or throws {@link WasiError}). */
    @FunctionalInterface
    interface Call {
        int invoke(Wasi wasi, Instance instance, long[] args);
    }

    /** @param call null if the call is not supported */
    record Entry(FuncType type, Call call) {}

    private static final Map<String, Entry> TABLE = new LinkedHashMap<>();

    static {
        def("args_get", "ii", EnvCalls::argsGet);
        def("args_sizes_get", "ii", EnvCalls::argsSizesGet);
        def("environ_get", "ii", EnvCalls::environGet);
        def("environ_sizes_get", "ii", EnvCalls::environSizesGet);
        def("clock_res_get", "ii", EnvCalls::clockResGet);
        def("clock_time_get", "iIi", EnvCalls::clockTimeGet);
        def("fd_advise", "iIIi", null);
        def("fd_allocate", "iII", null);
        def("fd_close", "i", FdCalls::fdClose);
        def("fd_datasync", "i", FdCalls::fdSync);
        def("fd_fdstat_get", "ii", FdCalls::fdFdstatGet);
        def("fd_fdstat_set_flags", "ii", FdCalls::fdFdstatSetFlags);
        def("fd_fdstat_set_rights", "iII", null);
        def("fd_filestat_get", "ii", FdCalls::fdFilestatGet);
        def("fd_filestat_set_size", "iI", FdCalls::fdFilestatSetSize);
        def("fd_filestat_set_times", "iIIi", FdCalls::fdFilestatSetTimes);
        def("fd_pread", "iiiIi", FdCalls::fdPread);
        def("fd_prestat_get", "ii", FdCalls::fdPrestatGet);
        def("fd_prestat_dir_name", "iii", FdCalls::fdPrestatDirName);
        def("fd_pwrite", "iiiIi", FdCalls::fdPwrite);
        def("fd_read", "iiii", FdCalls::fdRead);
        def("fd_readdir", "iiiIi", FdCalls::fdReaddir);
        def("fd_renumber", "ii", FdCalls::fdRenumber);
        def("fd_seek", "iIii", FdCalls::fdSeek);
        def("fd_sync", "i", FdCalls::fdSync);
        def("fd_tell", "ii", FdCalls::fdTell);
        def("fd_write", "iiii", FdCalls::fdWrite);
        def("path_create_directory", "iii", PathCalls::pathCreateDirectory);
        def("path_filestat_get", "iiiii", PathCalls::pathFilestatGet);
        def("path_filestat_set_times", "iiiiIIi", PathCalls::pathFilestatSetTimes);
        def("path_link", "iiiiiii", null);
        def("path_open", "iiiiiIIii", PathCalls::pathOpen);
        def("path_readlink", "iiiiii", PathCalls::pathReadlink);
        def("path_remove_directory", "iii", PathCalls::pathRemoveDirectory);
        def("path_rename", "iiiiii", PathCalls::pathRename);
        def("path_symlink", "iiiii", PathCalls::pathSymlink);
        def("path_unlink_file", "iii", PathCalls::pathUnlinkFile);
        def("poll_oneoff", "iiii", PollCalls::pollOneoff);
        TABLE.put("proc_exit", new Entry(new FuncType(List.of(ValType.I32), List.of()), EnvCalls::procExit));
        def("proc_raise", "i", null);
        def("sched_yield", "", EnvCalls::schedYield);
        def("random_get", "ii", EnvCalls::randomGet);
        def("sock_accept", "iii", StreamCalls::sockAccept);
        def("sock_recv", "iiiiii", StreamCalls::sockRecv);
        def("sock_send", "iiiii", StreamCalls::sockSend);
        def("sock_shutdown", "ii", StreamCalls::sockShutdown);
    }

    private WasiFunctions() {}

    /** Defines a call returning an errno; {@code params} has one letter per parameter, i = i32, I = i64. */
    private static void def(String name, String params, Call call) {
        List<ValType> p = new ArrayList<>();
        for (char c : params.toCharArray()) {
            p.add(c == 'I' ? ValType.I64 : ValType.I32);
        }
        TABLE.put(name, new Entry(new FuncType(p, List.of(ValType.I32)), call));
    }

    /** The call named {@code name}, or null if WASI preview 1 has none. */
    static Entry get(String name) {
        return TABLE.get(name);
    }

    /** All calls, in the order of the WASI specification's list. */
    static Map<String, Entry> all() {
        return Collections.unmodifiableMap(TABLE);
    }
}
