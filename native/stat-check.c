// Checks many stored stats against the file system at once (issue 17 point 1):
// the stored tree's check (src/scan/settled.ts) asks whether every tracked file and
// directory still has the stat the manifest stored, and answers from the
// packed snapshots as stored, with no JavaScript per file or directory. Two
// threads share the files' stat calls above a few thousand rows, as git's
// preload-index does; the directories have a thread of their own.
//
// Times become milliseconds with the arithmetic Node 20 uses (sec * 1e3 +
// nsec / 1e6, in doubles; binding.gyp turns off fused multiply-add), so a row
// compares equal exactly when the JavaScript walk would find it unchanged.
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK(call)                                                                                \
  do {                                                                                             \
    if ((call) != napi_ok) return NULL;                                                            \
  } while (0)

// Rows a thread claims at a time, and the fewest rows worth a second thread.
#define CHUNK 512
#define THREADED_FROM 4096

enum { MODE_FILES = 0, MODE_DIRS = 1 };

typedef struct {
  int root;              // the source tree, opened: each path is stat'ed relative to it
  char *text;            // the paths, NUL-separated (a copy, ending in a NUL)
  size_t *offsets;       // where each row's path starts in text
  double *numbers;       // the stored numbers, `width` per row (a copy)
  size_t width;
  int at_size, at_mtime, at_ctime, at_ino; // each number's place in a row; at_size < 0: not compared
  int mode;
  double racy_limit;
  size_t count;
  size_t next; // the next unclaimed row, shared (atomic)
  unsigned char *differs;
  pthread_t threads[2];
  int started; // threads running, joined by finish (or by the finalizer when finish is never called)
  int usable;  // 0: the root could not be opened, or the text holds fewer rows than count
} Check;

static double ms_of(const struct timespec *t) {
  return (double)t->tv_sec * 1e3 + (double)t->tv_nsec / 1e6;
}

static int row_differs(const Check *c, size_t i) {
  const char *path = c->text + c->offsets[i];
  const double *n = c->numbers + i * c->width;
  struct stat st;
  int rc;
  if (c->mode == MODE_FILES) rc = fstatat(c->root, path, &st, 0); // followed, as the walk stats files
  else if (path[0] == '\0') rc = fstat(c->root, &st);             // the tree's root itself
  else rc = fstatat(c->root, path, &st, AT_SYMLINK_NOFOLLOW);
  if (rc != 0) return 1;
  if (c->mode == MODE_FILES ? !S_ISREG(st.st_mode) : !S_ISDIR(st.st_mode)) return 1;
  double mtime = ms_of(&st.st_mtim);
  double ctime = ms_of(&st.st_ctim);
  if (c->at_size >= 0 && n[c->at_size] != (double)st.st_size) return 1;
  if (n[c->at_mtime] != mtime || n[c->at_ctime] != ctime || n[c->at_ino] != (double)st.st_ino) return 1;
  // Written too close to the last scan to tell (git's racy rule): its content must be read again.
  return mtime >= c->racy_limit || ctime >= c->racy_limit;
}

static void *work(void *arg) {
  Check *c = arg;
  for (;;) {
    size_t from = __atomic_fetch_add(&c->next, CHUNK, __ATOMIC_RELAXED);
    if (from >= c->count) return NULL;
    size_t to = from + CHUNK < c->count ? from + CHUNK : c->count;
    for (size_t i = from; i < to; i++) c->differs[i] = (unsigned char)row_differs(c, i);
  }
}

static void join_and_free(Check *c) {
  for (int k = 0; k < c->started; k++) pthread_join(c->threads[k], NULL);
  c->started = 0;
  if (c->root >= 0) close(c->root);
  free(c->text);
  free(c->offsets);
  free(c->numbers);
  free(c->differs);
  free(c);
}

