"""The account model of docs/accounts.md, as findings 1 to 3 of issue 14
broke it, against a real creekd:

- an org API key never raises anyone to a role that may reset passwords
  (department admin, workspace admin), and resets none itself;

What it leaves out: the full authorization matrix and tenant isolation
(test_identity.py).
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from identity_client import Client, new_password  # noqa: E402
from test_identity import ROOT_DEPARTMENT, OneWorkspace  # noqa: E402


class ApiKeyEscalation(OneWorkspace):
    """Finding 3: a key made a member with a known password, made it admin
    of the root department, and that member reset plain members'
    passwords."""

    def test_a_key_makes_no_department_admin(self):
        ws = self.ws
        key = self.root.ok("POST", f"/workspaces/{ws}/api-keys", {"name": "HR sync"},
                           status=201)["key"]
        k = Client.with_key(self.node, key, who="API key")
        password = new_password()
        made = k.ok("POST", f"/workspaces/{ws}/members",
                    {"login": "keyed", "name": "Keyed", "password": password,
                     "department_ids": [ROOT_DEPARTMENT]}, status=201)
        victim = self.add_member("victim")
        r = k.request("PATCH", f"/workspaces/{ws}/departments/{ROOT_DEPARTMENT}",
                      body={"admin_ids": [made["account_id"]]})
        self.assert_error(r, 403, "denied")
        sub = k.ok("POST", f"/workspaces/{ws}/departments",
                   {"name": "Sub", "parent_id": ROOT_DEPARTMENT}, status=201)["id"]
        r = k.request("PATCH", f"/workspaces/{ws}/departments/{sub}",
                      body={"admin_ids": [made["account_id"]]})
        self.assert_error(r, 403, "denied")
        depts = k.ok("GET", f"/workspaces/{ws}/departments")["departments"]
        self.assertEqual([d["admin_ids"] for d in depts], [[] for _ in depts], str(depts))
        # The key's member resets nobody's password, nor does the key.
        c = self.session({"login": "keyed", "password": password})
        r = c.request("PUT", f"/workspaces/{ws}/members/{victim['id']}/password",
                      body={"new_password": new_password()})
        self.assert_error(r, 403, "denied")
        r = k.request("PUT", f"/workspaces/{ws}/members/{victim['id']}/password",
                      body={"new_password": new_password()})
        self.assertIn(r.status, (401, 403), str(r))
        # It may keep or drop the admins an admin named.
        self.root.ok("PATCH", f"/workspaces/{ws}/departments/{sub}",
                     {"admin_ids": [victim["id"]], "supervisor_ids": [victim["id"]]})
        k.ok("PATCH", f"/workspaces/{ws}/departments/{sub}",
             {"admin_ids": [victim["id"]], "supervisor_ids": [made["account_id"]]})
        got = k.ok("PATCH", f"/workspaces/{ws}/departments/{sub}", {"admin_ids": []})
        self.assertEqual(got["admin_ids"], [], str(got))
        # And still cannot make anyone a system admin.
        r = k.request("PATCH", f"/workspaces/{ws}/members/{made['account_id']}",
                      body={"role": "system_admin"})
        self.assert_error(r, 403, "denied")


if __name__ == "__main__":
    unittest.main()
