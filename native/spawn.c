// Starts a job process without forking runner (issue 17, point 4): glibc's
// posix_spawn clones with CLONE_VM|CLONE_VFORK, so no page table of the large
// Node process is copied, as libuv's fork() copies it for every job. Owns the
// job's start (PATH search, stdio socketpairs, inherited descriptors, session,
// signals) and its exit notice (a pidfd polled on libuv's loop, then waitpid
// of that pid alone: libuv's own children are never reaped here). Also makes
// a fifo (the jobserver's), which otherwise costs a process, starts the
// watchdog (src/exec/watchdog.ts) with posix_spawn on a thread of its own,
// and registers
// native/stat-check.c's check of stored stats. Linux only;
// src/exec/native-spawn.ts loads it and falls back to child_process without it.
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define CHECK(call)                                                                                \
  do {                                                                                             \
    if ((call) != napi_ok) return NULL;                                                            \
  } while (0)

// One running job: its pidfd polled until the job exits, then its callback called once.
typedef struct {
  uv_poll_t poll;
  pid_t pid;
  int pidfd;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
} Job;

static char *string_of(napi_env env, napi_value value) {
  size_t len;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (s == NULL) return NULL;
  if (napi_get_value_string_utf8(env, value, s, len + 1, &len) != napi_ok) {
    free(s);
    return NULL;
  }
  return s;
}

/** A NULL-terminated copy of a JS array of strings; NULL when it is not one. */
static char **strings_of(napi_env env, napi_value array, uint32_t *count) {
  if (napi_get_array_length(env, array, count) != napi_ok) return NULL;
  char **out = calloc(*count + 1, sizeof(char *));
  if (out == NULL) return NULL;
  for (uint32_t i = 0; i < *count; i++) {
    napi_value item;
    if (napi_get_element(env, array, i, &item) != napi_ok || (out[i] = string_of(env, item)) == NULL) {
      for (uint32_t j = 0; j < i; j++) free(out[j]);
      free(out);
      return NULL;
    }
  }
  return out;
}

static void free_strings(char **strings) {
  if (strings == NULL) return;
  for (char **s = strings; *s != NULL; s++) free(*s);
  free(strings);
}

static napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

/**
 * posix_spawn of one candidate path; on ENOEXEC (a script without #!) runs it
 * with /bin/sh, as glibc's execvp does for libuv.
 */
static int spawn_path(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
                      const posix_spawnattr_t *attr, char **argv, uint32_t argc, char **envp) {
  int err = posix_spawn(pid, path, actions, attr, argv, envp);
  if (err != ENOEXEC) return err;
  char **sh_argv = calloc(argc + 2, sizeof(char *));
  if (sh_argv == NULL) return ENOMEM;
  sh_argv[0] = "/bin/sh";
  sh_argv[1] = (char *)path;
  for (uint32_t i = 1; i < argc; i++) sh_argv[i + 1] = argv[i];
  err = posix_spawn(pid, "/bin/sh", actions, attr, sh_argv, envp);
  free(sh_argv);
  return err;
}

/**
 * Finds `file` as libuv's execvp does, on the PATH of the job's environment
 * (not runner's), "/bin:/usr/bin" without one; a name with a slash is used as
 * it is. A candidate that is plainly absent (ENOENT, ENOTDIR) is skipped with
 * a stat instead of a spawn; EACCES is kept and reported if nothing else is
 * found; any other error stops the search, as it stops execvp's.
 */
static int spawn_searching(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                           const posix_spawnattr_t *attr, char **argv, uint32_t argc, char **envp) {
  if (*file == '\0') return ENOENT;
  if (strchr(file, '/') != NULL) return spawn_path(pid, file, actions, attr, argv, argc, envp);
  const char *path = "/bin:/usr/bin";
  for (char **e = envp; *e != NULL; e++) {
    if (strncmp(*e, "PATH=", 5) == 0) {
      path = *e + 5;
      break;
    }
  }
  size_t file_len = strlen(file);
  char *buf = malloc(strlen(path) + file_len + 2);
  if (buf == NULL) return ENOMEM;
  int result = ENOENT;
  int got_eacces = 0;
  for (const char *p = path;; p++) {
    const char *end = strchrnul(p, ':');
    size_t dir_len = (size_t)(end - p);
    // An empty element is the current directory, as for execvp.
    if (dir_len == 0) {
      memcpy(buf, file, file_len + 1);
    } else {
      memcpy(buf, p, dir_len);
      buf[dir_len] = '/';
      memcpy(buf + dir_len + 1, file, file_len + 1);
    }
    struct stat st;
    // A relative candidate is the job's cwd's: only the spawn (after its chdir) can tell.
    int absent = buf[0] == '/' && stat(buf, &st) != 0 && (errno == ENOENT || errno == ENOTDIR);
    if (!absent) {
      int err = spawn_path(pid, buf, actions, attr, argv, argc, envp);
      if (err == 0) {
        result = 0;
        break;
      }
      if (err == EACCES) {
        got_eacces = 1;
      } else if (err != ENOENT && err != ESTALE && err != ENOTDIR && err != ENODEV && err != ETIMEDOUT) {
        result = err;
        break;
      }
    }
    if (*end == '\0') {
      result = got_eacces ? EACCES : ENOENT;
      break;
    }
    p = end;
  }
  free(buf);
  return result;
}

