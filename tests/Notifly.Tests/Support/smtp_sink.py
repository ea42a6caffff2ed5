"""A real SMTP server for tests, on Debian's aiosmtpd.

Stores each accepted message as DIR/<seq>-<uuid>.eml, written under a temporary name and renamed,
so a reader never sees half a message. Scripted refusals by the recipient's local part:
  reject-*  -> 550 5.1.1 mailbox unavailable   (permanent)
  busy-*    -> 451 4.3.0 try again later       (transient)
With --tls-cert and --tls-key it offers STARTTLS and refuses mail until the client has used it;
with --auth user:password it also refuses mail until the client has logged in as that user
(over TLS only). Prints READY once listening, and exits when its stdin closes, so a test run that
dies does not leave the server behind.
"""

import argparse
import asyncio
import itertools
import os
import ssl
import sys
import threading
import uuid

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


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


def authenticator_for(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == user and auth_data.password.decode() == password)
        # handled=False: aiosmtpd then answers 535 itself (handled=True would leave the client waiting)
        return AuthResult(success=ok, handled=False)

    return authenticate


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
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--auth", help="user:password")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Handler(args.dir)
    options = {}
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        options.update(tls_context=context, require_starttls=True)
    if args.auth:
        user, password = args.auth.split(":", 1)
        options.update(authenticator=authenticator_for(user, password), auth_required=True, auth_require_tls=True)
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(handler, hostname="smtp-sink", **options), args.host, args.port))
    exit_when_stdin_closes(loop)
    print("READY", flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
