/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgm_rpc_server.c: libvirt's RPC transport on unix sockets (see
 * vgm_rpc_server.h).
 *
 * Threads: the main loop accepts connections and runs the timers
 * (keepalive, idle exit, signals); each client has a reader thread (reads
 * frames, answers keepalive, hands calls to the worker pool) and a writer
 * thread (sends its queue); the workers run the calls. The reader is the
 * one that tears a client down: once it stops reading it waits for the
 * writer and for the client's calls in flight, then lets the program free
 * its data.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "vgm_rpc_server.h"
#include "vgm_rpc_protocol.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

#define VGM_RPC_KEEPALIVE_PROGRAM 0x6b656570
#define VGM_RPC_KEEPALIVE_VERSION 1
#define VGM_RPC_KEEPALIVE_PING 1
#define VGM_RPC_KEEPALIVE_PONG 2

typedef struct {
    int fd;
    char *path;
    gboolean readonly;
    guint sourceId;
    VgmRpcServer *srv;
} VgmRpcListener;

struct _VgmRpcServer {
    VgmRpcProgram program;
    VgmRpcLimits limits;
    GThreadPool *pool;
    GMainContext *ctx;
    GMainLoop *loop;
    GPtrArray *listeners;       /* VgmRpcListener */
    gboolean verbose;
    gboolean stopping;          /* vgmRpcServerFree runs: clients go with it */

    GMutex lock;                /* guards what follows */
    GCond cond;                 /* a client left srv->clients */
    GPtrArray *clients;         /* VgmRpcClient, one reference each */
    gint64 idleSince;           /* monotonic us when the last client left */
    guint nextClientId;

    _Atomic gint64 lastCall;    /* monotonic us when a call last ended */
    gint trimPending;           /* a trim is scheduled (atomic) */
};

/* How long calls must have stopped before the heap memory they freed is
 * given back to the system (malloc_trim): in a burst, giving it back
 * after each call and faulting it in again for the next costs more than
 * the call. */
#define VGM_RPC_TRIM_DELAY_MS 200

/* At a stop: how long the calls in flight may take to end (libvirtd's
 * bound on its shutdown), then how long the clients may take to read
 * their replies before they are disconnected */
#define VGM_RPC_DRAIN_MS 30000
#define VGM_RPC_FLUSH_MS 5000

struct _VgmRpcClient {
    gint ref;
    VgmRpcServer *srv;
    guint id;
    int fd;
    gboolean readonly;
    uid_t uid;
    pid_t pid;
    gpointer priv;

    GMutex lock;                /* guards what follows */
    GCond cond;                 /* queue, inflight and closing changes */
    GQueue out;                 /* GBytes frames to send; an empty one
                                 * stands for the head of outFds */
    GQueue outFds;              /* int: file descriptors to pass */
    gsize outBytes;
    gboolean closing;           /* no more reading; send what is queued */
    gboolean dead;              /* nothing more is sent */
    guint inflight;             /* calls handed to workers, not finished */
    gboolean writing;           /* the writer is sending outside the lock */
    gboolean keepalive;
    gint64 lastRx;              /* monotonic us of the last frame read */
    gint64 lastPing;
    GThread *writer;
};

typedef struct {
    VgmRpcClient *client;
    VgmRpcHeader hdr;
    guint8 *payload;
    gsize len;
} VgmRpcJob;

/* ---- frames ---- */

static guint32
vgmRpcGet32(const guint8 *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

static void
vgmRpcPut32(guint8 *p, guint32 v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

/* The six header words after the length word. */
static void
vgmRpcHeaderParse(const guint8 *buf, VgmRpcHeader *hdr)
{
    hdr->prog = vgmRpcGet32(buf + 4);
    hdr->vers = vgmRpcGet32(buf + 8);
    hdr->proc = (gint32)vgmRpcGet32(buf + 12);
    hdr->type = vgmRpcGet32(buf + 16);
    hdr->serial = vgmRpcGet32(buf + 20);
    hdr->status = vgmRpcGet32(buf + 24);
}

gboolean
vgmRpcHeaderDecode(const guint8 *buf, gsize len, guint32 *frameLen,
                   VgmRpcHeader *hdr, GError **error)
{
    guint32 n;

    if (len < VGM_RPC_HEADER_SIZE) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("message of %1$zu bytes is shorter than its header"), len);
        return FALSE;
    }
    n = vgmRpcGet32(buf);
    if (n < VGM_RPC_HEADER_SIZE || n > VGM_RPC_MESSAGE_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("message length %1$u is outside %2$d..%3$d"),
                    n, VGM_RPC_HEADER_SIZE, VGM_RPC_MESSAGE_MAX);
        return FALSE;
    }
    if (n > len) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("message length %1$u is longer than the %2$zu bytes given"), n, len);
        return FALSE;
    }
    *frameLen = n;
    vgmRpcHeaderParse(buf, hdr);
    return TRUE;
}

GByteArray *
vgmRpcFrameEncode(const VgmRpcHeader *hdr, VgmXdrFunc fn, void *obj, GError **error)
{
    g_autoptr(GByteArray) out = g_byte_array_sized_new(256);
    guint8 head[VGM_RPC_HEADER_SIZE];

    vgmRpcPut32(head + 4, hdr->prog);
    vgmRpcPut32(head + 8, hdr->vers);
    vgmRpcPut32(head + 12, (guint32)hdr->proc);
    vgmRpcPut32(head + 16, hdr->type);
    vgmRpcPut32(head + 20, hdr->serial);
    vgmRpcPut32(head + 24, hdr->status);
    g_byte_array_append(out, head, sizeof(head));
    if (fn && !vgmXdrEncode(fn, obj, out, error))
        return NULL;
    if (out->len > VGM_RPC_MESSAGE_MAX) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("reply of %1$u bytes is longer than the limit of %2$d"),
                    out->len, VGM_RPC_MESSAGE_MAX);
        return NULL;
    }
    vgmRpcPut32(out->data, out->len);
    return g_steal_pointer(&out);
}

/* A copy of @s the wire takes: a message that quotes what a client sent
 * (a 4 MiB domain name) can outgrow the string limit, so it is cut at a
 * character boundary, marked. */
