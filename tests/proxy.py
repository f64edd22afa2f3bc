"""A TCP proxy a test puts between two ends (a client and the server, or the server and PostgreSQL)
to break the network on purpose: `sever()` resets every open connection through it, as a dropped
Wi-Fi or a restarted router does; `cut()` also refuses new ones until `restore()`, as a stopped
server does."""
import socket
import struct
import threading

from .live import free_port


class TcpProxy:
    """Forwards 127.0.0.1:`port` to 127.0.0.1:`target_port`."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._pairs = set()
        self._lock = threading.Lock()
        self._listener = None
        self.restore()

    def restore(self):
        """Accept connections (again)."""
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.05)  # the accept loop looks up often enough to notice `cut`
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def sever(self):
        """Reset every connection open through the proxy; new ones are still accepted."""
        with self._lock:
            pairs, self._pairs = self._pairs, set()
        for pair in pairs:
            for end in pair:
                _reset(end)

    def cut(self):
        """Sever, and refuse new connections until `restore`."""
        listener, self._listener = self._listener, None
        listener.close()
        self.sever()

    def close(self):
        if self._listener is not None:
            self.cut()

    def _accept(self, listener):
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                _reset(client)
                continue
            for end in (client, upstream):
                end.settimeout(None)
                end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._pairs.add((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        with self._lock:
            self._pairs.discard((source, sink))
            self._pairs.discard((sink, source))
        for end in (source, sink):
            _reset(end)


def _reset(end):
    """Close with a reset (RST), not a polite FIN: the other side learns at once that the line is gone."""
    try:
        end.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        end.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    end.close()
