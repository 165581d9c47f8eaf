// Header-only module; SwiftPM needs one source file per C target.
#include "optlab_math.h"