static char *
vgmRpcErrorString(const char *s)
{
    static const char mark[] = "\u2026";
    gsize keep = VGM_RPC_MESSAGE_STRING_MAX - (sizeof(mark) - 1);
    char *cut;

    if (strlen(s) <= VGM_RPC_MESSAGE_STRING_MAX)
        return g_strdup(s);
    /* s[keep] is the first byte dropped: drop its whole character */
    while (keep > 0 && ((guchar)s[keep] & 0xc0) == 0x80)
        keep--;
    cut = g_malloc(keep + sizeof(mark));
    memcpy(cut, s, keep);
    memcpy(cut + keep, mark, sizeof(mark));
    return cut;
}

GByteArray *
vgmRpcErrorEncode(const VgmRpcErrorInfo *err)
{
    g_autoptr(GByteArray) out = g_byte_array_new();
    const char *given = err->message ? err->message : "";
    const char *format = vgmErrorLibvirtFormat(err->code);
    const char *at = strstr(format, "%s");
    g_autofree char *detail = vgmRpcErrorString(given);
    g_autofree char *message = NULL;
    g_autofree char *whole = NULL;
    char *fmt = (char *)format;
    VgmRpcError e = { 0 };

    /* the detail goes in the format's one "%s" */
    whole = g_strdup_printf("%.*s%s%s", (int)(at - format), format, given, at + 2);
    message = vgmRpcErrorString(whole);

    /* as libvirtd fills it: level error, the format and the detail, no
     * numbers */
    e.code = err->code;
    e.domain = err->domain;
    e.message = &message;
    e.level = 2;
    e.str1 = &fmt;
    e.str2 = &detail;
    e.int1 = -1;
    e.int2 = -1;
    if (!vgmXdrEncode(vgmRpcXdrError, &e, out, NULL))
        g_assert_not_reached(); /* bounded above, and the rest is fixed */
    return g_steal_pointer(&out);
}

/* ---- clients ---- */

VgmRpcClient *
vgmRpcClientRef(VgmRpcClient *client)
{
    g_atomic_int_inc(&client->ref);
    return client;
}

void
vgmRpcClientUnref(VgmRpcClient *client)
{
    if (!client || !g_atomic_int_dec_and_test(&client->ref))
        return;
    g_queue_clear_full(&client->out, (GDestroyNotify)g_bytes_unref);
    while (!g_queue_is_empty(&client->outFds))
        close(GPOINTER_TO_INT(g_queue_pop_head(&client->outFds)));
    g_mutex_clear(&client->lock);
    g_cond_clear(&client->cond);
    if (client->fd >= 0)
        close(client->fd);
    g_free(client);
}

gpointer
vgmRpcClientGetPrivate(VgmRpcClient *client)
{
    return client->priv;
}

gboolean
vgmRpcClientIsReadonly(VgmRpcClient *client)
{
    return client->readonly;
}

gboolean
vgmRpcClientServerStopping(VgmRpcClient *client)
{
    gboolean stopping;

    g_mutex_lock(&client->srv->lock);
    stopping = client->srv->stopping;
    g_mutex_unlock(&client->srv->lock);
    return stopping;
}

uid_t
vgmRpcClientGetUid(VgmRpcClient *client)
{
    return client->uid;
}

pid_t
vgmRpcClientGetPid(VgmRpcClient *client)
{
    return client->pid;
}

/* Stops everything on @client's socket; the reader and writer wake up.
 * Called with the client lock held. */
static void
vgmRpcClientKillLocked(VgmRpcClient *client)
{
    if (!client->dead) {
        client->dead = TRUE;
        shutdown(client->fd, SHUT_RDWR);
    }
    client->closing = TRUE;
    g_cond_broadcast(&client->cond);
}

