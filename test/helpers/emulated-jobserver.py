#!/usr/bin/env python3
"""Emulated make jobserver for tests.

usage: emulated-jobserver.py [--tokens K] [--legacy | --fifo | --server-fds R,W]
       [--signal INT|TERM --after-starts N --span-log PATH] -- COMMAND...

Creates a pipe (or fifo) holding K distinct-ish token bytes, sets MAKEFLAGS, runs
COMMAND as a direct child, optionally signals it once the span log holds N
"start" lines, waits, drains the pool and prints one JSON line:
{"exit": ..., "tokens_before": "...", "tokens_after": "<sorted>"}.

--server-fds R,W: the server keeps the pipe at R,W itself (and /dev/null at 3
and 4) and dup2s it onto 3,4 only in the child, after fork: valid under the
protocol, since MAKEFLAGS only names the child's descriptors.
"""
import argparse, errno, fcntl, json, os, shutil, signal, subprocess, sys, tempfile, time

p = argparse.ArgumentParser()
p.add_argument('--tokens', type=int, default=2)
p.add_argument('--legacy', action='store_true')
p.add_argument('--fifo', action='store_true')
p.add_argument('--server-fds')
p.add_argument('--signal', choices=['INT', 'TERM', 'HUP'])
p.add_argument('--after-starts', type=int, default=1)
p.add_argument('--span-log')
p.add_argument('--cwd')
p.add_argument('cmd', nargs=argparse.REMAINDER)
a = p.parse_args()
cmd = a.cmd[1:] if a.cmd and a.cmd[0] == '--' else a.cmd
if not cmd:
    p.error('no command')

k = a.tokens
tokens = bytes((b'+x'[i % 2] for i in range(k)))
env = dict(os.environ)
tmpdir = None
pass_fds = ()
place_in_child = None
if a.fifo:
    tmpdir = tempfile.mkdtemp(prefix='emujs-')
    path = os.path.join(tmpdir, 'fifo')
    os.mkfifo(path)
    own = os.open(path, os.O_RDWR)  # held for the whole run
    os.write(own, tokens)
    env['MAKEFLAGS'] = f' -j{k + 1} --jobserver-auth=fifo:{path}'
    reader = own
elif a.server_fds:
    sr, sw = (int(x) for x in a.server_fds.split(','))
    r, w = os.pipe()
    os.write(w, tokens)
    os.dup2(r, sr, inheritable=False)
    os.dup2(w, sw, inheritable=False)
    for fd in (r, w):
        if fd not in (sr, sw):
            os.close(fd)
    # Something else at 3 and 4 in the server, as a server may well have there; it also keeps
    # subprocess's own error pipe off 3 and 4, which the child's dup2 would clobber.
    null = os.open('/dev/null', os.O_RDONLY)
    for fd in (3, 4):
        if fd not in (sr, sw, null):
            os.dup2(null, fd, inheritable=False)
    if null not in (3, 4, sr, sw):
        os.close(null)

    def place_in_child():
        # After fork, before exec: dup2 to a new number clears close-on-exec on 3 and 4 only.
        os.dup2(sr, 3)
        os.dup2(sw, 4)

    env['MAKEFLAGS'] = f' -j{k + 1} --jobserver-auth=3,4'
    reader = sr
else:
    r, w = os.pipe()
    os.write(w, tokens)
    hr = fcntl.fcntl(r, fcntl.F_DUPFD, 100)
    hw = fcntl.fcntl(w, fcntl.F_DUPFD, 100)
    os.close(r)
    os.close(w)
    os.dup2(hr, 3)
    os.dup2(hw, 4)
    os.close(hr)
    os.close(hw)
    word = '--jobserver-fds=3,4' if a.legacy else '--jobserver-auth=3,4'
    env['MAKEFLAGS'] = f' -j{k + 1} {word}'
    pass_fds = (3, 4)
    reader = 3

if place_in_child is not None:
    # close_fds would close 3 and 4 after preexec_fn; every other descriptor of ours is close-on-exec.
    child = subprocess.Popen(cmd, env=env, cwd=a.cwd, close_fds=False, preexec_fn=place_in_child)
else:
    child = subprocess.Popen(cmd, env=env, pass_fds=pass_fds, cwd=a.cwd)
sig = None
if a.signal:
    sig = {'INT': signal.SIGINT, 'TERM': signal.SIGTERM, 'HUP': signal.SIGHUP}[a.signal]
    deadline = time.time() + 30
    while child.poll() is None and time.time() < deadline:
        try:
            with open(a.span_log) as f:
                n = sum(1 for l in f if l.startswith('start '))
        except FileNotFoundError:
            n = 0
        if n >= a.after_starts:
            child.send_signal(sig)
            break
        time.sleep(0.02)
rc = child.wait()
if rc < 0:
    rc = 128 - rc
# make's read end is shared with every sibling: a client must never leave it non-blocking.
shared_nonblock = bool(fcntl.fcntl(reader, fcntl.F_GETFL) & os.O_NONBLOCK)

# Drain our end without blocking. A private description keeps O_NONBLOCK off the shared one.
drain = os.open(f'/proc/self/fd/{reader}', os.O_RDONLY | os.O_NONBLOCK)
got = b''
while True:
    try:
        chunk = os.read(drain, 4096)
    except OSError as e:
        if e.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
            break
        raise
    if not chunk:
        break
    got += chunk
os.close(drain)
if tmpdir:
    os.close(own)
    shutil.rmtree(tmpdir, ignore_errors=True)
print(json.dumps({'exit': rc, 'tokens_before': tokens.decode('latin1'),
                  'tokens_after': bytes(sorted(got)).decode('latin1'), 'shared_nonblock': shared_nonblock}))