static void finalize(napi_env env, void *data, void *hint) {
  if (data != NULL) join_and_free(data);
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

#define USAGE "statCheckStart(root, paths, count, numbers, width, at, mode, racyLimit)"

// statCheckStart(root, paths, count, numbers, width, at, mode, racyLimit):
// starts comparing `count` stored stats with the file system on threads of
// its own, and returns a handle for statCheckFinish. `paths` is a Buffer of
// NUL-separated paths relative to `root`; `numbers` a Buffer of doubles,
// `width` per row; `at` the places of size (-1: none), mtimeMs, ctimeMs and
// ino in a row; mode 0 stats files (following links; a regular file), 1
// directories (not following; a directory; the path "" is the root). Both
// buffers are copied: the caller may let them go.
napi_value StatCheckStart(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 8) return throw_type(env, USAGE);

  size_t root_len;
  if (napi_get_value_string_utf8(env, argv[0], NULL, 0, &root_len) != napi_ok) return throw_type(env, USAGE);
  char *text, *numbers;
  size_t text_len, numbers_len;
  uint32_t count, width;
  int32_t mode;
  double racy_limit;
  int bad = napi_get_buffer_info(env, argv[1], (void **)&text, &text_len) != napi_ok ||
            napi_get_value_uint32(env, argv[2], &count) != napi_ok ||
            napi_get_buffer_info(env, argv[3], (void **)&numbers, &numbers_len) != napi_ok ||
            napi_get_value_uint32(env, argv[4], &width) != napi_ok ||
            napi_get_value_int32(env, argv[6], &mode) != napi_ok ||
            napi_get_value_double(env, argv[7], &racy_limit) != napi_ok || width == 0 ||
            (size_t)count * width * sizeof(double) > numbers_len;
  int32_t at[4];
  for (uint32_t k = 0; k < 4 && !bad; k++) {
    napi_value v;
    bad = napi_get_element(env, argv[5], k, &v) != napi_ok || napi_get_value_int32(env, v, &at[k]) != napi_ok ||
          at[k] >= (int32_t)width || (k > 0 && at[k] < 0);
  }
  if (bad) return throw_type(env, USAGE);

  Check *c = calloc(1, sizeof *c);
  char *root = malloc(root_len + 1);
  if (c == NULL || root == NULL) {
    free(c);
    free(root);
    return throw_type(env, "statCheckStart: out of memory");
  }
  napi_get_value_string_utf8(env, argv[0], root, root_len + 1, &root_len);
  // A handle for fstatat alone (O_PATH): the check lists no directory, so it opens none for reading.
  c->root = open(root, O_PATH | O_CLOEXEC);
  free(root);
  c->width = width;
  c->at_size = at[0];
  c->at_mtime = at[1];
  c->at_ctime = at[2];
  c->at_ino = at[3];
  c->mode = mode;
  c->racy_limit = racy_limit;
  c->count = count;
  c->text = malloc(text_len + 1);
  c->offsets = malloc(sizeof(size_t) * (count + 1));
  c->numbers = malloc(sizeof(double) * ((size_t)count * width + 1));
  c->differs = calloc(count + 1, 1);
  if (c->root >= 0 && c->text != NULL && c->offsets != NULL && c->numbers != NULL && c->differs != NULL) {
    // A copy that ends in a NUL, so the last path ends in one whether or not the buffer does.
    memcpy(c->text, text, text_len);
    c->text[text_len] = '\0';
    memcpy(c->numbers, numbers, (size_t)count * width * sizeof(double));
    // Each row's start: one pass over the text, which must hold every row.
    size_t rows = 0, at_byte = 0;
    while (rows < count && at_byte <= text_len) {
      c->offsets[rows++] = at_byte;
      at_byte += strlen(c->text + at_byte) + 1;
    }
    c->usable = rows == count;
  }
  if (c->usable) {
    int want = count >= THREADED_FROM ? 2 : 1;
    while (c->started < want && pthread_create(&c->threads[c->started], NULL, work, c) == 0) c->started++;
    if (c->started == 0) work(c); // no thread to be had: done here
  }
  napi_value handle;
  if (napi_create_external(env, c, finalize, NULL, &handle) != napi_ok) {
    join_and_free(c);
    return NULL;
  }
  return handle;
}

