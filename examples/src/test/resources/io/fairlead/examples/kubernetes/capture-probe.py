# Runs as root inside a fresh network namespace in which fairlead-capture.sh has been applied.
# Stands in for Envoy's capture listener (port 15001, reports SO_ORIGINAL_DST) and for a real
# destination (reports "direct"), then connects as the given UIDs and prints one line per case:
#   <uid> <host>:<port> -> <what answered>
# Usage: capture-probe.py CAPTURE_PORT DIRECT_PORT[,DIRECT_PORT...] CASE...
#   CASE = uid:host:port
import encodings.idna  # noqa: F401  loaded while still root: the children cannot read the stdlib
import os
import socket
import struct
import sys
import threading

SO_ORIGINAL_DST = 80


def serve(port, answer):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(16)

    def loop():
        while True:
            conn, _ = srv.accept()
            with conn:
                conn.sendall(answer(conn).encode())

    threading.Thread(target=loop, daemon=True).start()


def original_dst(conn):
    raw = conn.getsockopt(socket.SOL_IP, SO_ORIGINAL_DST, 16)
    port, packed = struct.unpack_from("!2xH4s", raw)
    return "captured original-dst=%s:%d" % (socket.inet_ntoa(packed), port)


def connect_as(uid, host, port):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            os.setgid(uid)
            os.setuid(uid)
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.settimeout(5)
                s.connect((host, port))
                answer = s.recv(200).decode()
        except Exception as e:  # reported to the test, which names the case
            answer = "error " + type(e).__name__
        os.write(write, answer.encode())
        os._exit(0)
    os.close(write)
    answer = os.read(read, 200).decode()
    os.waitpid(pid, 0)
    return answer


def main():
    capture_port = int(sys.argv[1])
    serve(capture_port, original_dst)
    for port in sys.argv[2].split(","):
        serve(int(port), lambda conn: "direct")
    for case in sys.argv[3:]:
        uid, host, port = case.split(":")
        print("%s %s:%s -> %s" % (uid, host, port, connect_as(int(uid), host, int(port))), flush=True)


main()
