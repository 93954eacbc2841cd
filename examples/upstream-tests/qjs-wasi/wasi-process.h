/* What quickjs-libc uses of POSIX that WASI preview 1 lacks: the process calls (they fail with
   ENOSYS, see wasi-process.c), the wait macros for their statuses, realpath and tmpfile.
   quickjs-libc.c includes this instead of <dlfcn.h>, <termios.h>, <sys/ioctl.h> and <sys/wait.h>
   (quickjs-libc-wasi.patch). */
#ifndef QJS_WASI_PROCESS_H
#define QJS_WASI_PROCESS_H
#include <stdio.h>
#include <sys/types.h>
#define WNOHANG 1
#define WEXITSTATUS(s) (((s) & 0xff00) >> 8)
#define WTERMSIG(s) ((s) & 0x7f)
#define WIFEXITED(s) (WTERMSIG(s) == 0)
#define WIFSIGNALED(s) (((signed char) (((s) & 0x7f) + 1) >> 1) > 0)
pid_t waitpid(pid_t pid, int *status, int options);
pid_t fork(void);
int execve(const char *path, char *const argv[], char *const envp[]);
int execv(const char *path, char *const argv[]);
int execvp(const char *file, char *const argv[]);
int pipe(int fds[2]);
int kill(pid_t pid, int sig);
int dup(int fd);
int dup2(int fd, int fd2);
int setuid(uid_t uid);
int setgid(gid_t gid);
FILE *popen(const char *command, const char *mode);
int pclose(FILE *f);
char *realpath(const char *restrict path, char *restrict resolved);
FILE *tmpfile(void);
#endif
