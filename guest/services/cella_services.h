/*
 * cella_services.h: Cella's shared services for C guests built for wasm32-wasi
 * (clang --target=wasm32-wasi -O2 prog.c cella_services.c).
 *
 * Three services, each a host module (docs/host-abi.md, "Services"; guarantees and limits in
 * docs/services.md):
 *   - kv     a key-value cache: get, put with an optional time-to-live, delete, compare-and-set,
 *            increment, prefix scan with a cursor;
 *   - queue  message queues: send, receive with a timeout, acknowledge (at-least-once delivery),
 *            and publish/subscribe;
 *   - db     ordered tables with multi-key transactions that commit or abort on conflict.
 *
 * A cell names a namespace ("cache", "jobs") on every call and reaches only the namespaces it
 * was granted (`cella run --service kv:cache:rw ...`). Every function returns 0 or an errno
 * value of <errno.h> (ENOENT, ENOTCAPABLE, EDQUOT, ...), never sets errno itself; strerror()
 * names it.
 *
 * Keys are 1 to 1024 bytes, values and messages up to 1 MiB, names 1 to 64 characters of
 * [A-Za-z0-9_.-]. An output buffer too small gives ENOBUFS with *len set to the length needed.
 */
#ifndef CELLA_SERVICES_H
#define CELLA_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* For cella_kv_cas: an expected value of "absent", or a new value of "delete". */
#define CELLA_ABSENT ((size_t)-1)

/* ---- kv -------------------------------------------------------------------------------- */

/* Copies the value of key into buf (cap bytes); *len = its length. ENOENT if absent or expired. */
int cella_kv_get(const char *ns, const void *key, size_t key_len, void *buf, size_t cap, size_t *len);
/* Sets key to the value; ttl_ms > 0 makes it expire after that many milliseconds. */
int cella_kv_put(const char *ns, const void *key, size_t key_len, const void *val, size_t val_len, int64_t ttl_ms);
/* Removes key; ENOENT if it was absent. */
int cella_kv_delete(const char *ns, const void *key, size_t key_len);
/* Sets key to val only if its value is expected (exp_len CELLA_ABSENT: only if absent; val_len
   CELLA_ABSENT: deletes it). ECANCELED if the value was something else. */
int cella_kv_cas(const char *ns, const void *key, size_t key_len, const void *expected, size_t exp_len,
                 const void *val, size_t val_len);
/* Adds delta to the 8-byte little-endian number at key (absent: 0); *result = the sum.
   EINVAL if the value is not 8 bytes, EOVERFLOW on overflow. */
int cella_kv_incr(const char *ns, const void *key, size_t key_len, int64_t delta, int64_t *result);
/* The first key after `after` (after_len 0: from the start) that starts with prefix, into buf;
   ENOENT when there is none. Pass each key found as the next `after` to scan them all. */
int cella_kv_scan(const char *ns, const void *prefix, size_t prefix_len, const void *after, size_t after_len,
                  void *buf, size_t cap, size_t *len);

/* ---- queue ----------------------------------------------------------------------------- */

/* Appends a message to the namespace's work queue. */
int cella_queue_send(const char *ns, const void *msg, size_t len);
/* Copies a message to every subscription of the namespace; *count = how many (may be NULL). */
int cella_queue_publish(const char *ns, const void *msg, size_t len, uint32_t *count);
/* Creates subscription sub (idempotent): it receives every message published from now on. */
int cella_queue_subscribe(const char *ns, const char *sub);
/* Takes the next message of sub ("" or NULL: the work queue), waiting up to timeout_ms for one
   (the cell's scheduler slot goes to other cells meanwhile). EAGAIN (timeout 0) or ETIMEDOUT if
   none came. The message is leased: acknowledge *id when done, or it is delivered again. */
int cella_queue_receive(const char *ns, const char *sub, void *buf, size_t cap, size_t *len, uint64_t *id,
                        int64_t timeout_ms);
/* Acknowledges message id of sub: removed for good. ENOENT if it was already. */
int cella_queue_ack(const char *ns, const char *sub, uint64_t id);
/* Takes up to max messages of sub in one call, waiting as cella_queue_receive for the first and
   taking the ones ready after it that fit in buf. buf receives *count packed records, each an id
   (u64), a length (u32) and the message's bytes: walk them with cella_queue_record. ENOBUFS if
   the first does not fit (*count = the bytes its record needs). */
int cella_queue_receive_many(const char *ns, const char *sub, void *buf, size_t cap, uint32_t *count, uint32_t max,
                             int64_t timeout_ms);
/* Reads the record at rec (from cella_queue_receive_many): its id, length and message; returns
   where the next record starts. */
const void *cella_queue_record(const void *rec, uint64_t *id, size_t *len, const void **msg);
/* Acknowledges count messages of sub; ENOENT if one of them was already (the others still are). */
int cella_queue_ack_many(const char *ns, const char *sub, const uint64_t *ids, size_t count);

/* ---- db -------------------------------------------------------------------------------- */

/* Starts a transaction on namespace ns; *tx is its handle (at most 16 open: EMFILE). */
int cella_db_begin(const char *ns, uint32_t *tx);
/* Reads key of table as the transaction sees it (its own writes included). */
int cella_db_get(uint32_t tx, const char *table, const void *key, size_t key_len, void *buf, size_t cap,
                 size_t *len);
int cella_db_put(uint32_t tx, const char *table, const void *key, size_t key_len, const void *val, size_t val_len);
/* ENOENT if the key was absent. */
int cella_db_delete(uint32_t tx, const char *table, const void *key, size_t key_len);
/* The first key of table after `after` (after_len 0: the first key), in key order. */
int cella_db_next(uint32_t tx, const char *table, const void *after, size_t after_len, void *buf, size_t cap,
                  size_t *len);
/* Commits: ECANCELED if something the transaction read changed meanwhile (nothing is written;
   run it again). The handle is closed either way. */
int cella_db_commit(uint32_t tx);
/* Ends the transaction and discards its writes. */
int cella_db_abort(uint32_t tx);

#ifdef __cplusplus
}
#endif

#endif
