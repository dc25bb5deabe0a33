/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgm_rpc_server.h: libvirt's RPC transport on unix sockets.
 *
 * Owns the listening sockets and who may connect to each (SO_PEERCRED: on
 * a read-write socket root or the daemon's own user, on a read-only one
 * whoever the socket's mode lets in), the framing of messages (a length
 * that counts itself, six header words, the payload; limits checked
 * before anything is allocated), one connection per client with its own
 * reader and writer, calls run in a pool of worker threads so that a slow
 * call holds up no other client, a bounded number of calls in flight per
 * client (reading stops until one finishes; a quick call with none in
 * flight runs in the reader itself), a bounded queue of outgoing
 * bytes (a client that never reads is dropped), the keepalive program
 * (answering PING, and once a client asked for keepalive, pinging it when
 * silent and dropping it after a while), errors for unknown programs and
 * versions, and exiting when idle.
 *
 * What a call means is the business of the program registered on the
 * server (src/remote); this layer knows only programs and frames.
 */
#pragma once

#include <sys/types.h>
#include <glib.h>

#include "rpc/vgm_xdr.h"

/* Largest message (header included) and the header's size. */
#define VGM_RPC_MESSAGE_MAX (16 * 1024 * 1024)
/* the most descriptors a call may pass (libvirt's limit) */
#define VGM_RPC_CALL_FDS_MAX 32
#define VGM_RPC_HEADER_SIZE 28

/* Message types and statuses (libvirt's virNetMessageType / Status). */
enum {
    VGM_RPC_TYPE_CALL = 0,
    VGM_RPC_TYPE_REPLY = 1,
    VGM_RPC_TYPE_MESSAGE = 2,
    VGM_RPC_TYPE_STREAM = 3,
    VGM_RPC_TYPE_CALL_WITH_FDS = 4,
    VGM_RPC_TYPE_REPLY_WITH_FDS = 5,
    VGM_RPC_TYPE_STREAM_HOLE = 6,
};
enum {
    VGM_RPC_STATUS_OK = 0,
    VGM_RPC_STATUS_ERROR = 1,
    VGM_RPC_STATUS_CONTINUE = 2,
};

typedef struct {
    guint32 prog;
    guint32 vers;
    gint32 proc;
    guint32 type;
    guint32 serial;
    guint32 status;
} VgmRpcHeader;

/* An error as libvirt's clients read it (virNetMessageError): a libvirt
 * error code and domain, and the message. */
typedef struct {
    int code;
    int domain;
    const char *message;
} VgmRpcErrorInfo;

/* libvirt's error domain of this layer's own errors. */
#define VGM_RPC_FROM_RPC 7

typedef struct _VgmRpcServer VgmRpcServer;
typedef struct _VgmRpcClient VgmRpcClient;

/* A program served: its number and version, and its calls. */
typedef struct {
    guint32 prog;
    guint32 vers;
    /* A second program number whose calls (of version @vers) go to the
     * same functions, which tell them apart by the header (libvirt's QEMU
     * program beside its REMOTE one); 0: none */
    guint32 prog2;
    /* Runs in a worker thread for every call of the program; must answer
     * it (vgmRpcClientReply or vgmRpcClientReplyError) exactly once. */
    void (*dispatch)(VgmRpcClient *client, const VgmRpcHeader *hdr,
                     const guint8 *payload, gsize len, gpointer opaque);
    /* Runs in the client's reader thread for every stream packet (type
     * 3) of the program the client sends; must not block for long. NULL:
     * stream packets break the protocol. */
    void (*stream)(VgmRpcClient *client, const VgmRpcHeader *hdr,
                   const guint8 *payload, gsize len, gpointer opaque);
    /* Per-client data of the program: made when a client connects, freed
     * once the client is gone and no call of it runs. */
    gpointer (*clientNew)(VgmRpcClient *client, gpointer opaque);
    void (*clientFree)(gpointer priv);
    /* Whether call @hdr is one the client's reader thread may run itself
     * (NULL: none): a call that neither waits for long nor holds up the
     * client's next calls, run without handing it to a worker (which
     * costs two thread switches, more than most such calls). Only a call
     * with no other call of the client in flight is run this way. */
    gboolean (*quick)(const VgmRpcHeader *hdr, gpointer opaque);
    /* Whether the program has work that keeps an idle server up (running
     * domains), or NULL. */
    gboolean (*busy)(gpointer opaque);
    /* At a stop whose wait for the calls in flight ran out with calls
     * still running: gives up what they wait for (NULL: nothing), so
     * that they end and the server can go. */
    void (*abandon)(gpointer opaque);
    gpointer opaque;
} VgmRpcProgram;

/* Limits of a server; zero fields take the defaults. */
typedef struct {
    guint workers;              /* worker threads (default 20) */
    guint maxClientCalls;       /* calls in flight per client (default 5) */
    gsize maxQueuedBytes;       /* outgoing bytes per client (default 64 MiB) */
    guint maxClients;           /* clients at once (default 5000) */
    guint keepaliveInterval;    /* s of silence before a ping (default 5) */
    guint keepaliveCount;       /* unanswered pings before a drop (default 5) */
} VgmRpcLimits;

