/*
 * denied.c: writes to the namespace it was granted and then to one it was not:
 *   cella run --service kv:mine:rw denied.wasm
 *   kv:mine: ok
 *   kv:theirs: Capabilities insufficient     (ENOTCAPABLE: whether or not kv:theirs exists)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cella_services.h"

static void try_put(const char *ns) {
    int e = cella_kv_put(ns, "k", 1, "v", 1, 0);
    printf("kv:%s: %s\n", ns, e ? strerror(e) : "ok");
}

int main(void) {
    try_put("mine");
    try_put("theirs");
    char buf[8];
    size_t len;
    int e = cella_kv_get("theirs", "k", 1, buf, sizeof buf, &len);
    printf("read kv:theirs: %s\n", e == ENOTCAPABLE ? "refused (ENOTCAPABLE)" : "allowed?!");
    return e == ENOTCAPABLE ? 0 : 1;
}
