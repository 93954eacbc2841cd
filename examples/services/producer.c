/*
 * producer.c: sends jobs "1".."N" to queue:jobs, then one "stop" per consumer.
 *   producer N CONSUMERS      (see jobs.batch)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cella_services.h"

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100;
    int consumers = argc > 2 ? atoi(argv[2]) : 3;
    char msg[32];
    for (int i = 1; i <= n; i++) {
        int len = snprintf(msg, sizeof msg, "%d", i);
        int e = cella_queue_send("jobs", msg, (size_t)len);
        if (e) {
            fprintf(stderr, "producer: send %d: %s\n", i, strerror(e));
            return 1;
        }
    }
    for (int i = 0; i < consumers; i++) {
        cella_queue_send("jobs", "stop", 4);
    }
    printf("producer: sent %d jobs\n", n);
    return 0;
}