static void on_closed(uv_handle_t *handle) {
  Job *job = (Job *)handle->data;
  close(job->pidfd);
  free(job);
}

static void on_pidfd(uv_poll_t *poll, int status, int events) {
  Job *job = (Job *)poll->data;
  int wstatus = 0;
  pid_t got;
  do got = waitpid(job->pid, &wstatus, WNOHANG);
  while (got < 0 && errno == EINTR);
  if (got == 0) return; // not yet (the pidfd is readable only once it has exited)
  uv_poll_stop(poll);

  napi_env env = job->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value callback, global, args[2], result;
  napi_get_reference_value(env, job->callback, &callback);
  napi_get_global(env, &global);
  if (got < 0) {
    // Reaped by someone else (never by libuv, which waits for its own pids only): the end is unknown.
    napi_get_null(env, &args[0]);
    napi_get_null(env, &args[1]);
  } else if (WIFEXITED(wstatus)) {
    napi_create_int32(env, WEXITSTATUS(wstatus), &args[0]);
    napi_get_null(env, &args[1]);
  } else {
    napi_get_null(env, &args[0]);
    napi_create_int32(env, WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0, &args[1]);
  }
  napi_status st = napi_make_callback(env, job->context, global, callback, 2, args, &result);
  if (st == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);
  }
  napi_close_handle_scope(env, scope);
  napi_delete_reference(env, job->callback);
  napi_async_destroy(env, job->context);
  uv_close((uv_handle_t *)poll, on_closed);
}

/** Adds signal n to a set as the kernel lays it out (bit n - 1), past glibc's sigaddset, which refuses its own. */
static void add_signal(sigset_t *set, int n) {
  unsigned long *words = (unsigned long *)set;
  const int bits = (int)(8 * sizeof(unsigned long));
  words[(n - 1) / bits] |= 1UL << ((n - 1) % bits);
}

/** Moves `fd` above every descriptor the job is given, close-on-exec, so that no placement overwrites another's source. */
static int lift(int fd, int above) {
  if (fd > above) return fd;
  int lifted = fcntl(fd, F_DUPFD_CLOEXEC, above + 1);
  int err = errno;
  close(fd);
  errno = err;
  return lifted;
}

/** A new session, every signal at its default and none blocked: what libuv's fork gives a `detached` child. */
static void session_attr(posix_spawnattr_t *attr) {
  sigset_t all, none;
  sigfillset(&all);
  // glibc's sigfillset leaves out its own two (32 and 33), and its posix_spawn then sets them to SIG_IGN in the
  // job, which exec keeps; libuv's fork resets them. Signal n is bit n - 1 of the set (Linux's layout).
  add_signal(&all, 32);
  add_signal(&all, 33);
  sigemptyset(&none);
  // Runner ignores SIGPIPE (Node does); the job must get it at its default, as after libuv's fork.
  posix_spawnattr_setsigdefault(attr, &all);
  posix_spawnattr_setsigmask(attr, &none);
  posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
}

/**
 * spawn(file, argv, envp, cwd, fds, onExit): fds is a flat list of [number in
 * the job, descriptor in runner] pairs. Starts the job as the leader of a new
 * session (libuv's `detached`), signals at their defaults and none blocked,
 * stdin on /dev/null, stdout and stderr each on a socketpair. Returns
 * [pid, stdoutFd, stderrFd] (runner's ends, close-on-exec), or a negative
 * errno when it could not start; onExit(code, signal) is called once it has
 * exited and been reaped.
 */
