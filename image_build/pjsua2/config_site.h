/* pjproject 2.15.1 build settings for depotline on the Raspberry Pi (image_build/pjsua2/build.sh
 * copies this to pjlib/include/pj/config_site.h). The PyPI wheel keeps upstream defaults, which
 * allow only 4 calls: a depot with 8 lines and 12 agents needs far more call legs. */

/* Call legs: every caller on a gateway line and every agent phone is one leg. */
#define PJSUA_MAX_CALLS             64
/* Prompt and music players, call recorders. */
#define PJSUA_MAX_PLAYERS           64
#define PJSUA_MAX_RECORDERS         64
#define PJSUA_MAX_CONF_PORTS        (PJSUA_MAX_CALLS + 2 * PJSUA_MAX_PLAYERS)
/* One account per gateway or trunk plus the box's own. */
#define PJSUA_MAX_ACC               32

/* Audio only: no video, no video codecs. */
#define PJMEDIA_HAS_VIDEO           0

#include <pj/config_site_sample.h>
