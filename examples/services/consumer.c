/*
 * consumer.c: takes jobs from queue:jobs until it receives "stop"; for job i it stores i*i as
 * result:i in kv:results, claiming the job first with a compare-and-set on claim:i so that a
 * job processed twice would be counted in "duplicates", and counts "done".
 *   consumer NAME      (see jobs.batch)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cella_services.h"

int main(int argc, char **argv) {
    const char *me = argc > 1 ? argv[1] : "consumer";
    char msg[64], key[64], val[32];
    int handled = 0;
    for (;;) {
        size_t len;
        uint64_t id;
        int e = cella_queue_receive("jobs", NULL, msg, sizeof msg - 1, &len, &id, 10000);
        if (e) {
            fprintf(stderr, "%s: receive: %s\n", me, strerror(e));
            return 1;
        }
        msg[len] = 0;
        if (strcmp(msg, "stop") == 0) {
            cella_queue_ack("jobs", NULL, id);
            break;
        }
        long i = atol(msg);
        int klen = snprintf(key, sizeof key, "claim:%ld", i);
        if (cella_kv_cas("results", key, (size_t)klen, NULL, CELLA_ABSENT, me, strlen(me)) == ECANCELED) {
            cella_kv_incr("results", "duplicates", 10, 1, NULL);
        }
        klen = snprintf(key, sizeof key, "result:%ld", i);
        int vlen = snprintf(val, sizeof val, "%ld", i * i);
        e = cella_kv_put("results", key, (size_t)klen, val, (size_t)vlen, 0);
        if (e == 0) {
            e = cella_kv_incr("results", "done", 4, 1, NULL);
        }
        if (e) {
            fprintf(stderr, "%s: job %ld: %s\n", me, i, strerror(e));
            return 1;
        }
        cella_queue_ack("jobs", NULL, id);
        handled++;
    }
    printf("%s: handled %d jobs\n", me, handled);
    return 0;
}
