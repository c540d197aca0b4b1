#include "CVaultSystem.h"

// Written into the finished binary by scripts/stamp-build.sh (objcopy --update-section), so the
// revision is recorded without building again: a build stamped or not is the same code. Not
// const, so the compiler reads it rather than folding in the empty string.
__attribute__((section(".vobiz_vault_build"), used, aligned(1)))
char vv_build_stamp_bytes[VV_BUILD_STAMP_SIZE] = "";

const char *vv_build_stamp(void) { return vv_build_stamp_bytes; }
