#!/usr/bin/env python3
"""Run the README's "A tour with curl" against a fresh `tessera serve --demo`, so the README cannot drift.

    python3 scripts/readme_tour.py [path/to/tessera]      (default: $TESSERA_BIN or .build/debug/tessera)

It starts the server on a free loopback port with a new data dir under /tmp, joins the ```sh blocks of the
tour into one bash script and runs it in a temporary folder (where `.tessera` points at the data dir, so
`cat .tessera/admin-token` works as in the README). `curl` is a shell function there: it calls the real
curl, records the HTTP status and prints the body. A command whose line ends with a comment `# → NNN`
must answer NNN; every other curl must answer 2xx. Prints `N passed, M failed` and every failure; exits
non-zero on any failure. Python 3 standard library only.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
TOUR_START = "## A tour with curl"
TOUR_END = "## The API in one screen"
KEY_LINE = re.compile(r"^export K=tsk_\.\.\.(?=\s|$)", re.M)
API_LINE = re.compile(r"^export API=http://127\.0\.0\.1:8080/api/v1(?=\s|$)", re.M)
EXPECT_COMMENT = re.compile(r"^#\s*→\s*(\d{3})\b")
STARTUP_SECONDS = 180
TOUR_SECONDS = 600

# The `curl` of the tour: the real curl, with the status recorded in $TOUR_RESULTS (one line per call:
# command id, expected, got, curl's exit code, verdict, body file). The wrapper may run in a pipeline or
# a $(…) subshell, so it never exits: the runner reads the file at the end.
PREAMBLE = r"""
curl() {
  local body code rc want=${EXPECT:-2xx} verdict=ok
  body=$(mktemp "$TOUR_BODIES/body.XXXXXX")
  code=$(command curl --max-time 60 -w '%{http_code}' -o "$body" "$@")
  rc=$?
  if [ "$rc" -ne 0 ]; then verdict=fail
  elif [ "$want" = 2xx ]; then case "$code" in 2??) ;; *) verdict=fail ;; esac
  elif [ "$code" != "$want" ]; then verdict=fail
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "${__TOUR_CMD:-?}" "$want" "$code" "$rc" "$verdict" "$body" >> "$TOUR_RESULTS"
  cat "$body"
}
"""


class TourError(Exception):
    pass


# ---------------------------------------------------------------- the README

def tour_blocks(readme_text):
    """The ```sh blocks of the tour section, each as (first README line number, text)."""
    lines = readme_text.split("\n")
    try:
        start = lines.index(TOUR_START)
        end = lines.index(TOUR_END, start)
    except ValueError:
        raise TourError(f"README.md has no section from {TOUR_START!r} to {TOUR_END!r}")
    blocks, current, first = [], None, 0
    for number in range(start, end):
        line = lines[number]
        if current is None:
            if line.strip() == "```sh":
                current, first = [], number + 2  # README line numbers are 1-based
        elif line.strip() == "```":
            blocks.append((first, "\n".join(current) + "\n"))
            current = None
        else:
            current.append(line)
    if current is not None:
        raise TourError("README.md: a ```sh block of the tour is not closed")
    if not blocks:
        raise TourError("README.md: the tour has no ```sh blocks")
    return blocks


class Frame:
    """One level of shell code: the script itself, a $(…) or a (…)."""

    def __init__(self, kind):
        self.kind = kind
        self.command_start = True  # the next word is in command position
        self.in_assignment = False  # inside the value of NAME=value before the command


