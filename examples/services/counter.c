/*
 * counter.c: counts its own runs in db:state (table "app", key "runs"), in a transaction that
 * is retried if another cell commits first. With --data-dir the count survives restarts:
 *   cella run --service db:state:rw --data-dir /tmp/state counter.wasm    # run 1, run 2, ...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cella_services.h"

int main(void) {
    for (;;) {
        uint32_t tx;
        int e = cella_db_begin("state", &tx);
        if (e) {
            fprintf(stderr, "counter: begin: %s\n", strerror(e));
            return 1;
        }
        char buf[32];
        size_t len = 0;
        long runs = 0;
        e = cella_db_get(tx, "app", "runs", 4, buf, sizeof buf - 1, &len);
        if (e == 0) {
            buf[len] = 0;
            runs = atol(buf);
        } else if (e != ENOENT) {
            fprintf(stderr, "counter: get: %s\n", strerror(e));
            return 1;
        }
        int n = snprintf(buf, sizeof buf, "%ld", runs + 1);
        cella_db_put(tx, "app", "runs", 4, buf, (size_t)n);
        e = cella_db_commit(tx);
        if (e == ECANCELED) {
            continue; /* another cell counted at the same time: count again */
        }
        if (e) {
            fprintf(stderr, "counter: commit: %s\n", strerror(e));
            return 1;
        }
        printf("run %ld\n", runs + 1);
        return 0;
    }
}
