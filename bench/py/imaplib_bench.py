#!/usr/bin/env python3
"""Run one benchmark scenario with Python's imaplib (standard library only)
and print the result as one JSON line, like the Go runners.

imaplib parses nothing beyond the literals: FETCH returns the raw response
lines and literals, held in memory. It has no MULTIAPPEND, no LITERAL+ and
no pipelining: the append scenario sends one APPEND per message and waits
for the continuation request and the answer of each. It has no COMPRESS.
Bytes allocated and peak heap are not measured for Python (tracemalloc
would slow it down several times); peak RSS is.
"""
import argparse
import glob
import imaplib
import json
import os
import resource
import sys
import tempfile
import time

MetadataItems = "(UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODYSTRUCTURE)"
SearchRepeat = 10  # UID SEARCH ALL sent 10 times in a row, as the Go runners do


class Counting(imaplib.IMAP4):
    """IMAP4 counting the bytes read from and written to the socket."""

    wire_in = 0
    wire_out = 0

    def read(self, size):
        data = super().read(size)
        self.wire_in += len(data)
        return data

    def readline(self):
        line = super().readline()
        self.wire_in += len(line)
        return line

    def send(self, data):
        self.wire_out += len(data)
        super().send(data)


def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class Timer:
    def __init__(self, m):
        self.m = m
        self.in0, self.out0 = m.wire_in, m.wire_out
        self.cpu0 = cpu()
        self.t0 = time.perf_counter()

    def stop(self, peer, label, messages, nbytes):
        wall = time.perf_counter() - self.t0
        c = cpu() - self.cpu0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return {
            "peer": peer, "scenario": label, "wall_s": wall, "cpu_s": c,
            "alloc_bytes": -1, "peak_heap_bytes": -1, "peak_rss_bytes": rss,
            "wire_in": self.m.wire_in - self.in0, "wire_out": self.m.wire_out - self.out0,
            "messages": messages, "bytes": nbytes,
        }


def check(typ, data, what):
    if typ != "OK":
        raise RuntimeError("%s: %s %r" % (what, typ, data))
    return data


def temp_folder(prefix):
    return "%s-%d-%d" % (prefix, os.getpid(), time.time_ns() % 10**9)


def run(a):
    msgs = []
    if a.scenario == "append":
        for name in sorted(glob.glob(os.path.join(a.append_dir, "*.eml"))):
            with open(name, "rb") as fh:
                msgs.append(fh.read())
        if not msgs:
            raise RuntimeError("no .eml files in %r" % a.append_dir)
    host, port = a.addr.rsplit(":", 1)
    m = Counting(host, int(port))
    check(*m.login(a.user, a.password), "LOGIN")
    peer, label = "imaplib", a.label or a.scenario
    res = None
    cleanup = []
    try:
        if a.scenario == "search":
            check(*m.select("INBOX", readonly=True), "SELECT")
            t = Timer(m)
            for _ in range(SearchRepeat):
                data = check(*m.uid("SEARCH", None, "ALL"), "SEARCH")
            n = len(data[0].split()) if data and data[0] else 0
            res = t.stop(peer, label, n, 0)
        elif a.scenario == "metadata":
            check(*m.select("INBOX", readonly=True), "SELECT")
            t = Timer(m)
            data = check(*m.uid("FETCH", "1:*", MetadataItems), "FETCH")
            n = sum(1 for d in data if d != b")")
            res = t.stop(peer, label, n, 0)
        elif a.scenario in ("bodies", "stream"):
            folder = "Bodies" if a.scenario == "bodies" else "Big"
            check(*m.select(folder, readonly=True), "SELECT")
            out = None
            if a.scenario == "stream":
                os.sync()  # as the Go runners: no write-back of earlier runs while timed
                if a.out:
                    out = open(a.out, "wb")
                else:
                    out = tempfile.NamedTemporaryFile(prefix="imapbench-stream-")
            t = Timer(m)
            data = check(*m.uid("FETCH", "1:*", "BODY.PEEK[]"), "FETCH")
            n = size = 0
            for d in data:
                if isinstance(d, tuple):
                    n += 1
                    size += len(d[1])
                    if out is not None:
                        out.write(d[1])
            if out is not None:
                out.flush()
            res = t.stop(peer, label, n, size)
            if out is not None:
                out.close()
        elif a.scenario == "append":
            folder = temp_folder("bench-append")
            check(*m.create(folder), "CREATE")
            cleanup.append(lambda: m.delete(folder))
            t = Timer(m)
            size = 0
            for msg in msgs:
                check(*m.append(folder, None, None, msg), "APPEND")
                size += len(msg)
            res = t.stop(peer, label, len(msgs), size)
        elif a.scenario == "copy":
            dst = temp_folder("bench-copy")
            check(*m.create(dst), "CREATE")
            cleanup.append(lambda: m.delete(dst))
            check(*m.select("Bodies", readonly=True), "SELECT")
            t = Timer(m)
            check(*m.uid("COPY", "1:*", dst), "COPY")
            res = t.stop(peer, label, 0, 0)
        elif a.scenario == "move":
            src, dst = temp_folder("bench-movesrc"), temp_folder("bench-movedst")
            check(*m.create(src), "CREATE")
            check(*m.create(dst), "CREATE")
            cleanup.append(lambda: m.delete(src))
            cleanup.append(lambda: m.delete(dst))
            check(*m.select("Bodies", readonly=True), "SELECT")
            check(*m.uid("COPY", "1:*", src), "COPY")
            check(*m.select(src), "SELECT")
            t = Timer(m)
            check(*m.uid("MOVE", "1:*", dst), "MOVE")
            res = t.stop(peer, label, 0, 0)
            check(*m.unselect(), "UNSELECT")
        else:
            raise RuntimeError("unknown scenario %r" % a.scenario)
    finally:
        for f in cleanup:
            try:
                f()
            except Exception:  # noqa: BLE001 - best effort
                pass
        try:
            m.logout()
        except Exception:  # noqa: BLE001
            pass
    return res


def main():
    p = argparse.ArgumentParser()
    p.add_argument("-scenario", required=True)
    p.add_argument("-addr", default="127.0.0.1:143")
    p.add_argument("-user", default="alice")
    p.add_argument("-pass", dest="password", default="alicepw")
    p.add_argument("-label", default="")
    p.add_argument("-append-dir", dest="append_dir", default="")
    p.add_argument("-out", default="")
    p.add_argument("-compress", action="store_true")
    a = p.parse_args()
    if a.compress:
        print(json.dumps({"peer": "imaplib", "scenario": a.label or a.scenario,
                          "error": "imaplib has no COMPRESS"}))
        sys.exit(1)
    try:
        res = run(a)
    except Exception as e:  # noqa: BLE001
        print("imaplib %s: %s" % (a.scenario, e), file=sys.stderr)
        print(json.dumps({"peer": "imaplib", "scenario": a.label or a.scenario, "error": str(e)}))
        sys.exit(1)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
