/*
 * cella_services.c: the C side of cella_services.h. Each function passes its strings as
 * (pointer, length) pairs to the host modules cella_kv, cella_queue and cella_db
 * (docs/host-abi.md, "Services") and returns their errno unchanged.
 */
#include "cella_services.h"

#include <string.h>

#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))

IMPORT("cella_kv", "get") int32_t cella__kv_get(const char *, size_t, const void *, size_t, void *, size_t, size_t *);
IMPORT("cella_kv", "put") int32_t cella__kv_put(const char *, size_t, const void *, size_t, const void *, size_t, int64_t);
IMPORT("cella_kv", "delete") int32_t cella__kv_delete(const char *, size_t, const void *, size_t);
IMPORT("cella_kv", "cas") int32_t cella__kv_cas(const char *, size_t, const void *, size_t, const void *, size_t,
                                                const void *, size_t);
IMPORT("cella_kv", "incr") int32_t cella__kv_incr(const char *, size_t, const void *, size_t, int64_t, int64_t *);
IMPORT("cella_kv", "scan") int32_t cella__kv_scan(const char *, size_t, const void *, size_t, const void *, size_t,
                                                  void *, size_t, size_t *);
IMPORT("cella_queue", "send") int32_t cella__queue_send(const char *, size_t, const void *, size_t);
IMPORT("cella_queue", "publish") int32_t cella__queue_publish(const char *, size_t, const void *, size_t, uint32_t *);
IMPORT("cella_queue", "subscribe") int32_t cella__queue_subscribe(const char *, size_t, const char *, size_t);
IMPORT("cella_queue", "receive") int32_t cella__queue_receive(const char *, size_t, const char *, size_t, void *, size_t,
                                                              size_t *, uint64_t *, int64_t);
IMPORT("cella_queue", "ack") int32_t cella__queue_ack(const char *, size_t, const char *, size_t, uint64_t);
IMPORT("cella_queue", "receive_many") int32_t cella__queue_receive_many(const char *, size_t, const char *, size_t, void *,
                                                                        size_t, uint32_t *, uint32_t, int64_t);
IMPORT("cella_queue", "ack_many") int32_t cella__queue_ack_many(const char *, size_t, const char *, size_t,
                                                                const uint64_t *, size_t);
IMPORT("cella_db", "begin") int32_t cella__db_begin(const char *, size_t, uint32_t *);
IMPORT("cella_db", "get") int32_t cella__db_get(uint32_t, const char *, size_t, const void *, size_t, void *, size_t,
                                                size_t *);
IMPORT("cella_db", "put") int32_t cella__db_put(uint32_t, const char *, size_t, const void *, size_t, const void *, size_t);
IMPORT("cella_db", "delete") int32_t cella__db_delete(uint32_t, const char *, size_t, const void *, size_t);
IMPORT("cella_db", "next") int32_t cella__db_next(uint32_t, const char *, size_t, const void *, size_t, void *, size_t,
                                                  size_t *);
IMPORT("cella_db", "commit") int32_t cella__db_commit(uint32_t);
IMPORT("cella_db", "abort") int32_t cella__db_abort(uint32_t);

static size_t len_of(const char *s) { return s ? strlen(s) : 0; }

int cella_kv_get(const char *ns, const void *key, size_t key_len, void *buf, size_t cap, size_t *len) {
    return cella__kv_get(ns, len_of(ns), key, key_len, buf, cap, len);
}

int cella_kv_put(const char *ns, const void *key, size_t key_len, const void *val, size_t val_len, int64_t ttl_ms) {
    return cella__kv_put(ns, len_of(ns), key, key_len, val, val_len, ttl_ms);
}

int cella_kv_delete(const char *ns, const void *key, size_t key_len) {
    return cella__kv_delete(ns, len_of(ns), key, key_len);
}

int cella_kv_cas(const char *ns, const void *key, size_t key_len, const void *expected, size_t exp_len,
                 const void *val, size_t val_len) {
    return cella__kv_cas(ns, len_of(ns), key, key_len, expected, exp_len, val, val_len);
}

int cella_kv_incr(const char *ns, const void *key, size_t key_len, int64_t delta, int64_t *result) {
    int64_t ignored;
    return cella__kv_incr(ns, len_of(ns), key, key_len, delta, result ? result : &ignored);
}

int cella_kv_scan(const char *ns, const void *prefix, size_t prefix_len, const void *after, size_t after_len,
                  void *buf, size_t cap, size_t *len) {
    return cella__kv_scan(ns, len_of(ns), prefix, prefix_len, after, after_len, buf, cap, len);
}

int cella_queue_send(const char *ns, const void *msg, size_t len) {
    return cella__queue_send(ns, len_of(ns), msg, len);
}

int cella_queue_publish(const char *ns, const void *msg, size_t len, uint32_t *count) {
    uint32_t ignored;
    return cella__queue_publish(ns, len_of(ns), msg, len, count ? count : &ignored);
}

int cella_queue_subscribe(const char *ns, const char *sub) {
    return cella__queue_subscribe(ns, len_of(ns), sub, len_of(sub));
}

int cella_queue_receive(const char *ns, const char *sub, void *buf, size_t cap, size_t *len, uint64_t *id,
                        int64_t timeout_ms) {
    return cella__queue_receive(ns, len_of(ns), sub ? sub : "", len_of(sub), buf, cap, len, id, timeout_ms);
}

int cella_queue_ack(const char *ns, const char *sub, uint64_t id) {
    return cella__queue_ack(ns, len_of(ns), sub ? sub : "", len_of(sub), id);
}

int cella_queue_receive_many(const char *ns, const char *sub, void *buf, size_t cap, uint32_t *count, uint32_t max,
                             int64_t timeout_ms) {
    return cella__queue_receive_many(ns, len_of(ns), sub ? sub : "", len_of(sub), buf, cap, count, max, timeout_ms);
}

const void *cella_queue_record(const void *rec, uint64_t *id, size_t *len, const void **msg) {
    const unsigned char *p = rec;
    uint32_t n;
    memcpy(id, p, 8); /* records are packed, so unaligned: memcpy, never a cast */
    memcpy(&n, p + 8, 4);
    *len = n;
    *msg = p + 12;
    return p + 12 + n;
}

int cella_queue_ack_many(const char *ns, const char *sub, const uint64_t *ids, size_t count) {
    return cella__queue_ack_many(ns, len_of(ns), sub ? sub : "", len_of(sub), ids, count);
}

int cella_db_begin(const char *ns, uint32_t *tx) {
    return cella__db_begin(ns, len_of(ns), tx);
}

int cella_db_get(uint32_t tx, const char *table, const void *key, size_t key_len, void *buf, size_t cap,
                 size_t *len) {
    return cella__db_get(tx, table, len_of(table), key, key_len, buf, cap, len);
}

int cella_db_put(uint32_t tx, const char *table, const void *key, size_t key_len, const void *val, size_t val_len) {
    return cella__db_put(tx, table, len_of(table), key, key_len, val, val_len);
}

int cella_db_delete(uint32_t tx, const char *table, const void *key, size_t key_len) {
    return cella__db_delete(tx, table, len_of(table), key, key_len);
}

int cella_db_next(uint32_t tx, const char *table, const void *after, size_t after_len, void *buf, size_t cap,
                  size_t *len) {
    return cella__db_next(tx, table, len_of(table), after, after_len, buf, cap, len);
}

int cella_db_commit(uint32_t tx) {
    return cella__db_commit(tx);
}

int cella_db_abort(uint32_t tx) {
    return cella__db_abort(tx);
}
