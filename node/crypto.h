/* node/crypto.h: OpenSSL and the kernel's CSPRNG behind core's id_crypto. */
#ifndef CREEK_NODE_CRYPTO_H
#define CREEK_NODE_CRYPTO_H

#include "../core/identity/identity.h"
#include "../storage/files.h"

/* The process's one set (call once from the main thread before use). */
const struct id_crypto *node_crypto(void);
/* OpenSSL's SHA-256 in steps, for the file store (uploads are hashed as
 * they stream in). Any thread. */
const struct storage_sha256 *node_files_sha256(void);

#endif
