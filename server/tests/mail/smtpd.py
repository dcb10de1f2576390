"""A real SMTP server for the email tests: aiosmtpd on 127.0.0.1:PORT, writing each message it accepts
into DIR as N.eml (the message as received) and N.json (envelope and the parsed message, read with
Python's own email package, so the test does not check the server's MIME with the server's code).

Usage: python3 smtpd.py PORT DIR. Prints "ready" once listening; stops when its stdin closes.
"""

import asyncio
import email
import email.policy
import json
import os
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        plain = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        parsed = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "headers": {name.lower(): str(value) for name, value in message.items()},
            "content_type": message.get_content_type(),
            "text": plain.get_content() if plain is not None else None,
            "html": html.get_content() if html is not None else None,
        }
        base = os.path.join(self.folder, str(self.count))
        with open(base + ".eml", "wb") as out:
            out.write(raw)
        # Written under another name and renamed, so a reader never sees half of it.
        with open(base + ".json.part", "w") as out:
            json.dump(parsed, out)
        os.rename(base + ".json.part", base + ".json")
        return "250 OK"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