/* Queues a whole frame for the writer. */
static void
vgmRpcClientQueue(VgmRpcClient *client, GByteArray *frame)
{
    GBytes *b = g_byte_array_free_to_bytes(frame);
    gsize size = g_bytes_get_size(b);

    g_mutex_lock(&client->lock);
    if (client->dead || client->closing) {
        g_mutex_unlock(&client->lock);
        g_bytes_unref(b);
        return;
    }
    if (client->outBytes > 0 && client->outBytes + size > client->srv->limits.maxQueuedBytes) {
        /* a client that does not read what it asked for goes (the limit
         * is on the backlog: one reply, up to the message limit, is
         * always queued) */
        if (client->srv->verbose)
            g_printerr(_("virtgmemd: client %1$u: %2$zu bytes unread, dropped\n"),
                       client->id, client->outBytes);
        vgmRpcClientKillLocked(client);
        g_mutex_unlock(&client->lock);
        g_bytes_unref(b);
        return;
    }
    if (g_queue_is_empty(&client->out) && !client->writing) {
        /* nothing ahead of it: send what the socket takes now, without
         * waking the writer (most replies go out whole here) */
        const guint8 *p = g_bytes_get_data(b, NULL);
        ssize_t n;

        do {
            n = send(client->fd, p, size, MSG_DONTWAIT | MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            vgmRpcClientKillLocked(client);
            g_mutex_unlock(&client->lock);
            g_bytes_unref(b);
            return;
        }
        if (n == (ssize_t)size) {
            g_mutex_unlock(&client->lock);
            g_bytes_unref(b);
            return;
        }
        if (n > 0) {
            GBytes *rest = g_bytes_new_from_bytes(b, n, size - n);

            g_bytes_unref(b);
            b = rest;
            size -= n;
        }
    }
    g_queue_push_tail(&client->out, b);
    client->outBytes += size;
    g_cond_broadcast(&client->cond);
    g_mutex_unlock(&client->lock);
}

/* Queues the frame of a reply with one file descriptor (which the queue
 * now owns): the fd goes right after the frame, nothing between them,
 * as libvirt's client reads it (a byte with the descriptor attached,
 * SCM_RIGHTS, after the message). */
static void
vgmRpcClientQueueWithFd(VgmRpcClient *client, GByteArray *frame, int fd)
{
    GBytes *b = g_byte_array_free_to_bytes(frame);

    g_mutex_lock(&client->lock);
    if (client->dead || client->closing) {
        g_mutex_unlock(&client->lock);
        g_bytes_unref(b);
        close(fd);
        return;
    }
    client->outBytes += g_bytes_get_size(b);
    g_queue_push_tail(&client->out, b);
    g_queue_push_tail(&client->out, g_bytes_new(NULL, 0));
    g_queue_push_tail(&client->outFds, GINT_TO_POINTER(fd));
    g_cond_broadcast(&client->cond);
    g_mutex_unlock(&client->lock);
}

void
vgmRpcClientReplyWithFd(VgmRpcClient *client, const VgmRpcHeader *call, VgmXdrFunc fn,
                        void *obj, int fd)
{
    VgmRpcHeader hdr = *call;
    g_autoptr(GError) err = NULL;
    g_autoptr(GByteArray) body = g_byte_array_new();
    GByteArray *frame;
    guint8 nfds[4];

    hdr.type = VGM_RPC_TYPE_REPLY_WITH_FDS;
    hdr.status = VGM_RPC_STATUS_OK;
    /* the header, the number of descriptors, then the payload */
    frame = vgmRpcFrameEncode(&hdr, NULL, NULL, NULL);
    vgmRpcPut32(nfds, 1);
    g_byte_array_append(frame, nfds, sizeof(nfds));
    if (fn && !vgmXdrEncode(fn, obj, body, &err)) {
        VgmRpcErrorInfo e = { VGM_LV_ERR_INTERNAL, VGM_RPC_FROM_RPC, err->message };

        g_byte_array_unref(frame);
        close(fd);
        vgmRpcClientReplyError(client, call, &e);
        return;
    }
    g_byte_array_append(frame, body->data, body->len);
    vgmRpcPut32(frame->data, frame->len);
    vgmRpcClientQueueWithFd(client, frame, fd);
}

void
vgmRpcClientReplyError(VgmRpcClient *client, const VgmRpcHeader *call,
                       const VgmRpcErrorInfo *err)
{
    VgmRpcHeader hdr = *call;
    g_autoptr(GByteArray) payload = vgmRpcErrorEncode(err);
    GByteArray *frame;

    hdr.type = VGM_RPC_TYPE_REPLY;
    hdr.status = VGM_RPC_STATUS_ERROR;
    frame = vgmRpcFrameEncode(&hdr, NULL, NULL, NULL);
    g_byte_array_append(frame, payload->data, payload->len);
    vgmRpcPut32(frame->data, frame->len);
    vgmRpcClientQueue(client, frame);
}

void
vgmRpcClientReply(VgmRpcClient *client, const VgmRpcHeader *call, VgmXdrFunc fn,
                  void *obj)
{
    VgmRpcHeader hdr = *call;
    g_autoptr(GError) err = NULL;
    GByteArray *frame;

    hdr.type = VGM_RPC_TYPE_REPLY;
    hdr.status = VGM_RPC_STATUS_OK;
    if (!(frame = vgmRpcFrameEncode(&hdr, fn, obj, &err))) {
        VgmRpcErrorInfo e = { VGM_LV_ERR_INTERNAL, VGM_RPC_FROM_RPC, err->message };

        vgmRpcClientReplyError(client, call, &e);
        return;
    }
    vgmRpcClientQueue(client, frame);
}

void
vgmRpcClientSendMessage(VgmRpcClient *client, guint32 prog, guint32 vers, gint32 proc,
                        VgmXdrFunc fn, void *obj)
{
    /* libvirtd gives its messages serial 1 */
    VgmRpcHeader hdr = { prog, vers, proc, VGM_RPC_TYPE_MESSAGE, 1, VGM_RPC_STATUS_OK };
    g_autoptr(GError) err = NULL;
    GByteArray *frame;

    if (!(frame = vgmRpcFrameEncode(&hdr, fn, obj, &err))) {
        g_printerr(_("virtgmemd: client %1$u: message %2$d not sent: %3$s\n"),
                   client->id, proc, err->message);
        return;
    }
    vgmRpcClientQueue(client, frame);
}

void
vgmRpcClientSendStream(VgmRpcClient *client, const VgmRpcHeader *call,
                       guint32 status, const guint8 *data, gsize len)
{
    VgmRpcHeader hdr = *call;
    g_autoptr(GError) err = NULL;
    GByteArray *frame;

    hdr.type = VGM_RPC_TYPE_STREAM;
    hdr.status = status;
    /* the header now, the data as it is after it */
    if (len > VGM_RPC_MESSAGE_MAX - VGM_RPC_HEADER_SIZE ||
        !(frame = vgmRpcFrameEncode(&hdr, NULL, NULL, &err)))
        return;
    g_byte_array_append(frame, data, len);
    vgmRpcPut32(frame->data, frame->len);
    vgmRpcClientQueue(client, frame);
}

void
vgmRpcClientSendStreamHole(VgmRpcClient *client, const VgmRpcHeader *call, gint64 length)
{
    VgmRpcStreamHole hole = { length, 0 };
    VgmRpcHeader hdr = *call;
    g_autoptr(GError) err = NULL;
    GByteArray *frame;

    hdr.type = VGM_RPC_TYPE_STREAM_HOLE;
    hdr.status = VGM_RPC_STATUS_CONTINUE;
    if (!(frame = vgmRpcFrameEncode(&hdr, vgmRpcXdrStreamHole, &hole, &err)))
        return;
    vgmRpcClientQueue(client, frame);
}

int
vgmRpcClientWaitBacklog(VgmRpcClient *client, gsize bytes, gint64 timeoutUs)
{
    gint64 deadline = g_get_monotonic_time() + timeoutUs;
    int ret;

    g_mutex_lock(&client->lock);
    while (client->outBytes > bytes && !client->dead && !client->closing) {
        if (!g_cond_wait_until(&client->cond, &client->lock, deadline))
            break;
    }
    if (client->dead || client->closing)
        ret = -1;
    else
        ret = client->outBytes <= bytes;
    g_mutex_unlock(&client->lock);
    return ret;
}

void
vgmRpcClientStartKeepalive(VgmRpcClient *client)
{
    g_mutex_lock(&client->lock);
    client->keepalive = TRUE;
    g_mutex_unlock(&client->lock);
}

void
vgmRpcClientClose(VgmRpcClient *client)
{
    g_mutex_lock(&client->lock);
    client->closing = TRUE;
    shutdown(client->fd, SHUT_RD);
    g_cond_broadcast(&client->cond);
    g_mutex_unlock(&client->lock);
}

static void
vgmRpcClientSendKeepalive(VgmRpcClient *client, gint32 proc)
{
    VgmRpcHeader hdr = { VGM_RPC_KEEPALIVE_PROGRAM, VGM_RPC_KEEPALIVE_VERSION, proc,
                         VGM_RPC_TYPE_MESSAGE, 0, VGM_RPC_STATUS_OK };

    vgmRpcClientQueue(client, vgmRpcFrameEncode(&hdr, NULL, NULL, NULL));
}

/* Reads exactly @len bytes; FALSE at end of file or on an error. */
static gboolean
vgmRpcReadFull(int fd, guint8 *buf, gsize len)
{
    while (len > 0) {
        ssize_t n = recv(fd, buf, len, 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        buf += n;
        len -= n;
    }
    return TRUE;
}

static gboolean
vgmRpcWriteFull(int fd, const guint8 *buf, gsize len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        buf += n;
        len -= n;
    }
    return TRUE;
}

/* @msg: the one byte of @iov, with control buffer @ctl of @len bytes
 * for the descriptors that go with it (SCM_RIGHTS) */
static void
vgmRpcFdMessage(struct msghdr *msg, struct iovec *iov, char *ctl, size_t len)
{
    msg->msg_iov = iov;
    msg->msg_iovlen = 1;
    msg->msg_control = ctl;
    msg->msg_controllen = len;
}

/* Reads the byte a client sends with one descriptor attached
 * (SCM_RIGHTS) and closes what came: a descriptor passed with a call
 * this server does not take. FALSE: no byte (the client is gone). */
static gboolean
vgmRpcDropPassedFd(int sock)
{
    char byte;
    struct iovec iov = { &byte, 1 };
    union {
        struct cmsghdr hdr;
        char buf[CMSG_SPACE(sizeof(int) * VGM_RPC_CALL_FDS_MAX)];
    } ctl;
    struct msghdr msg = { 0 };
    struct cmsghdr *cmsg;
    ssize_t n;

    memset(&ctl, 0, sizeof(ctl));
    vgmRpcFdMessage(&msg, &iov, ctl.buf, sizeof(ctl.buf));
    do {
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    for (cmsg = CMSG_FIRSTHDR(&msg); n == 1 && cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        size_t k;

        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
            continue;
        for (k = 0; k < (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
            int fd;

            memcpy(&fd, CMSG_DATA(cmsg) + k * sizeof(int), sizeof(int));
            close(fd);
        }
    }
    return n == 1;
}

/* One byte with @fd attached (SCM_RIGHTS), as libvirt passes one. */
static gboolean
vgmRpcSendFd(int sock, int fd)
{
    char byte = 0;
    struct iovec iov = { &byte, 1 };
    union {
        struct cmsghdr hdr;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct msghdr msg = { 0 };
    struct cmsghdr *cmsg;
    ssize_t n;

    memset(&ctl, 0, sizeof(ctl));
    vgmRpcFdMessage(&msg, &iov, ctl.buf, sizeof(ctl.buf));
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    do {
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n == 1;
}

static gpointer
vgmRpcClientWriter(gpointer data)
{
    VgmRpcClient *client = data;

    for (;;) {
        g_autoptr(GBytes) b = NULL;
        gsize size;
        const guint8 *p;
        int passFd = -1;
        gboolean sent;

        g_mutex_lock(&client->lock);
        while (g_queue_is_empty(&client->out) && !client->closing && !client->dead)
            g_cond_wait(&client->cond, &client->lock);
        if (client->dead || g_queue_is_empty(&client->out)) {
            g_mutex_unlock(&client->lock);
            break;
        }
        b = g_queue_pop_head(&client->out);
        client->outBytes -= g_bytes_get_size(b);
        client->writing = TRUE;
        /* (a stream's producer may wait for the backlog to shrink) */
        g_cond_broadcast(&client->cond);
        if (g_bytes_get_size(b) == 0)
            passFd = GPOINTER_TO_INT(g_queue_pop_head(&client->outFds));
        g_mutex_unlock(&client->lock);

        if (passFd >= 0) {
            sent = vgmRpcSendFd(client->fd, passFd);
            close(passFd);
        } else {
            p = g_bytes_get_data(b, &size);
            sent = vgmRpcWriteFull(client->fd, p, size);
        }
        if (!sent) {
            g_mutex_lock(&client->lock);
            client->writing = FALSE;
            vgmRpcClientKillLocked(client);
            g_mutex_unlock(&client->lock);
            break;
        }
        g_mutex_lock(&client->lock);
        client->writing = FALSE;
        g_mutex_unlock(&client->lock);
    }
    /* the reader may be waiting in recv() for a client that is gone */
    shutdown(client->fd, SHUT_RDWR);
    return NULL;
}

static gboolean
vgmRpcServerTrim(gpointer data)
{
    VgmRpcServer *srv = data;

    if (g_get_monotonic_time() - atomic_load(&srv->lastCall) < VGM_RPC_TRIM_DELAY_MS * 1000)
        return G_SOURCE_CONTINUE;
    g_atomic_int_set(&srv->trimPending, 0);
    malloc_trim(0);
    return G_SOURCE_REMOVE;
}

/* A call ended: once calls stop for a moment, the heap is trimmed. */
static void
vgmRpcServerCallEnded(VgmRpcServer *srv)
{
    atomic_store(&srv->lastCall, g_get_monotonic_time());
    if (g_atomic_int_compare_and_exchange(&srv->trimPending, 0, 1)) {
        GSource *src = g_timeout_source_new(VGM_RPC_TRIM_DELAY_MS);

        g_source_set_callback(src, vgmRpcServerTrim, srv, NULL);
        g_source_attach(src, srv->ctx);
        g_source_unref(src);
    }
}

/* Runs a call (in a worker or in the client's reader) and lets go of
 * its payload and its client. */
static void
vgmRpcJobDo(VgmRpcJob *job, VgmRpcServer *srv)
{
    VgmRpcClient *client = job->client;

    srv->program.dispatch(client, &job->hdr, job->payload, job->len, srv->program.opaque);
    g_free(job->payload);
    vgmRpcServerCallEnded(srv);
    g_mutex_lock(&client->lock);
    client->inflight--;
    g_cond_broadcast(&client->cond);
    g_mutex_unlock(&client->lock);
    vgmRpcClientUnref(client);
}

static void
vgmRpcJobRun(gpointer data, gpointer userData)
{
    vgmRpcJobDo(data, userData);
    g_free(data);
}

static void
vgmRpcReplyRpcError(VgmRpcClient *client, const VgmRpcHeader *hdr, const char *message)
{
    VgmRpcErrorInfo e = { VGM_LV_ERR_RPC, VGM_RPC_FROM_RPC, message };

    vgmRpcClientReplyError(client, hdr, &e);
}

/*
 * Handles one frame read from @client. FALSE: the client broke the
 * protocol and is dropped.
 */
static gboolean
vgmRpcClientHandle(VgmRpcClient *client, const VgmRpcHeader *hdr, guint8 *payload,
                   gsize len)
{
    VgmRpcServer *srv = client->srv;
    VgmRpcJob *job;
    gboolean quick;

    if (hdr->prog == VGM_RPC_KEEPALIVE_PROGRAM) {
        if (hdr->vers != VGM_RPC_KEEPALIVE_VERSION || hdr->type != VGM_RPC_TYPE_MESSAGE)
            return FALSE;
        if (hdr->proc == VGM_RPC_KEEPALIVE_PING)
            vgmRpcClientSendKeepalive(client, VGM_RPC_KEEPALIVE_PONG);
        g_free(payload);
        return TRUE;
    }
    if ((hdr->type == VGM_RPC_TYPE_STREAM || hdr->type == VGM_RPC_TYPE_STREAM_HOLE) &&
        srv->program.stream &&
        hdr->prog == srv->program.prog && hdr->vers == srv->program.vers) {
        srv->program.stream(client, hdr, payload, len, srv->program.opaque);
        g_free(payload);
        return TRUE;
    }
    if (hdr->type != VGM_RPC_TYPE_CALL && hdr->type != VGM_RPC_TYPE_CALL_WITH_FDS) {
        if (srv->verbose)
            g_printerr(_("virtgmemd: client %1$u: unexpected message type %2$u, dropped\n"),
                       client->id, hdr->type);
        g_free(payload);
        return FALSE;
    }
    if ((hdr->prog != srv->program.prog &&
         (!srv->program.prog2 || hdr->prog != srv->program.prog2)) ||
        hdr->vers != srv->program.vers) {
        g_autofree char *msg = g_strdup_printf(_("Cannot find program %1$d version %2$d"),
                                               (int)hdr->prog, (int)hdr->vers);
        vgmRpcReplyRpcError(client, hdr, msg);
        g_free(payload);
        return TRUE;
    }
    if (hdr->type == VGM_RPC_TYPE_CALL_WITH_FDS) {
        /* the descriptors follow the frame, one byte each: taken off the
         * socket (and closed), so that the next frame is read where it
         * starts and the connection goes on */
        VgmRpcErrorInfo e = { VGM_LV_ERR_NO_SUPPORT, VGM_RPC_FROM_RPC,
                              _("passing file descriptors with a call is not supported by virt-gmem") };
        guint32 nfds = len >= 4 ? vgmRpcGet32(payload) : G_MAXUINT32;
        guint32 k;

        g_free(payload);
        if (nfds > VGM_RPC_CALL_FDS_MAX)
            return FALSE;
        for (k = 0; k < nfds; k++) {
            if (!vgmRpcDropPassedFd(client->fd))
                return FALSE;
        }
        vgmRpcClientReplyError(client, hdr, &e);
        return TRUE;
    }
    if (hdr->status != VGM_RPC_STATUS_OK) {
        vgmRpcReplyRpcError(client, hdr, _("a call must have status ok"));
        g_free(payload);
        return TRUE;
    }

    g_mutex_lock(&client->lock);
    while (client->inflight >= srv->limits.maxClientCalls && !client->dead)
        g_cond_wait(&client->cond, &client->lock);
    if (client->dead) {
        g_mutex_unlock(&client->lock);
        g_free(payload);
        return FALSE;
    }
    quick = client->inflight == 0 && srv->program.quick &&
            srv->program.quick(hdr, srv->program.opaque);
    client->inflight++;
    g_mutex_unlock(&client->lock);

    if (quick) {
        /* nothing of this client waits behind it: no worker needed */
        VgmRpcJob here = { vgmRpcClientRef(client), *hdr, payload, len };

        vgmRpcJobDo(&here, srv);
        return TRUE;
    }
    job = g_new0(VgmRpcJob, 1);
    job->client = vgmRpcClientRef(client);
    job->hdr = *hdr;
    job->payload = payload;
    job->len = len;
    g_thread_pool_push(srv->pool, job, NULL);
    return TRUE;
}

static void
vgmRpcServerTouch(VgmRpcServer *srv)
{
    g_mutex_lock(&srv->lock);
    srv->idleSince = g_get_monotonic_time();
    g_mutex_unlock(&srv->lock);
}

static gpointer
vgmRpcClientReader(gpointer data)
{
    VgmRpcClient *client = data;
    VgmRpcServer *srv = client->srv;

    for (;;) {
        guint8 head[VGM_RPC_HEADER_SIZE];
        VgmRpcHeader hdr;
        guint32 frameLen;
        guint8 *payload = NULL;
        gsize len;

        if (!vgmRpcReadFull(client->fd, head, 4))
            break;
        frameLen = vgmRpcGet32(head);
        /* checked before the rest is read or anything allocated */
        if (frameLen < VGM_RPC_HEADER_SIZE || frameLen > VGM_RPC_MESSAGE_MAX) {
            if (srv->verbose)
                g_printerr(_("virtgmemd: client %1$u: message length %2$u, dropped\n"),
                           client->id, frameLen);
            break;
        }
        if (!vgmRpcReadFull(client->fd, head + 4, VGM_RPC_HEADER_SIZE - 4))
            break;
        vgmRpcHeaderParse(head, &hdr);
        len = frameLen - VGM_RPC_HEADER_SIZE;
        payload = g_malloc(len ? len : 1);
        if (len && !vgmRpcReadFull(client->fd, payload, len)) {
            g_free(payload);
            break;
        }
        g_mutex_lock(&client->lock);
        client->lastRx = g_get_monotonic_time();
        g_mutex_unlock(&client->lock);
        if (srv->verbose && hdr.prog != VGM_RPC_KEEPALIVE_PROGRAM)
            g_printerr(_("virtgmemd: client %1$u: prog %2$#x proc %3$d serial %4$u, %5$zu bytes\n"),
                       client->id, hdr.prog, hdr.proc, hdr.serial, len);
        if (!vgmRpcClientHandle(client, &hdr, payload, len))
            break;
    }

    /* tear down: stop sending once the queue is out, wait for the calls
     * in flight, then let the program go */
    g_mutex_lock(&client->lock);
    client->closing = TRUE;
    g_cond_broadcast(&client->cond);
    g_mutex_unlock(&client->lock);
    g_thread_join(client->writer);
    g_mutex_lock(&client->lock);
    vgmRpcClientKillLocked(client);
    while (client->inflight > 0)
        g_cond_wait(&client->cond, &client->lock);
    g_mutex_unlock(&client->lock);
    if (srv->program.clientFree)
        srv->program.clientFree(client->priv);
    client->priv = NULL;
    if (srv->verbose)
        g_printerr(_("virtgmemd: client %1$u gone\n"), client->id);

    g_mutex_lock(&srv->lock);
    g_ptr_array_remove_fast(srv->clients, client);
    srv->idleSince = g_get_monotonic_time();
    g_cond_broadcast(&srv->cond);
    g_mutex_unlock(&srv->lock);
    /* srv may be freed from here on (vgmRpcServerFree) */
    vgmRpcClientUnref(client);   /* the server's reference */
    vgmRpcClientUnref(client);   /* the reader's */
    return NULL;
}

/* ---- accepting ---- */

static gboolean
vgmRpcServerAccept(gint fd, GIOCondition cond, gpointer data)
{
    VgmRpcListener *l = data;
    VgmRpcServer *srv = l->srv;
    struct ucred cred;
    socklen_t credLen = sizeof(cred);
    VgmRpcClient *client;
    int cfd;

    if ((cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
        return G_SOURCE_CONTINUE;
    if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &credLen) < 0) {
        close(cfd);
        return G_SOURCE_CONTINUE;
    }
    /* the read-write socket: root and the daemon's own user only */
    if (!l->readonly && cred.uid != 0 && cred.uid != geteuid()) {
        if (srv->verbose)
            g_printerr(_("virtgmemd: uid %1$u refused\n"), (unsigned)cred.uid);
        close(cfd);
        return G_SOURCE_CONTINUE;
    }
    g_mutex_lock(&srv->lock);
    if (srv->clients->len >= srv->limits.maxClients) {
        g_mutex_unlock(&srv->lock);
        close(cfd);
        return G_SOURCE_CONTINUE;
    }
    client = g_new0(VgmRpcClient, 1);
    client->ref = 2;             /* the server's and the reader's */
    client->srv = srv;
    client->id = ++srv->nextClientId;
    client->fd = cfd;
    client->readonly = l->readonly;
    client->uid = cred.uid;
    client->pid = cred.pid;
    client->lastRx = g_get_monotonic_time();
    g_mutex_init(&client->lock);
    g_cond_init(&client->cond);
    g_queue_init(&client->out);
    g_queue_init(&client->outFds);
    g_ptr_array_add(srv->clients, client);
    g_mutex_unlock(&srv->lock);

    if (srv->verbose)
        g_printerr(_("virtgmemd: client %1$u connected (pid %2$ld, uid %3$u%4$s)\n"), client->id,
                   (long)cred.pid, (unsigned)cred.uid, l->readonly ? _(", read-only") : "");
    if (srv->program.clientNew)
        client->priv = srv->program.clientNew(client, srv->program.opaque);
    client->writer = g_thread_new("vgm-rpc-writer", vgmRpcClientWriter, client);
    g_thread_unref(g_thread_new("vgm-rpc-reader", vgmRpcClientReader, client));
    return G_SOURCE_CONTINUE;
}

static gboolean vgmRpcServerSignal(gpointer data);
static void vgmRpcServerAttach(VgmRpcServer *srv, GSource *src, GSourceFunc fn, gpointer data);

VgmRpcServer *
vgmRpcServerNew(const VgmRpcProgram *program, const VgmRpcLimits *limits)
{
    static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
    VgmRpcServer *srv = g_new0(VgmRpcServer, 1);
    guint i;

    srv->program = *program;
    if (limits)
        srv->limits = *limits;
    if (!srv->limits.workers)
        srv->limits.workers = 20;
    /* libvirtd's max_client_requests: a client cannot take every worker */
    if (!srv->limits.maxClientCalls)
        srv->limits.maxClientCalls = 5;
    if (!srv->limits.maxQueuedBytes)
        srv->limits.maxQueuedBytes = 64 * 1024 * 1024;
    if (!srv->limits.maxClients)
        srv->limits.maxClients = 5000;
    if (!srv->limits.keepaliveInterval)
        srv->limits.keepaliveInterval = 5;
    if (!srv->limits.keepaliveCount)
        srv->limits.keepaliveCount = 5;
    srv->pool = g_thread_pool_new(vgmRpcJobRun, srv, srv->limits.workers, FALSE, NULL);
    srv->ctx = g_main_context_new();
    srv->loop = g_main_loop_new(srv->ctx, FALSE);
    srv->listeners = g_ptr_array_new();
    srv->clients = g_ptr_array_new();
    srv->idleSince = g_get_monotonic_time();
    g_mutex_init(&srv->lock);
    g_cond_init(&srv->cond);
    /* caught from now on, before any socket exists: a stop asked while
     * the sockets are being made is served by the first turn of the loop,
     * which removes them, rather than ending the process where it is */
    for (i = 0; i < G_N_ELEMENTS(sigs); i++)
        vgmRpcServerAttach(srv, g_unix_signal_source_new(sigs[i]), vgmRpcServerSignal, srv);
    return srv;
}

/* The clients with calls in flight now (each referenced) */
static GPtrArray *
vgmRpcServerBusyClients(VgmRpcServer *srv)
{
    GPtrArray *busy = g_ptr_array_new_with_free_func((GDestroyNotify)vgmRpcClientUnref);
    guint i;

    g_mutex_lock(&srv->lock);
    for (i = 0; i < srv->clients->len; i++) {
        VgmRpcClient *c = g_ptr_array_index(srv->clients, i);

        g_mutex_lock(&c->lock);
        if (c->inflight > 0)
            g_ptr_array_add(busy, vgmRpcClientRef(c));
        g_mutex_unlock(&c->lock);
    }
    g_mutex_unlock(&srv->lock);
    return busy;
}

/* Whether a client of @some is still connected */
static gboolean
vgmRpcServerAnyConnected(VgmRpcServer *srv, GPtrArray *some)
{
    gboolean any = FALSE;
    guint i;

    g_mutex_lock(&srv->lock);
    for (i = 0; i < some->len && !any; i++)
        any = g_ptr_array_find(srv->clients, g_ptr_array_index(some, i), NULL);
    g_mutex_unlock(&srv->lock);
    return any;
}

/* The calls of every client that a worker (or a reader) runs now */
static guint
vgmRpcServerCallsInFlight(VgmRpcServer *srv)
{
    guint n = 0;
    guint i;

    g_mutex_lock(&srv->lock);
    for (i = 0; i < srv->clients->len; i++) {
        VgmRpcClient *c = g_ptr_array_index(srv->clients, i);

        g_mutex_lock(&c->lock);
        n += c->inflight;
        g_mutex_unlock(&c->lock);
    }
    g_mutex_unlock(&srv->lock);
    return n;
}

void
vgmRpcServerFree(VgmRpcServer *srv)
{
    g_autoptr(GPtrArray) busy = NULL;
    guint i;

    if (!srv)
        return;
    g_mutex_lock(&srv->lock);
    srv->stopping = TRUE;
    g_mutex_unlock(&srv->lock);
    for (i = 0; i < srv->listeners->len; i++) {
        VgmRpcListener *l = g_ptr_array_index(srv->listeners, i);

        close(l->fd);
        g_free(l->path);
        g_free(l);
    }
    g_ptr_array_unref(srv->listeners);
    /* as libvirtd lets its workers finish before it closes its clients,
     * and serves them meanwhile: the calls in flight end (within a bound),
     * then their clients, still served, read the answers and go (a
     * client's close call after its answer), within a bound. Idle clients
     * are not waited for. */
    if ((busy = vgmRpcServerBusyClients(srv))->len > 0) {
        gint64 until = g_get_monotonic_time() + (gint64)VGM_RPC_DRAIN_MS * 1000;

        if (srv->verbose)
            g_printerr(_("virtgmemd: stopping: waiting for the calls in flight (%1$u)\n"),
                       vgmRpcServerCallsInFlight(srv));
        while (vgmRpcServerCallsInFlight(srv) > 0 && g_get_monotonic_time() < until)
            g_usleep(10 * 1000);
        if (vgmRpcServerCallsInFlight(srv) > 0 && srv->program.abandon) {
            if (srv->verbose)
                g_printerr(_("virtgmemd: stopping: giving up what the calls still in flight (%1$u) wait for\n"),
                           vgmRpcServerCallsInFlight(srv));
            srv->program.abandon(srv->program.opaque);
        }
        until = g_get_monotonic_time() + (gint64)VGM_RPC_FLUSH_MS * 1000;
        while (vgmRpcServerAnyConnected(srv, busy) && g_get_monotonic_time() < until)
            g_usleep(10 * 1000);
    }
    /* then the clients still connected are disconnected; each reader lets
     * go of srv once its calls in flight are over; then the workers end */
    g_mutex_lock(&srv->lock);
    for (i = 0; i < srv->clients->len; i++) {
        VgmRpcClient *c = g_ptr_array_index(srv->clients, i);

        g_mutex_lock(&c->lock);
        vgmRpcClientKillLocked(c);
        g_mutex_unlock(&c->lock);
    }
    while (srv->clients->len > 0)
        g_cond_wait(&srv->cond, &srv->lock);
    g_mutex_unlock(&srv->lock);
    g_thread_pool_free(srv->pool, FALSE, TRUE);
    g_ptr_array_unref(srv->clients);
    g_main_loop_unref(srv->loop);
    g_main_context_unref(srv->ctx);
    g_cond_clear(&srv->cond);
    g_mutex_clear(&srv->lock);
    g_free(srv);
}

void
vgmRpcServerSetVerbose(VgmRpcServer *srv, gboolean verbose)
{
    srv->verbose = verbose;
}

guint
vgmRpcServerClientCount(VgmRpcServer *srv)
{
    guint n;

    g_mutex_lock(&srv->lock);
    n = srv->clients->len;
    g_mutex_unlock(&srv->lock);
    return n;
}

gboolean
vgmRpcServerAddSocket(VgmRpcServer *srv, const char *path, mode_t mode,
                      gboolean readonly, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *tmp = NULL;
    VgmRpcListener *l;
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("socket path '%1$s' is longer than %2$zu bytes"),
                    path, sizeof(addr.sun_path) - 1);
        return FALSE;
    }
    strcpy(addr.sun_path, path);
    if (g_mkdir_with_parents(dir, 0755) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot create directory '%1$s'"), dir);
        return FALSE;
    }
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot create a socket"));
        return FALSE;
    }
    /* a socket file nobody answers on is a leftover */
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
        close(fd);
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("another server is listening on '%1$s'"), path);
        return FALSE;
    }
    close(fd);
    if (unlink(path) < 0 && errno != ENOENT) {
        vgmErrorSetSystem(error, errno, _("cannot remove '%1$s'"), path);
        return FALSE;
    }
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot create a socket"));
        return FALSE;
    }
    /* The socket file appears at @path only once it listens: it is bound
     * under a name beside it and renamed into place, so that a client that
     * sees the file never has its connection refused. (A path too long for
     * the extra name is bound in place.) */
    tmp = g_strdup_printf("%s.new", path);
    if (strlen(tmp) < sizeof(addr.sun_path)) {
        strcpy(addr.sun_path, tmp);
        if (unlink(tmp) < 0 && errno != ENOENT) {
            vgmErrorSetSystem(error, errno, _("cannot remove '%1$s'"), tmp);
            close(fd);
            return FALSE;
        }
    } else {
        g_clear_pointer(&tmp, g_free);
    }
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        chmod(addr.sun_path, mode) < 0 ||
        listen(fd, 128) < 0 ||
        (tmp && rename(tmp, path) < 0)) {
        vgmErrorSetSystem(error, errno, _("cannot listen on '%1$s'"), path);
        if (tmp)
            unlink(tmp);
        close(fd);
        return FALSE;
    }
    l = g_new0(VgmRpcListener, 1);
    l->fd = fd;
    l->path = g_strdup(path);
    l->readonly = readonly;
    l->srv = srv;
    g_ptr_array_add(srv->listeners, l);
    return TRUE;
}

