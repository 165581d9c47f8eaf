// zlib (Debian: zlib1g-dev), used to read gzipped IDX files.
#include <zlib.h>
