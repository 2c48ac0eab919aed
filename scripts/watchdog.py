#!/usr/bin/env python3
"""Runs a test command with a time limit, so that a hang ends the run with a diagnosis.

    watchdog.py SECONDS -- COMMAND [ARG...]

The command's output passes through line by line. If it runs past SECONDS, the watchdog prints
the Swift Testing tests that started and never ended, and what the test cluster's PostgreSQL
sessions are doing (state, wait event, query), then kills the command's process group and
exits 124. Otherwise it exits with the command's status.

It also names a trace file in TESSERA_TEST_TRACE, where each test application writes when it is
made, when its test body and each of its services start and end (Tests/TesseraTestSupport/
TestTrace.swift); on a hang the steps that began and never ended are printed too, so a body
waiting on a reply and a service that does not stop are told apart.

Why: a CI run that hangs is cut off at its limit with its last output lost in pipe buffers, and
says nothing about where it stopped; this says which test, and whether PostgreSQL was waiting.
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict

STARTED = re.compile(r'^◇ Test "(.*)" started\.')
ENDED = re.compile(r'^[✔✘➜] Test "(.*?)"( with \d+ test cases?)? (passed|failed|skipped)')


def cluster_activity():
    """pg_stat_activity of the tests' embedded cluster, or why it cannot be read."""
    root = os.path.join(os.environ.get("TMPDIR", "/tmp"), "tessera-tests")
    try:
        port = open(os.path.join(root, "pg", "tessera.port")).read().strip()
        password = open(os.path.join(root, "pg.password")).read().strip()
    except OSError as error:
        return f"(no embedded test cluster to ask: {error})"
    psql = "psql"
    for candidate in sorted(os.listdir("/usr/lib/postgresql"), reverse=True) if os.path.isdir("/usr/lib/postgresql") else []:
        path = f"/usr/lib/postgresql/{candidate}/bin/psql"
        if os.path.exists(path):
            psql = path
            break
    query = (
        "SELECT pid, state, wait_event_type, wait_event, round(extract(epoch FROM now() - query_start))::int AS secs, "
        "left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query FROM pg_stat_activity "
        "WHERE datname IS NOT NULL AND pid <> pg_backend_pid() AND state <> 'idle' ORDER BY query_start"
    )
    env = dict(os.environ, PGPASSWORD=password)
    try:
        done = subprocess.run(
            [psql, "-h", "127.0.0.1", "-p", port, "-U", "tessera", "-d", "postgres", "-X", "-c", query],
            env=env, capture_output=True, text=True, timeout=20,
        )
        return (done.stdout + done.stderr).strip()
    except (OSError, subprocess.SubprocessError) as error:
        return f"(psql failed: {error})"


def unfinished_steps(path):
    """The trace's begin lines without their end, by application, in the order they began."""
    open_steps = OrderedDict()
    try:
        with open(path, encoding="utf-8", errors="replace") as trace:
            for line in trace:
                parts = line.rstrip("\n").split("\t")
                if len(parts) != 4:
                    continue
                at, app, event, step = parts
                if event == "begin":
                    open_steps[(app, step)] = float(at)
                elif event == "end":
                    open_steps.pop((app, step), None)
    except OSError as error:
        return [f"(no trace to read: {error})"]
    by_app = OrderedDict()
    for (app, step), at in open_steps.items():
        by_app.setdefault(app, []).append(f"{step} (since {at:.1f} s)")
    return [f"{app}: " + "; ".join(steps) for app, steps in by_app.items()]


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    limit = float(sys.argv[1])
    command = sys.argv[3:]
    trace = tempfile.NamedTemporaryFile(prefix="tessera-test-trace-", suffix=".log", delete=False)
    trace.close()
    environment = dict(os.environ, TESSERA_TEST_TRACE=trace.name)
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, env=environment)
    running = {}
    lock = threading.Lock()

    def pump():
        for raw in child.stdout:
            sys.stdout.buffer.write(raw)
            sys.stdout.flush()
            line = raw.decode("utf-8", "replace")
            with lock:
                if m := STARTED.match(line):
                    running[m.group(1)] = time.monotonic()
                elif m := ENDED.match(line):
                    running.pop(m.group(1), None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        status = child.wait(timeout=limit)
        reader.join()
        os.unlink(trace.name)
        return status
    except subprocess.TimeoutExpired:
        pass
    now = time.monotonic()
    print(f"\n=== watchdog: {' '.join(command)} ran past {limit:.0f} s ===", flush=True)
    with lock:
        for name, since in sorted(running.items(), key=lambda item: item[1]):
            print(f"still running after {now - since:.0f} s: {name}")
        if not running:
            print("no test was left running (the hang is outside the tests, or before the first)")
    print("test applications' steps begun and not ended (trace " + trace.name + "):")
    for line in unfinished_steps(trace.name) or ["(none)"]:
        print("  " + line)
    print("PostgreSQL sessions not idle:\n" + cluster_activity(), flush=True)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    return 124


if __name__ == "__main__":
    sys.exit(main())
