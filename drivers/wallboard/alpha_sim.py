"""A simulated Alpha protocol sign on the master side of a pty: it keeps TEXT and STRING files,
answers Read STRING, shows what a real sign would, and can be struck dumb (`answering`)."""

from __future__ import annotations

import contextlib
import os
import threading
import tty

from drivers.wallboard import alpha_frames as af


class SimulatedSign:
    def __init__(self, path: str) -> None:
        self.path = path
        self.answering = True
        self.texts: dict[str, bytes] = {}
        self.strings: dict[str, bytes] = {}
        self.packets: list[af.Packet] = []
        self.bad_packets = 0
        self.changed = threading.Condition()
        self._buffer = bytearray()
        self._stop = threading.Event()
        master, slave = os.openpty()
        tty.setraw(slave)
        slave_name = os.ttyname(slave)
        os.close(slave)
        self._master = master
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.symlink(slave_name, path)
        self._thread = threading.Thread(target=self._loop, name="simulated-sign", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        os.close(self._master)

    def _loop(self) -> None:
        import select

        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self._master, 4096)
            except OSError:
                continue  # nobody has the port open
            self._buffer += data
            while bytes([af.EOT]) in self._buffer:
                end = self._buffer.index(af.EOT) + 1
                raw, self._buffer = bytes(self._buffer[:end]), self._buffer[end:]
                self._packet(raw)

    def _packet(self, raw: bytes) -> None:
        try:
            packet = af.parse_packet(raw)
        except af.AlphaFrameError:
            with self.changed:
                self.bad_packets += 1
            return
        with self.changed:
            self.packets.append(packet)
            for command in packet.commands:
                self._command(command)
            self.changed.notify_all()

    def _command(self, command: af.Command) -> None:
        label, body = chr(command.data[0]), command.data[1:]
        if command.code == af.WRITE_SPECIAL and command.data[:1] == b"$":
            self.texts.clear()  # configuring memory clears it
            self.strings.clear()
        elif command.code == af.WRITE_TEXT:
            self.texts[label] = body
        elif command.code == af.WRITE_STRING:
            self.strings[label] = body
        elif command.code == af.READ_STRING and self.answering:
            reply = af.packet([af.write_string(label, self.strings.get(label, b""))],
                              type_code=b"0", address=b"00")  # fmt: skip
            with contextlib.suppress(OSError):
                os.write(self._master, b"\x00" * 15 + reply)

    def power_cut(self) -> None:
        with self.changed:
            self.texts.clear()
            self.strings.clear()

    def shown(self, text_label: str = "A") -> list[str]:
        """The sign's pages as text: STRING calls filled in, control codes dropped."""
        with self.changed:
            body = self.texts.get(text_label, b"")
            pages = []
            for page in body.split(bytes([0x1B]))[1:]:
                content = page[2:]  # position, mode
                out = bytearray()
                index = 0
                while index < len(content):
                    byte = content[index]
                    if byte == af.CALL_STRING and index + 1 < len(content):
                        out += _printable(self.strings.get(chr(content[index + 1]), b""))
                        index += 2
                    elif byte == af.COLOUR:
                        index += 2
                    else:
                        out.append(byte)
                        index += 1
                pages.append(out.decode("ascii", errors="replace"))
            return pages


def _printable(data: bytes) -> bytes:
    out = bytearray()
    index = 0
    while index < len(data):
        if data[index] == af.COLOUR:
            index += 2
            continue
        out.append(data[index])
        index += 1
    return bytes(out)
