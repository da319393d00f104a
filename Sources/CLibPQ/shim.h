/* Debian's libpq (package libpq-dev), PostgreSQL's C client library: the fleet store's connection and COPY. */
#include <libpq-fe.h>
