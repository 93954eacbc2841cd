/* Empty stand-in for <setjmp.h>: wasi-libc has none without the exception-handling proposal.
 * The Lua benchmark build defines LUAI_THROW/LUAI_TRY/luai_jmpbuf itself (see build.sh),
 * so nothing from this header is used. */
