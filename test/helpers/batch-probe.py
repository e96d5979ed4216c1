#!/usr/bin/env python3
# Batch probe for integration tests (issue 14): a batch tool ({files}) that
# records each process it is, so a test counts what ran from outside runner.
# Writes only under $PROBE_DIR.
#
# Usage: python3 batch-probe.py FILE...   (FILEs relative to the job's cwd)
# $PROBE_DIR/batch-probe.log gets, one write per line (O_APPEND):
#   "start PID FILE|FILE|..."  before looking at the files
#   "child PID CHILD"          a worker it started (below)
#   "end PID CODE"             before exiting
# A FILE holding "PROBE_FAIL" fails the process (exit 1), which names each
# such file: "batch-probe: FAIL FILE"; files holding "PROBE_FAIL_TOGETHER"
# fail it likewise only when it was given two or more of them. A FILE
# holding "PROBE_WAIT=NAME" makes the process wait until $PROBE_DIR/NAME
# exists (a gate the test opens; one never opened holds it until it is
# killed, at most 60 s). A process given a failing file waits only on the
# failing files' gates, so a chunk with a failing file fails at once and is
# narrowed down to the waiting file. A FILE holding "PROBE_WORKER" makes the
# process start a worker of its own first (`sleep 60`, as a tool's worker
# pool would), so a test can see that nothing it started outlives it.
# While $PROBE_DIR/broken exists, every process fails as pytest does when
# conftest.py cannot import (exit 4), printing the same whatever it was given.
import os
import re
import subprocess
import sys
import time

files = sys.argv[1:]
probe_dir = os.environ.get("PROBE_DIR")
if not files or not probe_dir:
    print("usage: PROBE_DIR=DIR python3 batch-probe.py FILE...", file=sys.stderr)
    sys.exit(2)
log = os.path.join(probe_dir, "batch-probe.log")


def note(line):
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


note("start %d %s" % (os.getpid(), "|".join(files)))
if os.path.exists(os.path.join(probe_dir, "broken")):
    print("ImportError while loading conftest: No module named 'missing'")
    note("end %d 4" % os.getpid())
    sys.exit(4)
texts = {}
for f in files:
    with open(f, encoding="utf-8") as fh:
        texts[f] = fh.read()
worker = None
together = [f for f in files if "PROBE_FAIL_TOGETHER" in texts[f]]
if any("PROBE_WORKER" in t for t in texts.values()):
    worker = subprocess.Popen(["sleep", "60"])
    note("child %d %d" % (os.getpid(), worker.pid))
bad = [f for f in files if "PROBE_FAIL" in texts[f] and (f not in together or len(together) > 1)]
deadline = time.monotonic() + 60
for text in [texts[f] for f in (bad or files)]:
    for gate in re.findall(r"PROBE_WAIT=(\w+)", text):
        while not os.path.exists(os.path.join(probe_dir, gate)) and time.monotonic() < deadline:
            time.sleep(0.02)
for f in files:
    print("batch-probe: %s %s" % ("FAIL" if f in bad else "ok", f))
code = 1 if bad else 0
if worker is not None:
    worker.kill()  # a tool that ends on its own stops its workers
    worker.wait()
note("end %d %d" % (os.getpid(), code))
sys.exit(code)
