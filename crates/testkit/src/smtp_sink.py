# A real SMTP server for Portico's tests (aiosmtpd), on 127.0.0.1:PORT, that keeps every message
# it accepts in OUTDIR: NNNNNN.eml (the bytes received) and NNNNNN.json (envelope, headers and
# each MIME part decoded by Python's email package), each written aside and renamed into place.
# Recipients starting with "reject" are refused for good (550), "busy" for now (451).
# It prints READY once listening and stops when its standard input closes.
import email
import email.policy
import json
import os
import sys

from aiosmtpd.controller import Controller

host, port, outdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]


class Sink:
    def __init__(self):
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.lower()
        if local.startswith("reject"):
            return "550 5.1.1 No such user here"
        if local.startswith("busy"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        parts = []
        for part in msg.walk():
            if part.is_multipart():
                continue
            parts.append({"content_type": part.get_content_type(), "content": part.get_content()})
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "message_id": str(msg["Message-ID"]),
            "date": str(msg["Date"]),
            "content_language": str(msg.get("Content-Language", "")),
            "content_type": msg.get_content_type(),
            "parts": parts,
        }
        self.count += 1
        base = os.path.join(outdir, "%06d" % self.count)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(raw)
        os.rename(base + ".eml.tmp", base + ".eml")
        with open(base + ".json.tmp", "w") as f:
            json.dump(record, f)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 Message accepted for delivery"


controller = Controller(Sink(), hostname=host, port=port)
controller.start()
print("READY", flush=True)
try:
    sys.stdin.read()
finally:
    controller.stop()
