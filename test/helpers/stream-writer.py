#!/usr/bin/env python3
# A tool that writes to stdout and stderr in turn (issue 17, `runner log`):
# partial lines, every byte value, an empty write, and a 200 KB write that
# arrives in several reads; it records each write, in the order made, in
# $STREAM_ORDER, so a test compares runner's log with what was written.
#
# Usage: python3 stream-writer.py FILE...   (a one-file or a batch tool)
# $STREAM_ORDER gets "start FILE..." as each process starts, then one line per
# write: "FD HEX" (FD 1 or 2, the bytes in hex).
# Exits with $STREAM_EXIT (default 0).
#
# Before each write it waits until the reader has taken the one before (the
# bytes still queued on the descriptor: TIOCOUTQ on a socket, as Node's
# pipes are; FIONREAD on a pipe; 0 on a file), so the order in which runner
# receives the writes is the order they were made, on any machine load.
import fcntl
import os
import struct
import sys
import termios
import time


def queued(fd):
    for request in (termios.TIOCOUTQ, termios.FIONREAD):
        try:
            return struct.unpack('i', fcntl.ioctl(fd, request, b'\0\0\0\0'))[0]
        except OSError:
            pass
    return 0


def wait_taken(fd):
    for _ in range(60000):  # at most about 60 s: a reader that never reads fails the test, not hangs it
        if queued(fd) == 0:
            return
        time.sleep(0.001)


writes = []
for i in range(40):
    writes.append((1, b'out %d, ' % i))  # a partial line
    writes.append((2, b'err %d\n' % i))
    if i % 10 == 3:
        writes.append((1, bytes(range(256))))  # every byte value, not UTF-8
    if i == 5:
        writes.append((2, b''))  # an empty write: nothing in the log, nothing in the index
    if i == 20:
        writes.append((1, b'0123456789' * 20000))
writes.append((2, ' '.join(sys.argv[1:]).encode() + b' done'))  # the files it was given, no newline at the end

with open(os.environ['STREAM_ORDER'], 'a') as order:
    order.write('start %s\n' % ' '.join(sys.argv[1:]))
    last = None
    for fd, data in writes:
        if last is not None:
            wait_taken(last)
        order.write('%d %s\n' % (fd, data.hex()))
        order.flush()
        done = os.write(fd, data)
        while done < len(data):
            done += os.write(fd, data[done:])
        last = fd
    wait_taken(last)
sys.exit(int(os.environ.get('STREAM_EXIT', '0')))
