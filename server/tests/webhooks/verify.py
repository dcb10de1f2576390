"""Verifies one webhook delivery with the Standard Webhooks reference library.

Reads {"secret", "headers", "body"} as JSON on stdin; exits 0 when the signature verifies, 1 otherwise.
Needs `pip install standardwebhooks`.
"""
import json
import sys

from standardwebhooks.webhooks import Webhook

message = json.load(sys.stdin)
try:
    Webhook(message["secret"]).verify(message["body"], message["headers"])
except Exception as error:  # the library raises its own WebhookVerificationError
    print(f"not verified: {error}", file=sys.stderr)
    sys.exit(1)