gboolean
vgmRpcServerAddFd(VgmRpcServer *srv, int fd, gboolean readonly, GError **error)
{
    VgmRpcListener *l;
    int type = 0;
    socklen_t len = sizeof(type);

    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("file descriptor %1$d is not a stream socket"), fd);
        return FALSE;
    }
    /* never inherited by the QEMU processes the daemon starts */
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    l = g_new0(VgmRpcListener, 1);
    l->fd = fd;
    l->readonly = readonly;
    l->srv = srv;
    g_ptr_array_add(srv->listeners, l);
    return TRUE;
}

/* ---- running ---- */

typedef struct {
    VgmRpcServer *srv;
    guint idleTimeout;
} VgmRpcTick;

/* Once a second: keepalive pings and drops, and the idle exit. */
static gboolean
vgmRpcServerTick(gpointer data)
{
    VgmRpcTick *tick = data;
    VgmRpcServer *srv = tick->srv;
    gint64 now = g_get_monotonic_time();
    gint64 interval = (gint64)srv->limits.keepaliveInterval * G_USEC_PER_SEC;
    gint64 dead = interval * (srv->limits.keepaliveCount + 1);
    g_autoptr(GPtrArray) ping = g_ptr_array_new_with_free_func((GDestroyNotify)vgmRpcClientUnref);
    gboolean idle;
    guint i;

    g_mutex_lock(&srv->lock);
    for (i = 0; i < srv->clients->len; i++) {
        VgmRpcClient *c = g_ptr_array_index(srv->clients, i);

        g_mutex_lock(&c->lock);
        if (c->keepalive && !c->dead) {
            if (now - c->lastRx >= dead) {
                if (srv->verbose)
                    g_printerr(_("virtgmemd: client %1$u: no answer to keepalive, dropped\n"), c->id);
                vgmRpcClientKillLocked(c);
            } else if (now - c->lastRx >= interval && now - c->lastPing >= interval) {
                c->lastPing = now;
                g_ptr_array_add(ping, vgmRpcClientRef(c));
            }
        }
        g_mutex_unlock(&c->lock);
    }
    idle = tick->idleTimeout && srv->clients->len == 0 &&
           now - srv->idleSince >= (gint64)tick->idleTimeout * G_USEC_PER_SEC;
    g_mutex_unlock(&srv->lock);
    if (idle && srv->program.busy && srv->program.busy(srv->program.opaque)) {
        vgmRpcServerTouch(srv);
        idle = FALSE;
    }

    for (i = 0; i < ping->len; i++)
        vgmRpcClientSendKeepalive(g_ptr_array_index(ping, i), VGM_RPC_KEEPALIVE_PING);
    if (idle) {
        if (srv->verbose)
            g_printerr(_("virtgmemd: idle for %1$u s, exiting\n"), tick->idleTimeout);
        g_main_loop_quit(srv->loop);
    }
    return G_SOURCE_CONTINUE;
}