// statCheckFinish(handle, cap[, stop]): waits for the check and returns [how
// many rows differ or are racy (-1: it could not tell), then up to `cap` of
// those rows]. With `stop` true, the rows not yet claimed are left unchecked
// and the answer is -1: the caller no longer needs it. A handle is finished once.
napi_value StatCheckFinish(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Check *c = NULL;
  uint32_t cap;
  bool stop = false;
  if (argc < 2 || napi_get_value_external(env, argv[0], (void **)&c) != napi_ok || c == NULL ||
      napi_get_value_uint32(env, argv[1], &cap) != napi_ok ||
      (argc >= 3 && napi_get_value_bool(env, argv[2], &stop) != napi_ok))
    return throw_type(env, "statCheckFinish(handle, cap[, stop])");
  // Every row claimed at once: each thread ends after the rows it holds.
  if (stop) __atomic_store_n(&c->next, c->count, __ATOMIC_RELAXED);
  for (int k = 0; k < c->started; k++) pthread_join(c->threads[k], NULL);
  c->started = 0;
  int64_t differ = -1;
  if (c->usable && !stop) {
    differ = 0;
    for (size_t i = 0; i < c->count; i++) differ += c->differs[i];
  }
  napi_value out, v;
  CHECK(napi_create_array(env, &out));
  uint32_t k = 0;
  CHECK(napi_create_double(env, (double)differ, &v));
  CHECK(napi_set_element(env, out, k++, v));
  for (size_t i = 0; differ > 0 && i < c->count && k <= cap; i++) {
    if (!c->differs[i]) continue;
    CHECK(napi_create_uint32(env, (uint32_t)i, &v));
    CHECK(napi_set_element(env, out, k++, v));
  }
  return out;
}

// ---------------------------------------------------------------- directories

// The stored directory listings as packed (manifest/codec.ts encodeDirs):
// 3 or 8 numbers per directory (its mtimeMs, ctimeMs, ino; then its
// .gitignore's size, -1 for none, mtimeMs, ctimeMs, ino; whether git's rules
// left a name out), and per directory three texts (its path, its files'
// names and its subdirectories' names, each joined by '/'), all joined by NUL.
typedef struct {
  int root;
  char *text;
  double *numbers;
  size_t width;
  size_t count;
  double racy_limit;
  const char **paths, **files, **subdirs;
  // Open addressing over the directories' paths, for "is this subdirectory's listing stored".
  size_t *slots; // row + 1, 0: empty
  size_t mask;
  int64_t differ; // -1: the blob is not as expected
  int64_t names;  // the file names the listings hold, all told
  pthread_t thread;
  int started;
} DirCheck;

