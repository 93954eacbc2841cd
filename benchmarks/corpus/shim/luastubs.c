/* Lua's io.tmpfile needs tmpfile(), which wasi-libc lacks (WASI has no temporary directory).
 * The benchmark scripts never call it; the stub fails as the C standard allows. */
#include <errno.h>
#include <stdio.h>

FILE *tmpfile(void) {
    errno = ENOTSUP;
    return NULL;
}
