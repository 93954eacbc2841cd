/* What quickjs-libc needs of POSIX that WASI preview 1 lacks (see ../README.md).
 *
 * Processes, pipes, signals to other processes and descriptor duplication do not exist in
 * WASI: each of these fails with ENOSYS, so os.exec, os.waitpid, os.pipe, os.kill, os.dup,
 * os.dup2 and std.popen return or throw the error a script can test for. realpath is
 * implemented: wasi-libc has none, and qjs calls it for every module it loads
 * (import.meta.url). It is lexical (".", ".." and repeated slashes removed from the absolute
 * path) and checks that the result exists; symbolic links are not resolved. tmpfile is
 * implemented too (wasi-libc has none: WASI has no temporary directory): it creates a new file
 * in $TMPDIR, else /tmp, which the cell must be given as a writable mount, and removes its name
 * at once, so the file goes when it is closed. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "wasi-process.h"

pid_t waitpid(pid_t pid, int *status, int options) { errno = ENOSYS; return -1; }
pid_t fork(void) { errno = ENOSYS; return -1; }
int execve(const char *path, char *const argv[], char *const envp[]) { errno = ENOSYS; return -1; }
int execv(const char *path, char *const argv[]) { errno = ENOSYS; return -1; }
int execvp(const char *file, char *const argv[]) { errno = ENOSYS; return -1; }
int pipe(int fds[2]) { errno = ENOSYS; return -1; }
int kill(pid_t pid, int sig) { errno = ENOSYS; return -1; }
int dup(int fd) { errno = ENOSYS; return -1; }
int dup2(int fd, int fd2) { errno = ENOSYS; return -1; }
int setuid(uid_t uid) { errno = ENOSYS; return -1; }
int setgid(gid_t gid) { errno = ENOSYS; return -1; }
FILE *popen(const char *command, const char *mode) { errno = ENOSYS; return NULL; }
int pclose(FILE *f) { errno = ENOSYS; return -1; }

char *realpath(const char *restrict path, char *restrict resolved)
{
    char in[PATH_MAX], out[PATH_MAX];
    size_t n = 0;
    struct stat st;
    if (path[0] == '/') {
        if (strlen(path) >= sizeof(in)) { errno = ENAMETOOLONG; return NULL; }
        strcpy(in, path);
    } else {
        if (!getcwd(in, sizeof(in))) return NULL;
        if (strlen(in) + 1 + strlen(path) >= sizeof(in)) { errno = ENAMETOOLONG; return NULL; }
        strcat(in, "/");
        strcat(in, path);
    }
    /* out holds "/a/b" without a trailing slash, or nothing for the root. */
    for (char *c = in; *c;) {
        char *end = strchr(c, '/');
        size_t len = end ? (size_t) (end - c) : strlen(c);
        if (len == 0 || (len == 1 && c[0] == '.')) {
            /* nothing */
        } else if (len == 2 && c[0] == '.' && c[1] == '.') {
            while (n > 0 && out[--n] != '/') {}
        } else {
            if (n + 1 + len >= sizeof(out)) { errno = ENAMETOOLONG; return NULL; }
            out[n++] = '/';
            memcpy(out + n, c, len);
            n += len;
        }
        c += len + (end ? 1 : 0);
    }
    if (n == 0) out[n++] = '/';
    out[n] = 0;
    if (stat(out, &st) != 0) return NULL;
    if (!resolved && !(resolved = malloc(n + 1))) return NULL;
    return strcpy(resolved, out);
}

FILE *tmpfile(void)
{
    static unsigned counter;
    const char *dir = getenv("TMPDIR");
    char name[PATH_MAX];
    if (!dir || !*dir) dir = "/tmp";
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(name, sizeof(name), "%s/qjs-tmp-%u", dir, counter++);
        int fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd < 0) {
            if (errno == EEXIST) continue;
            return NULL;
        }
        unlink(name);
        FILE *f = fdopen(fd, "w+");
        if (!f) close(fd);
        return f;
    }
    errno = EEXIST;
    return NULL;
}