def scan(text):
    """A small bash lexer, enough for the tour: splits the script into logical commands and finds, outside
    quotes, the `curl` words in command position and the comments. Returns a list of commands, each a dict
    with `start`, `end` (offsets), `curls` (offsets) and `comments` (texts of top-level comments)."""
    commands = []
    stack = [Frame("top")]
    layers = []  # open quotes ("'" or '"') and frames ("frame") above the top level, innermost last

    def open_frame(kind, at, width):
        """Enters a `$(` or `(`: a new frame on the stack; returns where scanning goes on."""
        stack.append(Frame(kind))
        layers.append("frame")
        return at + width
    cmd = {"start": 0, "curls": [], "comments": []}
    i, n = 0, len(text)

    while i < n:
        ch = text[i]
        inner = layers[-1] if layers else "code"
        if inner == "'":
            if ch == "'":
                layers.pop()
            i += 1
            continue
        if inner == '"':
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                layers.pop()
                i += 1
                continue
            if text.startswith("$(", i):
                i = open_frame("subst", i, 2)
                continue
            i += 1
            continue
        frame = stack[-1]
        if ch == "\\":
            i += 2
            continue
        if ch == "\n":
            if len(stack) == 1 and not layers:
                cmd["end"] = i
                commands.append(cmd)
                cmd = {"start": i + 1, "curls": [], "comments": []}
            frame.command_start, frame.in_assignment = True, False
            i += 1
            continue
        if ch in " \t":
            if frame.in_assignment:
                frame.in_assignment, frame.command_start = False, True
            i += 1
            continue
        if ch == "#" and (i == 0 or text[i - 1] in " \t\n;|&("):
            eol = text.find("\n", i)
            eol = n if eol < 0 else eol
            if len(stack) == 1 and not layers:
                cmd["comments"].append(text[i:eol])
            i = eol
            continue
        if ch in "'\"":
            layers.append(ch)
            frame.command_start = frame.command_start and frame.in_assignment
            i += 1
            continue
        if text.startswith("$(", i):
            i = open_frame("subst", i, 2)
            continue
        if ch == "(":
            i = open_frame("paren", i, 1)
            continue
        if ch == ")":
            if len(stack) > 1 and layers and layers[-1] == "frame":
                stack.pop()
                layers.pop()
            i += 1
            continue
        if ch in ";|&{":
            frame.command_start, frame.in_assignment = True, False
            i += 1
            continue
        word = re.match(r"[^\s;|&()<>'\"\\]+", text[i:])
        if not word:
            i += 1
            continue
        token = word.group(0)
        if frame.command_start and not frame.in_assignment:
            assignment = re.match(r"[A-Za-z_][A-Za-z0-9_]*=", token)
            if assignment:
                frame.in_assignment = True
                i += assignment.end()
                continue
            if token == "curl":
                cmd["curls"].append(i)
            frame.command_start = False
        i += len(token)
    if layers or len(stack) > 1:
        raise TourError("the tour's shell code ends inside an open quote or parenthesis")
    cmd["end"] = n
    commands.append(cmd)
    return commands


def prepare(blocks, key, api):
    """The tour as one bash script with every curl prefixed by `__TOUR_CMD=<id>` (and `EXPECT=NNN` when the
    command carries `# → NNN`), and the description of each curl: README line and command text."""
    text, line_of = "", []  # line_of[k]: README line number of the script's line k
    for first, block in blocks:
        text += block
        line_of.extend(range(first, first + block.count("\n")))
    text, found_key = KEY_LINE.subn(f"export K={key}", text)
    text, found_api = API_LINE.subn(f"export API={api}", text)
    if found_key != 1 or found_api != 1:
        raise TourError("the tour must start with `export K=tsk_...` and `export API=http://127.0.0.1:8080/api/v1`")
    # The substitutions keep every line where it was, so offsets map to README lines.
    def readme_line(offset):
        return line_of[min(text.count("\n", 0, offset), len(line_of) - 1)]

    inserts, described = [], {}
    for cmd in scan(text):
        expected = None
        for comment in cmd["comments"]:
            match = EXPECT_COMMENT.match(comment)
            if match:
                expected = match.group(1)
        if expected and not cmd["curls"]:
            raise TourError(f"README.md line {readme_line(cmd['start'])}: `# → {expected}` is not on a curl command")
        for position, offset in enumerate(cmd["curls"]):
            ident = len(described) + 1
            want = expected if position == 0 else None
            described[ident] = {
                "line": readme_line(offset),
                "command": text[cmd["start"]:cmd["end"]].strip(),
                "expected": want or "2xx",
            }
            inserts.append((offset, f"__TOUR_CMD={ident} " + (f"EXPECT={want} " if want else "")))
    for offset, prefix in sorted(inserts, reverse=True):
        text = text[:offset] + prefix + text[offset:]
    return PREAMBLE + "\n" + text, described


# ---------------------------------------------------------------- the server

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def tail(path, lines=40):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def start_server(binary, data_dir, port, log_path):
    log = open(log_path, "wb")
    command = [str(binary), "serve", "--demo", "--data-dir", str(data_dir), "--port", str(port),
               "--packs-dir", str(REPO / "templates-market")]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TESSERA_ADMIN_TOKEN")}
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               cwd=str(data_dir.parent), env=env)
    log.close()
    deadline = time.monotonic() + STARTUP_SECONDS
    key_file = data_dir / "demo-key"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise TourError(f"the server exited with {process.returncode} during start-up:\n{tail(log_path)}")
        if key_file.exists() and key_file.read_text().strip() and healthy(port):
            return process
        time.sleep(0.5)
    raise TourError(f"the server was not ready within {STARTUP_SECONDS} s:\n{tail(log_path)}")


