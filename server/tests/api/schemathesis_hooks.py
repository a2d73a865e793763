"""Schemathesis hooks for the API tests: every generated request is signed with bce-auth-v1 by
Baidu's official signer (the admin's key from ITM_FUZZ_AK / ITM_FUZZ_SK), so each signed route is
exercised past authentication and its answers can be checked against the document."""

import os
import random
import urllib.parse
import uuid

import schemathesis
from baidubce import utils
from baidubce.auth import bce_v1_signer
from baidubce.auth.bce_credentials import BceCredentials


@schemathesis.auth()
class BceAuth:
    def get(self, case, context):
        return BceCredentials(os.environ["ITM_FUZZ_AK"], os.environ["ITM_FUZZ_SK"])

    def set(self, case, credentials, context):
        host = os.environ["ITM_FUZZ_HOST"]
        date = utils.get_canonical_time()
        request_id = str(uuid.uuid4())
        params = {str(k).encode(): str(v).encode() for k, v in (case.query or {}).items()
                  if not isinstance(v, (list, dict))}
        # The path as the server decodes it: schemathesis sends path parameters percent-encoded.
        path = urllib.parse.unquote(case.formatted_path)
        headers = {b"host": host.encode(), b"x-bce-date": date, b"x-bce-request-id": request_id.encode()}
        authorization = bce_v1_signer.sign(credentials, case.method.upper().encode(), path.encode(), headers, params,
                                           headers_to_sign=[b"host", b"x-bce-date"])
        case.headers = {**(case.headers or {}), "x-bce-date": date.decode(), "x-bce-request-id": request_id,
                        "Authorization": authorization.decode()}


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    """Most requests name things that exist (a prepared domain, user, contact), so the routes'
    successful answers are checked too; the rest keep the generated values (404s and 400s)."""
    if path_parameters is None or random.random() < 0.25:
        return path_parameters
    known = {"domain": os.environ.get("ITM_FUZZ_DOMAIN"), "username": os.environ.get("ITM_FUZZ_USER"),
             "policy": "ITMReadAccessPolicy", "version": "1", "name": os.environ.get("ITM_FUZZ_CONTACT")}
    return {k: known.get(k) or v for k, v in path_parameters.items()}