static gboolean
vgmRpcServerSignal(gpointer data)
{
    VgmRpcServer *srv = data;

    g_main_loop_quit(srv->loop);
    return G_SOURCE_CONTINUE;
}

static void
vgmRpcServerAttach(VgmRpcServer *srv, GSource *src, GSourceFunc fn, gpointer data)
{
    g_source_set_callback(src, fn, data, NULL);
    g_source_attach(src, srv->ctx);
    g_source_unref(src);
}

void
vgmRpcServerRun(VgmRpcServer *srv, guint idleTimeout)
{
    VgmRpcTick tick = { srv, idleTimeout };
    guint i;

    for (i = 0; i < srv->listeners->len; i++) {
        VgmRpcListener *l = g_ptr_array_index(srv->listeners, i);

        vgmRpcServerAttach(srv, g_unix_fd_source_new(l->fd, G_IO_IN),
                           (GSourceFunc)(void (*)(void))vgmRpcServerAccept, l);
    }
    vgmRpcServerAttach(srv, g_timeout_source_new_seconds(1), vgmRpcServerTick, &tick);
    vgmRpcServerTouch(srv);

    g_main_loop_run(srv->loop);

    for (i = 0; i < srv->listeners->len; i++) {
        VgmRpcListener *l = g_ptr_array_index(srv->listeners, i);

        if (l->path)
            g_unlink(l->path);
    }
}

void
vgmRpcServerQuit(VgmRpcServer *srv)
{
    g_main_loop_quit(srv->loop);
}
