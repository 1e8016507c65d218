#ifndef KHEO_CLIBPQ_SHIM_H
#define KHEO_CLIBPQ_SHIM_H
// libpq's public client API. Debian's libpq-dev puts it in /usr/include/postgresql,
// which pkg-config (libpq.pc) adds to the include path.
#include <libpq-fe.h>
#endif
