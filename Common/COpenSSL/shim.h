#ifndef V2G_COPENSSL_SHIM_H
#define V2G_COPENSSL_SHIM_H

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

// Macros and constants Swift cannot import directly, as static inline wrappers (GRDB's shim.h pattern).

/// EVP_PKEY_ED25519 is a macro over NID_ED25519.
static inline int v2g_EVP_PKEY_ED25519(void) { return EVP_PKEY_ED25519; }

/// BIO_get_mem_data is a macro over BIO_ctrl.
static inline long v2g_BIO_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }

#endif
