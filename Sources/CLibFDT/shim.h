/* Debian's libfdt (package libfdt-dev), used to read and write flattened device trees. */
#include <libfdt.h>
