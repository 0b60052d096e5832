/* node/crypto.h: OpenSSL and the kernel's CSPRNG behind core's id_crypto. */
#ifndef CREEK_NODE_CRYPTO_H
#define CREEK_NODE_CRYPTO_H

#include "../core/identity/identity.h"

/* The process's one set (call once from the main thread before use). */
const struct id_crypto *node_crypto(void);

#endif