static napi_value Spawn(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value args[6];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  if (argc < 6) return throw_type(env, "spawn(file, argv, envp, cwd, fds, onExit)");

  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  uint32_t nargv, nenv, nfds;
  char *file = string_of(env, args[0]);
  char **argv = strings_of(env, args[1], &nargv);
  char **envp = strings_of(env, args[2], &nenv);
  char *cwd = string_of(env, args[3]);
  CHECK(napi_get_array_length(env, args[4], &nfds));
  int *fds = calloc(nfds + 1, sizeof(int));
  int ok = file != NULL && argv != NULL && envp != NULL && cwd != NULL && fds != NULL && nfds % 2 == 0;
  for (uint32_t i = 0; ok && i < nfds; i++) {
    napi_value v;
    ok = napi_get_element(env, args[4], i, &v) == napi_ok && napi_get_value_int32(env, v, &fds[i]) == napi_ok;
  }
  napi_value ret = NULL;
  if (!ok) {
    throw_type(env, "spawn: bad arguments");
    goto done;
  }

  int highest = 2;
  for (uint32_t i = 0; i < nfds; i += 2)
    if (fds[i] > highest) highest = fds[i];

  int out[2] = {-1, -1}, err[2] = {-1, -1};
  int lifted[64];
  uint32_t nlifted = 0;
  int error = 0;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out) != 0 ||
      socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, err) != 0) {
    error = errno;
  }
  // The job's ends go above its placements, so that a dup2 into 3 or 4 cannot close one.
  if (!error && ((out[1] = lift(out[1], highest)) < 0 || (err[1] = lift(err[1], highest)) < 0)) error = errno;

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  if (!error) {
    session_attr(&attr);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    for (uint32_t i = 0; i < nfds && !error; i += 2) {
      if (nlifted == sizeof lifted / sizeof lifted[0]) {
        error = EMFILE;
        break;
      }
      // A close-on-exec copy above every placement: its dup2 into place clears the flag, even when the numbers are equal.
      int copy = fcntl(fds[i + 1], F_DUPFD_CLOEXEC, highest + 1);
      if (copy < 0) {
        error = errno;
        break;
      }
      lifted[nlifted++] = copy;
      posix_spawn_file_actions_adddup2(&actions, copy, fds[i]);
    }
    if (!error) posix_spawn_file_actions_addchdir_np(&actions, cwd);
  }
  pid_t pid = -1;
  if (!error) error = spawn_searching(&pid, file, &actions, &attr, argv, nargv, envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  for (uint32_t i = 0; i < nlifted; i++) close(lifted[i]);
  if (out[1] >= 0) close(out[1]);
  if (err[1] >= 0) close(err[1]);

  Job *job = NULL;
  if (!error) {
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    job = calloc(1, sizeof(Job));
    if (pidfd < 0 || job == NULL || uv_poll_init(loop, &job->poll, pidfd) != 0) {
      // Cannot watch it: it must not run unwatched.
      kill(-pid, SIGKILL);
      waitpid(pid, NULL, 0);
      if (pidfd >= 0) close(pidfd);
      free(job);
      error = ENOSYS;
    } else {
      job->poll.data = job;
      job->pid = pid;
      job->pidfd = pidfd;
      job->env = env;
      napi_value name;
      napi_create_string_utf8(env, "runner:job", NAPI_AUTO_LENGTH, &name);
      if (napi_create_reference(env, args[5], 1, &job->callback) != napi_ok ||
          napi_async_init(env, NULL, name, &job->context) != napi_ok) {
        // Unreachable short of a broken engine; the pidfd's readiness would then call nothing valid.
        napi_fatal_error("runner_spawn", NAPI_AUTO_LENGTH, "cannot keep the exit callback", NAPI_AUTO_LENGTH);
      }
      uv_poll_start(&job->poll, UV_READABLE, on_pidfd);
    }
  }
  if (error) {
    if (out[0] >= 0) close(out[0]);
    if (err[0] >= 0) close(err[0]);
    napi_create_int32(env, -error, &ret);
  } else {
    napi_value triple[3];
    napi_create_array_with_length(env, 3, &ret);
    napi_create_int32(env, pid, &triple[0]);
    napi_create_int32(env, out[0], &triple[1]);
    napi_create_int32(env, err[0], &triple[2]);
    for (uint32_t i = 0; i < 3; i++) napi_set_element(env, ret, i, triple[i]);
  }
done:
  free(file);
  free_strings(argv);
  free_strings(envp);
  free(cwd);
  free(fds);
  return ret;
}

// A process runner starts and only reaps (the watchdog): its pidfd polled, unreferenced, then waitpid of it alone.
typedef struct {
  uv_poll_t poll;
  pid_t pid;
  int pidfd;
} Reaped;

