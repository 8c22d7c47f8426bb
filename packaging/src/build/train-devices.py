#!/usr/bin/env python3
"""The training run's systemd and devices: starts a daemon the way securecmd.socket does and serves it
devices, so the startup archive recorded from it holds what a socket-activated first reply runs.

  train-devices.py --dir DIR --expect TEXT [--full N] [--resumed N] -- COMMAND...

Binds a TCP listener on 127.0.0.1 (a free port) and passes it to COMMAND as descriptor 3 named "main"
(LISTEN_FDS, LISTEN_FDNAMES, LISTEN_PID: COMMAND must exec the daemon in the same process, as the launcher
does), with a NOTIFY_SOCKET that this script reads (READY=1 and STATUS= go through the same FFM calls as
under systemd). Then it is the fleet: mutual-TLS devices (DIR/ca.crt, DIR/client.crt, DIR/client.key, the
server's name "localhost") send GET_SECRET on N full and N resumed handshakes, one device without a
certificate is refused, and the daemon gets SIGTERM, as systemd stops it; its exit status is ours.
Bounded: 60 s for the first reply, 120 s for the exit. Python's ssl is OpenSSL, a native client as in
bench/cold-start.sh.
"""
import argparse
import os
import random
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--expect", required=True)
    p.add_argument("--full", type=int, default=200)
    p.add_argument("--resumed", type=int, default=100)
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not command:
        p.error("no COMMAND after --")

    listener = bind_listener()
    port = listener.getsockname()[1]
    notify_dir = tempfile.mkdtemp(prefix="securecmd-train-")
    notify_path = os.path.join(notify_dir, "notify")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    threading.Thread(target=drain, args=(notify,), daemon=True).start()

    pid = os.fork()
    if pid == 0:
        if listener.fileno() != 3:
            os.dup2(listener.fileno(), 3)
        os.set_inheritable(3, True)  # dup2 onto itself would leave Python's close-on-exec in place
        env = dict(os.environ, LISTEN_FDS="1", LISTEN_FDNAMES="main", LISTEN_PID=str(os.getpid()),
                   NOTIFY_SOCKET=notify_path)
        try:
            os.execvpe(command[0], command, env)
        finally:
            os._exit(127)
    listener.close()
    try:
        serve_devices(a, port)
    except Exception as e:  # the daemon's log says why; stop it either way
        print(f"train-devices.py: {e}", file=sys.stderr)
        stop(pid)
        sys.exit(1)
    sys.exit(stop(pid))


def bind_listener():
    """A port below Linux's ephemeral range first (32768 and up), which a busy build host's outgoing
    connections may have used up; the kernel's pick if none is free."""
    for port in random.sample(range(20000, 32768), 50) + [0]:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", port))
            s.listen(128)
            return s
        except OSError:
            s.close()
    raise RuntimeError("no free port on 127.0.0.1")


def drain(sock):
    while True:
        sock.recv(4096)


def context(with_certificate, directory):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.minimum_version = ssl.TLSVersion.TLSv1_3
    c.load_verify_locations(os.path.join(directory, "ca.crt"))
    if with_certificate:
        c.load_cert_chain(os.path.join(directory, "client.crt"), os.path.join(directory, "client.key"))
    return c


def request(ctx, port, session=None, timeout=10):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as s:
            s.sendall(b"GET_SECRET\n")
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = s.recv(1024)
                if not chunk:
                    break
                reply += chunk
            return reply.decode().strip(), s.session


def serve_devices(a, port):
    device = context(True, a.dir)
    deadline = time.monotonic() + 60
    reply, session = request(device, port, timeout=60)  # the first reply: the daemon is starting
    if reply != a.expect:
        raise RuntimeError(f"first reply {reply!r}, expected {a.expect!r}")
    for _ in range(a.full):
        reply, session = request(device, port)
        if reply != a.expect:
            raise RuntimeError(f"reply {reply!r}, expected {a.expect!r}")
    for _ in range(a.resumed):
        reply, session = request(device, port, session=session)
    try:
        request(context(False, a.dir), port)
    except (ssl.SSLError, OSError):
        pass  # refused, as it must be
    if time.monotonic() > deadline + 120:
        raise RuntimeError("the devices took over 3 minutes")


def stop(pid):
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    print("train-devices.py: the daemon did not exit within 120 s of SIGTERM", file=sys.stderr)
    return 1


if __name__ == "__main__":
    main()