/* A server with no socket yet; SIGTERM, SIGINT and SIGHUP are caught
 * from here on, and end vgmRpcServerRun (at once if they came before) */
VgmRpcServer *vgmRpcServerNew(const VgmRpcProgram *program, const VgmRpcLimits *limits);
void vgmRpcServerFree(VgmRpcServer *srv);

/*
 * Listens on a new unix socket at @path (a stale socket file there is
 * replaced; a live one, answered by another server, is an error) with
 * file mode @mode. Clients of a @readonly socket can only read.
 */
gboolean vgmRpcServerAddSocket(VgmRpcServer *srv, const char *path, mode_t mode,
                               gboolean readonly, GError **error);

/* Listens on @fd, a listening unix socket handed over by systemd (socket
 * activation); its file is left in place at exit. */
gboolean vgmRpcServerAddFd(VgmRpcServer *srv, int fd, gboolean readonly,
                           GError **error);

/* Serves until vgmRpcServerQuit, SIGTERM / SIGINT / SIGHUP, or, when
 * @idleTimeout is not 0, that many seconds with no client connected and
 * the program not busy.
 * Removes its socket files before returning. */
void vgmRpcServerRun(VgmRpcServer *srv, guint idleTimeout);
void vgmRpcServerQuit(VgmRpcServer *srv);
guint vgmRpcServerClientCount(VgmRpcServer *srv);
/* Logs every call and connection on stderr. */
void vgmRpcServerSetVerbose(VgmRpcServer *srv, gboolean verbose);

/* ---- a client, for the program ---- */

gpointer vgmRpcClientGetPrivate(VgmRpcClient *client);
gboolean vgmRpcClientIsReadonly(VgmRpcClient *client);
/* Whether the client goes because the server stops (vgmRpcServerFree),
 * not because it closed or broke its connection */
gboolean vgmRpcClientServerStopping(VgmRpcClient *client);
uid_t vgmRpcClientGetUid(VgmRpcClient *client);
pid_t vgmRpcClientGetPid(VgmRpcClient *client);
VgmRpcClient *vgmRpcClientRef(VgmRpcClient *client);
void vgmRpcClientUnref(VgmRpcClient *client);

/* The reply to call @hdr: its payload, encoded by @fn from @obj (@fn NULL:
 * an empty payload). An object that cannot be encoded becomes an error
 * reply. */
void vgmRpcClientReply(VgmRpcClient *client, const VgmRpcHeader *hdr,
                       VgmXdrFunc fn, void *obj);
void vgmRpcClientReplyError(VgmRpcClient *client, const VgmRpcHeader *hdr,
                            const VgmRpcErrorInfo *err);
/* The reply to call @hdr with file descriptor @fd passed along (type 5,
 * REPLY_WITH_FDS, as libvirt's openGraphicsFD answers); @fd is the
 * server's to close, sent or not. */
void vgmRpcClientReplyWithFd(VgmRpcClient *client, const VgmRpcHeader *hdr,
                             VgmXdrFunc fn, void *obj, int fd);
/* A message (type 2) of program @prog, procedure @proc, as events are. */
void vgmRpcClientSendMessage(VgmRpcClient *client, guint32 prog, guint32 vers,
                             gint32 proc, VgmXdrFunc fn, void *obj);
/* A stream packet (type 3) of the stream opened by call @call (its
 * program, version, procedure and serial): @status CONTINUE with data,
 * OK with none for its end, ERROR with an encoded error. The payload is
 * @data as it is (stream data is not XDR). */
void vgmRpcClientSendStream(VgmRpcClient *client, const VgmRpcHeader *call,
                            guint32 status, const guint8 *data, gsize len);
/* A hole of @length bytes in the sparse stream of call @call (type 6,
 * CONTINUE, VgmRpcStreamHole). */
void vgmRpcClientSendStreamHole(VgmRpcClient *client, const VgmRpcHeader *call,
                                gint64 length);
/* Waits up to @timeoutUs while more than @bytes are queued for @client (a
 * stream's producer keeps below the backlog that drops a client): 1 when
 * the backlog is below, 0 when it still is not, -1 when the client is
 * gone. */
int vgmRpcClientWaitBacklog(VgmRpcClient *client, gsize bytes, gint64 timeoutUs);

/* From now on the server pings this client when it is silent. */
void vgmRpcClientStartKeepalive(VgmRpcClient *client);
/* Drops the connection (after what is queued has been sent). */
void vgmRpcClientClose(VgmRpcClient *client);

/* ---- frames, for tests and fuzzing ---- */

/* Reads the header of a frame whose first @len bytes (at least
 * VGM_RPC_HEADER_SIZE) are @buf: checks the length word against the
 * limits and @len. */
gboolean vgmRpcHeaderDecode(const guint8 *buf, gsize len, guint32 *frameLen,
                            VgmRpcHeader *hdr, GError **error);
/* A whole frame: header, then the payload @fn makes of @obj. */
GByteArray *vgmRpcFrameEncode(const VgmRpcHeader *hdr, VgmXdrFunc fn, void *obj,
                              GError **error);
/* The payload of an error reply. */
GByteArray *vgmRpcErrorEncode(const VgmRpcErrorInfo *err);