static void on_reaped_closed(uv_handle_t *handle) {
  Reaped *r = (Reaped *)handle->data;
  close(r->pidfd);
  free(r);
}

static void on_reaped_pidfd(uv_poll_t *poll, int status, int events) {
  Reaped *r = (Reaped *)poll->data;
  pid_t got;
  do got = waitpid(r->pid, NULL, WNOHANG);
  while (got < 0 && errno == EINTR);
  if (got == 0) return;
  uv_poll_stop(poll);
  uv_close((uv_handle_t *)poll, on_reaped_closed);
}

// A watchdog being started on a thread of its own (watchdogStart), then joined (watchdogJoin).
typedef struct {
  char **argv;
  char **envp;
  int child_end; // the watchdog's end of the socketpair: the thread closes it once the spawn is done
  pid_t pid;
  int error;
  pthread_t thread;
  int joined;
} WatchdogStart;

static void *watchdog_work(void *arg) {
  WatchdogStart *w = (WatchdogStart *)arg;
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  session_attr(&attr);
  posix_spawn_file_actions_adddup2(&actions, w->child_end, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_RDWR, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_RDWR, 0);
  w->error = posix_spawn(&w->pid, w->argv[0], &actions, &attr, w->argv, w->envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(w->child_end);
  return NULL;
}

static void watchdog_free(napi_env env, void *data, void *hint) {
  WatchdogStart *w = (WatchdogStart *)data;
  // Never joined (a caller's bug): the thread still owns the strings until it ends.
  if (!w->joined) pthread_join(w->thread, NULL);
  free_strings(w->argv);
  free_strings(w->envp);
  free(w);
}

/**
 * watchdogStart(argv, envp): begins starting argv[0] (a path, not searched)
 * on a thread of its own and returns at once [handle, fd], fd runner's end
 * (non-blocking) of a socketpair whose other end is the process's stdin
 * (what libuv gives a child's 'pipe' stdin), or a negative errno. Runner's
 * end is close-on-exec: no job inherits it, so the process reads end of file
 * exactly when runner has closed it or exited. What is written to it
 * meanwhile waits in the socket. The process runs as the leader of a new
 * session, signals at their defaults and none blocked, stdout and stderr on
 * /dev/null. Pass the handle to watchdogJoin before anything depends on the
 * process being there: runner's main thread then waits at most for what is
 * left of the start, never for a fork of runner (child_process's).
 */
static napi_value WatchdogStartFn(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  if (argc < 2) return throw_type(env, "watchdogStart(argv, envp)");
  WatchdogStart *w = calloc(1, sizeof(WatchdogStart));
  if (w == NULL) return throw_type(env, "watchdogStart: out of memory");
  uint32_t nargv, nenv;
  w->argv = strings_of(env, args[0], &nargv);
  w->envp = strings_of(env, args[1], &nenv);
  if (w->argv == NULL || w->envp == NULL || nargv == 0) {
    free_strings(w->argv);
    free_strings(w->envp);
    free(w);
    return throw_type(env, "watchdogStart: bad arguments");
  }
  int sv[2] = {-1, -1};
  int error = 0;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) error = errno;
  // Runner's end never blocks runner (a watchdog stopped by hand); the watchdog's blocks its reads, as a shell expects.
  if (!error && fcntl(sv[0], F_SETFL, O_NONBLOCK) != 0) error = errno;
  // Its end above 2, so that the dup2 into 0 clears close-on-exec and the opens of 1 and 2 cannot replace it.
  if (!error && (sv[1] = lift(sv[1], 2)) < 0) error = errno;
  if (!error) {
    w->child_end = sv[1];
    error = pthread_create(&w->thread, NULL, watchdog_work, w);
  }
  napi_value ret, handle;
  if (error) {
    if (sv[0] >= 0) close(sv[0]);
    if (sv[1] >= 0) close(sv[1]); // no thread took it
    free_strings(w->argv);
    free_strings(w->envp);
    free(w);
    CHECK(napi_create_int32(env, -error, &ret));
    return ret;
  }
  // From here the thread owns the process's end.
  if (napi_create_external(env, w, watchdog_free, NULL, &handle) != napi_ok) {
    // Unreachable short of a broken engine: end of file for the process, if it starts, and no zombie.
    close(sv[0]);
    pthread_join(w->thread, NULL);
    if (w->error == 0) waitpid(w->pid, NULL, 0);
    free_strings(w->argv);
    free_strings(w->envp);
    free(w);
    return throw_type(env, "watchdogStart: cannot keep its handle");
  }
  napi_value fd;
  CHECK(napi_create_array_with_length(env, 2, &ret));
  CHECK(napi_create_int32(env, sv[0], &fd));
  CHECK(napi_set_element(env, ret, 0, handle));
  CHECK(napi_set_element(env, ret, 1, fd));
  return ret;
}