def stop_server(process, data_dir):
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # it stops its embedded PostgreSQL itself
    try:
        process.wait(timeout=60)
        return
    except subprocess.TimeoutExpired:
        pass
    print("readme_tour: the server did not stop within 60 s; killing it and stopping its PostgreSQL", file=sys.stderr)
    process.kill()
    process.wait()
    pg = data_dir / "pg"
    if (pg / "postmaster.pid").exists():
        pg_ctl = shutil.which("pg_ctl") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))), None)
        if pg_ctl:
            command = [str(pg_ctl), "-D", str(pg), "-m", "fast", "stop"]
            if os.geteuid() == 0:
                command = ["runuser", "-u", "postgres", "--"] + command
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)


# ---------------------------------------------------------------- the run

def run_tour(script, work_dir, results, bodies):
    script_path = work_dir.parent / "tour.sh"
    script_path.write_text(script, encoding="utf-8")
    env = dict(os.environ, TOUR_RESULTS=str(results), TOUR_BODIES=str(bodies), LC_ALL="C.UTF-8")
    process = subprocess.Popen(["bash", str(script_path)], cwd=str(work_dir), env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = process.communicate(timeout=TOUR_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        raise TourError(f"the tour did not finish within {TOUR_SECONDS} s")
    return out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", nargs="?", default=os.environ.get("TESSERA_BIN") or str(REPO / ".build/debug/tessera"),
                        help="the tessera executable (default: $TESSERA_BIN or .build/debug/tessera)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the tour's output")
    parser.add_argument("--readme", default=str(README), help=argparse.SUPPRESS)  # to test the runner itself
    args = parser.parse_args()
    binary = Path(args.binary).resolve()
    if not os.access(binary, os.X_OK):
        print(f"readme_tour: no executable at {binary} (build it with `swift build`)", file=sys.stderr)
        return 2

    started = time.monotonic()
    # Under /tmp and traversable: as root, the embedded PostgreSQL runs as `postgres`.
    root = Path(tempfile.mkdtemp(prefix="tessera-readme-tour-", dir="/tmp"))
    os.chmod(root, 0o755)
    data_dir, work_dir, bodies = root / "data", root / "work", root / "bodies"
    for folder in (data_dir, work_dir, bodies):
        folder.mkdir(mode=0o755)
        os.chmod(folder, 0o755)
    (work_dir / ".tessera").symlink_to(data_dir)  # the README's `.tessera/admin-token`
    results = root / "results.tsv"
    results.touch()
    server = None

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    try:
        blocks = tour_blocks(Path(args.readme).read_text(encoding="utf-8"))
        port = free_port()
        server = start_server(binary, data_dir, port, root / "server.log")
        print(f"readme_tour: server ready on 127.0.0.1:{port} after {time.monotonic() - started:.1f} s")
        key = (data_dir / "demo-key").read_text().strip()
        script, described = prepare(blocks, key, f"http://127.0.0.1:{port}/api/v1")
        out, err = run_tour(script, work_dir, results, bodies)
        if args.verbose:
            print(out)

        passed, failures, ran = 0, [], set()
        for row in results.read_text(encoding="utf-8").splitlines():
            ident, want, got, rc, verdict, body = row.split("\t")
            ran.add(ident)
            if verdict == "ok":
                passed += 1
                continue
            info = described.get(int(ident)) if ident.isdigit() else None
            try:
                text = Path(body).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            problem = f"expected {want}, got {got}" + (f" (curl exit code {rc})" if rc != "0" else "")
            failures.append((info, problem, text))
        for ident, info in described.items():
            if str(ident) not in ran:
                failures.append((info, "did not run", ""))
        print(f"{passed} passed, {len(failures)} failed")
        for info, problem, body in failures:
            where = f"README.md line {info['line']}" if info else "a curl the runner did not number"
            print(f"\nFAILED ({where}): {problem}")
            if info:
                print("  " + info["command"].replace("\n", "\n  "))
            if body:
                print("  → " + (body if len(body) <= 2000 else body[:2000] + "…"))
        if err.strip():
            print("\nThe tour wrote to stderr (a shell or `json` error):\n" + err.rstrip())
        print(f"readme_tour: {time.monotonic() - started:.1f} s")
        if failures or err.strip() or passed == 0:
            if passed == 0 and not failures:
                print("readme_tour: no curl command was checked")
            return 1
        return 0
    except TourError as error:
        print(f"readme_tour: {error}", file=sys.stderr)
        return 1
    finally:
        stop_server(server, data_dir)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