static uint64_t hash_of(const char *s, size_t len) {
  uint64_t h = 1469598103934665603ull; // FNV-1a
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

static int has_dir(const DirCheck *d, const char *path, size_t len) {
  for (size_t k = hash_of(path, len) & d->mask;; k = (k + 1) & d->mask) {
    size_t row = d->slots[k];
    if (row == 0) return 0;
    const char *p = d->paths[row - 1];
    if (strlen(p) == len && memcmp(p, path, len) == 0) return 1;
  }
}

/** Whether a stored stat (mtime, ctime, ino at n[0..2], size at size_at when >= 0) holds and is not racy. */
static int stat_holds(const struct stat *st, const double *n, int size_at, double racy_limit) {
  double mtime = ms_of(&st->st_mtim), ctime = ms_of(&st->st_ctim);
  if (size_at >= 0 && n[size_at] != (double)st->st_size) return 0;
  return n[0] == mtime && n[1] == ctime && n[2] == (double)st->st_ino && mtime < racy_limit && ctime < racy_limit;
}

/** Whether the walk would reuse directory i's stored listing as it is (walk.ts), and its subdirectories' too. */
static int dir_holds(const DirCheck *d, size_t i) {
  const char *path = d->paths[i];
  const double *n = d->numbers + i * d->width;
  struct stat st;
  if ((path[0] == '\0' ? fstat(d->root, &st) : fstatat(d->root, path, &st, AT_SYMLINK_NOFOLLOW)) != 0) return 0;
  if (!S_ISDIR(st.st_mode) || !stat_holds(&st, n, -1, d->racy_limit)) return 0;
  // Its .gitignore as stored (a listing stored without one is read again when one appears: the directory's stat).
  if (d->width >= 8 && n[3] >= 0) {
    size_t len = strlen(path);
    char *name = malloc(len + sizeof "/.gitignore");
    if (name == NULL) return 0;
    if (len == 0) strcpy(name, ".gitignore");
    else {
      memcpy(name, path, len);
      strcpy(name + len, "/.gitignore");
    }
    int rc = fstatat(d->root, name, &st, AT_SYMLINK_NOFOLLOW);
    free(name);
    if (rc != 0 || !S_ISREG(st.st_mode)) return 0;
    double stored[4] = {n[4], n[5], n[6], n[3]}; // mtime, ctime, ino, size
    if (!stat_holds(&st, stored, 3, d->racy_limit)) return 0;
  }
  // Each subdirectory the walk enters has a stored listing (one that cannot be stored is read every time).
  const char *sub = d->subdirs[i];
  size_t plen = strlen(path);
  while (*sub != '\0') {
    const char *end = strchr(sub, '/');
    size_t slen = end == NULL ? strlen(sub) : (size_t)(end - sub);
    size_t len = plen == 0 ? slen : plen + 1 + slen;
    char *full = malloc(len + 1);
    if (full == NULL) return 0;
    if (plen == 0) memcpy(full, sub, slen);
    else {
      memcpy(full, path, plen);
      full[plen] = '/';
      memcpy(full + plen + 1, sub, slen);
    }
    full[len] = '\0';
    int found = has_dir(d, full, len);
    free(full);
    if (!found) return 0;
    if (end == NULL) break;
    sub = end + 1;
  }
  return 1;
}

static void *dir_work(void *arg) {
  DirCheck *d = arg;
  int64_t differ = 0;
  for (size_t i = 0; i < d->count; i++) differ += !dir_holds(d, i);
  d->differ = differ;
  return NULL;
}

static void dir_free(DirCheck *d) {
  if (d->started) pthread_join(d->thread, NULL);
  d->started = 0;
  if (d->root >= 0) close(d->root);
  free(d->text);
  free(d->numbers);
  free(d->paths);
  free(d->files);
  free(d->subdirs);
  free(d->slots);
  free(d);
}

static void dir_finalize(napi_env env, void *data, void *hint) {
  if (data != NULL) dir_free(data);
}

/** Reads the packed listings into d (copies); 0 when the blob is not as expected. */
static int dir_parse(DirCheck *d, const unsigned char *blob, size_t len) {
  if (len < 8) return 0;
  uint32_t count, width;
  memcpy(&count, blob, 4);
  memcpy(&width, blob + 4, 4);
  if (width != 3 && width != 8) return 0;
  size_t numbers_end = 8 + (size_t)count * width * sizeof(double);
  if (len < numbers_end + 4) return 0;
  uint32_t text_len;
  memcpy(&text_len, blob + numbers_end, 4);
  if (len < numbers_end + 4 + text_len) return 0;
  d->count = count;
  d->width = width;
  d->numbers = malloc(sizeof(double) * ((size_t)count * width + 1));
  d->text = malloc((size_t)text_len + 1);
  d->paths = malloc(sizeof(char *) * (count + 1));
  d->files = malloc(sizeof(char *) * (count + 1));
  d->subdirs = malloc(sizeof(char *) * (count + 1));
  size_t slots = 2;
  while (slots < (size_t)count * 2) slots *= 2;
  d->slots = calloc(slots, sizeof(size_t));
  d->mask = slots - 1;
  if (d->numbers == NULL || d->text == NULL || d->paths == NULL || d->files == NULL || d->subdirs == NULL ||
      d->slots == NULL)
    return 0;
  memcpy(d->numbers, blob + 8, (size_t)count * width * sizeof(double));
  memcpy(d->text, blob + numbers_end + 4, text_len);
  d->text[text_len] = '\0';
  // Three texts a directory, NUL between them: each one is cut where it ends.
  char *at = d->text, *end = d->text + text_len;
  for (size_t i = 0; i < count; i++) {
    const char **field[3] = {&d->paths[i], &d->files[i], &d->subdirs[i]};
    for (int f = 0; f < 3; f++) {
      if (at > end) return 0;
      *field[f] = at;
      at += strlen(at) + 1;
    }
    const char *p = d->paths[i];
    size_t plen = strlen(p);
    size_t k = hash_of(p, plen) & d->mask;
    while (d->slots[k] != 0) k = (k + 1) & d->mask;
    d->slots[k] = i + 1;
    // Its file names, all told: as many '/'-separated names as the text holds.
    const char *names = d->files[i];
    if (*names != '\0') {
      d->names++;
      for (const char *c = names; *c != '\0'; c++) d->names += *c == '/';
    }
  }
  return 1;
}

// dirCheckStart(root, dirs, racyLimit): starts checking, on a thread of its
// own, that the walk would reuse every stored listing of `dirs` (the packed
// directories snapshot, copied) as it is: each directory's stat as stored
// and not racy, its .gitignore's too, and each subdirectory's listing
// stored. Returns a handle for dirCheckFinish.
napi_value DirCheckStart(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  size_t root_len, blob_len;
  void *blob;
  double racy_limit;
  if (argc < 3 || napi_get_value_string_utf8(env, argv[0], NULL, 0, &root_len) != napi_ok ||
      napi_get_buffer_info(env, argv[1], &blob, &blob_len) != napi_ok ||
      napi_get_value_double(env, argv[2], &racy_limit) != napi_ok)
    return throw_type(env, "dirCheckStart(root, dirs, racyLimit)");
  DirCheck *d = calloc(1, sizeof *d);
  char *root = malloc(root_len + 1);
  if (d == NULL || root == NULL) {
    free(d);
    free(root);
    return throw_type(env, "dirCheckStart: out of memory");
  }
  napi_get_value_string_utf8(env, argv[0], root, root_len + 1, &root_len);
  d->root = open(root, O_PATH | O_CLOEXEC);
  free(root);
  d->racy_limit = racy_limit;
  d->differ = -1;
  if (d->root >= 0 && dir_parse(d, blob, blob_len)) {
    if (pthread_create(&d->thread, NULL, dir_work, d) == 0) d->started = 1;
    else dir_work(d);
  }
  napi_value handle;
  if (napi_create_external(env, d, dir_finalize, NULL, &handle) != napi_ok) {
    dir_free(d);
    return NULL;
  }
  return handle;
}

// dirCheckFinish(handle): waits for the check; returns [how many listings
// would be read again (-1: the snapshot is not as expected), how many file
// names the listings hold].
napi_value DirCheckFinish(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  DirCheck *d = NULL;
  if (argc < 1 || napi_get_value_external(env, argv[0], (void **)&d) != napi_ok || d == NULL)
    return throw_type(env, "dirCheckFinish(handle)");
  if (d->started) pthread_join(d->thread, NULL);
  d->started = 0;
  napi_value out, v;
  CHECK(napi_create_array(env, &out));
  CHECK(napi_create_double(env, (double)d->differ, &v));
  CHECK(napi_set_element(env, out, 0, v));
  CHECK(napi_create_double(env, (double)d->names, &v));
  CHECK(napi_set_element(env, out, 1, v));
  return out;
}