/**
 * watchdogJoin(handle): waits until the process watchdogStart began has
 * exec'd (or failed to); returns its pid, or a negative errno. From here it is
 * reaped once it exits, by its pidfd polled on the loop, unreferenced: it
 * keeps no event loop alive. Once per handle.
 */
static napi_value WatchdogJoinFn(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  WatchdogStart *w = NULL;
  if (argc < 1 || napi_get_value_external(env, args[0], (void **)&w) != napi_ok || w == NULL || w->joined)
    return throw_type(env, "watchdogJoin(handle), once");
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  pthread_join(w->thread, NULL);
  w->joined = 1;
  int error = w->error;
  if (!error) {
    int pidfd = (int)syscall(SYS_pidfd_open, w->pid, 0);
    Reaped *r = calloc(1, sizeof(Reaped));
    if (pidfd < 0 || r == NULL || uv_poll_init(loop, &r->poll, pidfd) != 0) {
      // Cannot reap it later: nothing has been told to it yet, so it goes now, with no zombie left.
      kill(w->pid, SIGKILL);
      waitpid(w->pid, NULL, 0);
      if (pidfd >= 0) close(pidfd);
      free(r);
      error = ENOSYS;
    } else {
      r->poll.data = r;
      r->pid = w->pid;
      r->pidfd = pidfd;
      uv_poll_start(&r->poll, UV_READABLE, on_reaped_pidfd);
      uv_unref((uv_handle_t *)&r->poll);
    }
  }
  napi_value ret;
  CHECK(napi_create_int32(env, error ? -error : w->pid, &ret));
  return ret;
}

/** mkfifo(path, mode): 0, or a negative errno. */
static napi_value Mkfifo(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  int32_t mode;
  char *path = argc == 2 ? string_of(env, args[0]) : NULL;
  if (path == NULL || napi_get_value_int32(env, args[1], &mode) != napi_ok) {
    free(path);
    return throw_type(env, "mkfifo(path, mode)");
  }
  int rc = mkfifo(path, (mode_t)mode) == 0 ? 0 : -errno;
  free(path);
  napi_value ret;
  CHECK(napi_create_int32(env, rc, &ret));
  return ret;
}

// native/stat-check.c
napi_value StatCheckStart(napi_env env, napi_callback_info info);
napi_value StatCheckFinish(napi_env env, napi_callback_info info);
napi_value DirCheckStart(napi_env env, napi_callback_info info);
napi_value DirCheckFinish(napi_env env, napi_callback_info info);
int digest_available(void);
napi_value DigestFile(napi_env env, napi_callback_info info);

static napi_value Init(napi_env env, napi_value exports) {
  // Without pidfds (Linux before 5.3) the exit cannot be watched without reaping others' children: no addon.
  int probe = (int)syscall(SYS_pidfd_open, getpid(), 0);
  if (probe < 0) {
    napi_throw_error(env, "ENOSYS", "runner_spawn: pidfd_open is not available");
    return NULL;
  }
  close(probe);
  napi_property_descriptor props[] = {
      {"spawn", NULL, Spawn, NULL, NULL, NULL, napi_default, NULL},
      {"mkfifo", NULL, Mkfifo, NULL, NULL, NULL, napi_default, NULL},
      {"watchdogStart", NULL, WatchdogStartFn, NULL, NULL, NULL, napi_default, NULL},
      {"watchdogJoin", NULL, WatchdogJoinFn, NULL, NULL, NULL, napi_default, NULL},
      {"statCheckStart", NULL, StatCheckStart, NULL, NULL, NULL, napi_default, NULL},
      {"statCheckFinish", NULL, StatCheckFinish, NULL, NULL, NULL, napi_default, NULL},
      {"dirCheckStart", NULL, DirCheckStart, NULL, NULL, NULL, napi_default, NULL},
      {"dirCheckFinish", NULL, DirCheckFinish, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  // Only where the process offers OpenSSL's digest functions (native/digest.c).
  if (digest_available()) {
    napi_property_descriptor digest = {"digestFile", NULL, DigestFile, NULL, NULL, NULL, napi_default, NULL};
    CHECK(napi_define_properties(env, exports, 1, &digest));
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
