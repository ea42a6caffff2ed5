"""A real SMTP server for tests, on Debian's aiosmtpd.

Stores each accepted message as DIR/<seq>-<uuid>.eml, written under a temporary name and renamed,
so a reader never sees half a message. Scripted refusals by the recipient's local part:
  reject-*  -> 550 5.1.1 mailbox unavailable   (permanent)
  busy-*    -> 451 4.3.0 try again later       (transient)
Prints READY once listening, and exits when its stdin closes, so a test run that dies does not
leave the server behind.
"""

import argparse
import asyncio
import itertools
import os
import sys
import threading
import uuid

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, directory):
        self.directory = directory
        self.sequence = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject-"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("busy-"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = f"{next(self.sequence):06d}-{uuid.uuid4().hex}"
        temporary = os.path.join(self.directory, f".{name}.tmp")
        with open(temporary, "wb") as file:
            file.write(envelope.original_content)
        os.replace(temporary, os.path.join(self.directory, f"{name}.eml"))
        return "250 2.0.0 Message accepted for delivery"


def exit_when_stdin_closes(loop):
    def watch():
        sys.stdin.read()
        loop.call_soon_threadsafe(loop.stop)

    threading.Thread(target=watch, daemon=True).start()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Handler(args.dir)
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(handler, hostname="smtp-sink"), args.host, args.port))
    exit_when_stdin_closes(loop)
    print("READY", flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
