"""A real SMTP server on loopback that captures every message as a file (for tests and
development). Usage: python3 smtp_capture.py PORT MAILDIR"""
import asyncio
import os
import sys
import time

from aiosmtpd.controller import Controller


class Capture:
    def __init__(self, maildir):
        self.maildir = maildir
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        name = f"{time.time_ns()}-{self.n}.eml"
        tmp = os.path.join(self.maildir, "." + name)
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-To: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.maildir, name))
        return "250 Message accepted for delivery"


def main():
    port, maildir = int(sys.argv[1]), sys.argv[2]
    os.makedirs(maildir, exist_ok=True)
    controller = Controller(Capture(maildir), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"capturing SMTP on 127.0.0.1:{port} into {maildir}", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
