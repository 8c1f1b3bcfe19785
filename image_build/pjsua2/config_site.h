/* pjproject 2.15.1 build settings for depotline, on a PC, in CI and on the Raspberry Pi alike
 * (image_build/pjsua2/build.sh copies this to pjlib/include/pj/config_site.h). Upstream defaults
 * allow 4 calls and 64 sockets: a depot with 8 lines and 12 agents needs far more, and a box
 * that runs out of sockets must refuse a call, not abort. build.sh records the limits below in
 * the wheel (module pjsua2_build) so the admission rule and check-config count against them. */

/* Call legs: every caller on a gateway line and every agent phone is one leg. 128 legs carry the
 * stress bench's 50 bridged calls with room for listen-in and three-way legs. */
#define PJSUA_MAX_CALLS             128
/* Prompt and music players, call recorders. */
#define PJSUA_MAX_PLAYERS           64
#define PJSUA_MAX_RECORDERS         64
/* Every call, player and recorder is one port of the conference bridge. */
#define PJSUA_MAX_CONF_PORTS        (PJSUA_MAX_CALLS + PJSUA_MAX_PLAYERS + PJSUA_MAX_RECORDERS)
/* One account per gateway or trunk plus the box's own. */
#define PJSUA_MAX_ACC               32

/* Sockets: a bridged call holds 4 (RTP and RTCP on two legs), and a closed socket's slot comes
 * back only after PJ_IOQUEUE_KEY_FREE_DELAY (500 ms). The default 64 made the box abort at 14
 * calls. 1024 handles on epoll (build.sh configures --enable-epoll): select() would be capped by
 * FD_SETSIZE and scans every socket on each poll. */
#define PJ_IOQUEUE_MAX_HANDLES      1024
#define PJ_IOQUEUE_MAX_EVENTS_IN_SINGLE_POLL 64

/* Timers: a SIP transaction holds a few, a call a few more; 128 legs need well over the
 * default heap, which grows, but starting big avoids growing it under load. */
#define PJSIP_MAX_TSX_COUNT         (16 * 1024 - 1)
#define PJSIP_MAX_DIALOG_COUNT      (16 * 1024 - 1)

/* A release build: pj_assert() logs instead of aborting, so no assertion reachable from network
 * input or resource exhaustion kills every call in progress (PJ_ASSERT_RETURN still returns its
 * error). build.sh also compiles with -DNDEBUG for plain assert(). */
#define PJ_DEBUG                    0

/* Audio only: no video, no video codecs. */
#define PJMEDIA_HAS_VIDEO           0

#include <pj/config_site_sample.h>
