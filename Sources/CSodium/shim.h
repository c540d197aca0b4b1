#ifndef VOBIZ_VAULT_CSODIUM_SHIM_H
#define VOBIZ_VAULT_CSODIUM_SHIM_H
#include <sodium.h>
#endif
