"""Checks Gatehouse's SCIM 2.0 endpoint with PyPI scim2-tester (RFC 7643/7644 conformance:
discovery, CRUD, filters, attribute projection, /.search, PATCH add/replace/remove on every
attribute). Usage: python3 scim_check.py <base URL ending in /scim/v2> <API key>

Prints one line per check and ends with `scim2-tester: N passed, M failed` (a check passes at
SUCCESS, COMPLIANT or ACCEPTABLE, fails at ERROR or CRITICAL; DEVIATION and SKIPPED are
printed, not counted); exits non-zero when any check failed or none passed.
"""
import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server


def main() -> int:
    base, key = sys.argv[1], sys.argv[2]
    http = Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30)
    client = SyncSCIMClient(http)
    results = check_server(client)
    passed = failed = 0
    for r in results:
        status = getattr(r, "status", None)
        name = getattr(r, "title", None) or getattr(r, "check", None) or ""
        rtype = getattr(r, "resource_type", None) or ""
        reason = getattr(r, "reason", "")
        if status in (Status.ERROR, Status.CRITICAL):
            failed += 1
            print(f"FAIL {rtype} {name}: {reason}")
        else:
            if status in (Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE):
                passed += 1
            print(f"{getattr(status, 'name', status)} {rtype} {name}: {reason}")
    print(f"scim2-tester: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
