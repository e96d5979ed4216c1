// A file's content digest (src/scan/digest.ts) read and hashed with no
// JavaScript per read: a cold walk digests every file, and the calls through
// Node's fs and crypto cost more than the reads and the hashing themselves.
// The sha256 is OpenSSL's, as Node's own crypto module runs it: its EVP
// functions are looked up in the process at load, never linked, so a Node
// that does not export them leaves digestFile out and the walk digests
// through crypto as before.
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

// Read at a time; on the stack, so that the walk's threads could share the function.
#define READ_BYTES 65536
// The digest is the first 16 bytes of the sha256, in hex (src/hash.ts, HEX_CHARS).
#define DIGEST_BYTES 16

typedef void EvpCtx;
typedef void EvpMd;
static EvpCtx *(*ctx_new)(void);
static void (*ctx_free)(EvpCtx *);
static const EvpMd *(*sha256)(void);
static int (*digest_init)(EvpCtx *, const EvpMd *, void *);
static int (*digest_update)(EvpCtx *, const void *, size_t);
static int (*digest_final)(EvpCtx *, unsigned char *, unsigned int *);

/** Whether this process offers OpenSSL's digest functions (looked up once, at load). */
int digest_available(void) {
  ctx_new = (EvpCtx * (*)(void)) dlsym(RTLD_DEFAULT, "EVP_MD_CTX_new");
  ctx_free = (void (*)(EvpCtx *))dlsym(RTLD_DEFAULT, "EVP_MD_CTX_free");
  sha256 = (const EvpMd *(*)(void))dlsym(RTLD_DEFAULT, "EVP_sha256");
  digest_init = (int (*)(EvpCtx *, const EvpMd *, void *))dlsym(RTLD_DEFAULT, "EVP_DigestInit_ex");
  digest_update = (int (*)(EvpCtx *, const void *, size_t))dlsym(RTLD_DEFAULT, "EVP_DigestUpdate");
  digest_final = (int (*)(EvpCtx *, unsigned char *, unsigned int *))dlsym(RTLD_DEFAULT, "EVP_DigestFinal_ex");
  return ctx_new != NULL && ctx_free != NULL && sha256 != NULL && digest_init != NULL && digest_update != NULL &&
         digest_final != NULL;
}

/** Reads and hashes the open file to its end; 0, or an errno. */
static int hash_fd(int fd, unsigned char *out) {
  EvpCtx *ctx = ctx_new();
  if (ctx == NULL) return ENOMEM;
  int err = 0;
  if (digest_init(ctx, sha256(), NULL) != 1) err = EIO;
  unsigned char buf[READ_BYTES];
  while (err == 0) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
    } else if (n == 0) {
      break;
    } else if (digest_update(ctx, buf, (size_t)n) != 1) {
      err = EIO;
    }
  }
  unsigned int len = 0;
  if (err == 0 && digest_final(ctx, out, &len) != 1) err = EIO;
  ctx_free(ctx);
  return err;
}

/** digestFile(path): the digest in hex, as src/scan/digest.ts computes it, or a negative errno. */
napi_value DigestFile(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return NULL;
  char path[4096];
  size_t path_len = 0;
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &path_len) != napi_ok) return NULL;
  napi_value result;
  // A path cut short by the buffer, or at a NUL it holds, is not the file asked for.
  if (path_len + 1 >= sizeof path || strlen(path) != path_len) {
    napi_create_int32(env, path_len + 1 >= sizeof path ? -ENAMETOOLONG : -EINVAL, &result);
    return result;
  }
  int fd;
  do fd = open(path, O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    napi_create_int32(env, -errno, &result);
    return result;
  }
  unsigned char md[64];
  int err = hash_fd(fd, md);
  close(fd);
  if (err != 0) {
    napi_create_int32(env, -err, &result);
    return result;
  }
  static const char hex[] = "0123456789abcdef";
  char text[DIGEST_BYTES * 2];
  for (int i = 0; i < DIGEST_BYTES; i++) {
    text[2 * i] = hex[md[i] >> 4];
    text[2 * i + 1] = hex[md[i] & 15];
  }
  napi_create_string_latin1(env, text, sizeof text, &result);
  return result;
}
