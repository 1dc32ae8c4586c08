"""``referral-api import victims``: register a spreadsheet of people through the API.

A partner runs it with its own API client over HTTP, like any other integration. The file is
read and validated in full first (the API's own input models), then sent in batches to the
mass-intake endpoint, each batch with an ``Idempotency-Key`` derived from the operation, the
file's content and the batch's index, so a re-run after an interruption replays what was
stored instead of registering anyone twice.
"""
