"""The account model of docs/accounts.md, as findings 1 to 3 of issue 14
broke it, against a real creekd:

- login squatting (finding 1): an existing login in a CSV line or added by
  an admin is an invitation, never a membership; the account joins only
  when it accepts;
- membership without consent (finding 2): account search finds only
  people of the searcher's own workspaces; an exact-login invitation
  answers alike for any login; only the account's home workspace resets
  its password;
- API keys expire, record their last use and rotate; invite links stop
  after 20 uses unless told otherwise (item 16);
- an org API key never raises anyone to a role that may reset passwords
  (department admin, workspace admin), and resets none itself;

What it leaves out: the full authorization matrix and tenant isolation
(test_identity.py).
"""

import os
import sys
import unittest
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from identity_client import Client, new_password  # noqa: E402
from test_identity import ROOT_DEPARTMENT, OneWorkspace  # noqa: E402


class TwoWorkspaces(OneWorkspace):
    """Workspace A (the node's first) and B, with B's own system admin, who
    is no member of A."""

    def setUp(self):
        n = next(self.seq)
        self.ws_b = self.root.ok("POST", "/workspaces", {"name": f"B{n}"}, status=201)["id"]
        admin = self.add_member(f"b-admin{n}", ws=self.ws_b)
        self.root.ok("PATCH", f"/workspaces/{self.ws_b}/members/{admin['id']}",
                     {"role": "system_admin"})
        self.b = self.session(admin)

    def b_member(self, login, name="Li Lei"):
        password = new_password()
        made = self.b.ok("POST", f"/workspaces/{self.ws_b}/members",
                         {"login": login, "name": name, "password": password}, status=201)
        return {"id": made["account_id"], "login": login, "password": password}


class LoginSquatting(TwoWorkspaces):
    """Finding 1: B made the login li.lei; A's admin got 409, imported the
    CSV line as the docs advised, and B's account joined A ("added": 1)."""

    def test_an_existing_login_is_invited_not_added(self):
        ws = self.ws
        squat = self.b_member("li.lei")
        r = self.root.request("POST", f"/workspaces/{ws}/members",
                              body={"login": "li.lei", "name": "李雷",
                                    "password": new_password()})
        self.assert_error(r, 409, "conflict")
        report = self.root.ok("POST", f"/workspaces/{ws}/members/import",
                              {"csv": "login,name\nli.lei,李雷\n"})
        self.assertEqual((report["created"], report["invited"], report["failed"]), (0, 1, 0),
                         str(report))
        self.assertIs(report["rows"][0].get("invited"), True, str(report))
        # Adding the account by id is refused: it is invited instead.
        r = self.root.request("POST", f"/workspaces/{ws}/members",
                              body={"account_id": squat["id"]})
        self.assert_error(r, 400, "invalid")
        # Until it accepts, B's account is nobody in A.
        c = self.session(squat)
        self.assert_error(c.request("GET", f"/workspaces/{ws}"), 403, "denied")
        self.assertNotIn(ws, [w["id"] for w in c.ok("GET", "/me")["workspaces"]])
        self.root.request("GET", f"/workspaces/{ws}/members/{squat['id']}", expect=404)
        logins = [m["login"] for m in self.root.ok(
            "GET", f"/workspaces/{ws}/members", query={"status": "all"})["members"]]
        self.assertNotIn("li.lei", logins)
        # The account sees the invitation and decides.
        mine = c.ok("GET", "/me/invitations")["invitations"]
        self.assertEqual([i["workspace"]["id"] for i in mine], [ws], str(mine))
        joined = c.ok("POST", f"/me/invitations/{ws}/accept")
        self.assertEqual(joined["workspace"], {"id": ws, "name": "Acme", "role": "member"})
        c.ok("GET", f"/workspaces/{ws}")
        self.assertEqual(c.ok("GET", "/me/invitations")["invitations"], [])
        # A, which it joined, neither resets its password nor renames it.
        r = self.root.request("PUT", f"/workspaces/{ws}/members/{squat['id']}/password",
                              body={"new_password": new_password()})
        self.assert_error(r, 403, "denied")

    def test_an_invite_link_registration_is_refused_alike_and_throttled(self):
        self.b_member("han.mei")
        link = self.root.ok("POST", f"/workspaces/{self.ws}/invite-links", {},
                            status=201)["token"]
        v = Client.for_node(self.node, who="visitor")
        taken = v.request("POST", f"/invites/{link}/register",
                          body={"login": "han.mei", "name": "X", "password": new_password()})
        self.assert_error(taken, 409, "conflict")
        self.assertNotIn("han.mei", taken.error_message)
        replies = [v.request("POST", f"/invites/{link}/register",
                             body={"login": "han.mei", "name": "X", "password": new_password()})
                   for _ in range(12)]
        self.assert_error(replies[-1], 429, "throttled")
        # Throttled, a free login gets the same answer as a taken one.
        free = v.request("POST", f"/invites/{link}/register",
                         body={"login": "free.login", "name": "X", "password": new_password()})
        self.assert_error(free, 429, "throttled")


class MembershipWithoutConsent(TwoWorkspaces):
    """Finding 2: any workspace added any account (by search or CSV), which
    also stopped the home workspace resetting its password, and search
    listed every workspace's people."""

    def test_search_finds_only_people_the_searcher_sees(self):
        self.b_member("wang.fang", "Wang Fang Bxq")
        here = self.add_member("wang.local")
        # A's system admin, who is in no workspace with B's people (the
        # installation admin made B, so it is in both).
        admin = self.add_member("a-admin")
        self.root.ok("PATCH", f"/workspaces/{self.ws}/members/{admin['id']}",
                     {"role": "system_admin"})
        a = self.session(admin)
        found = a.ok("GET", f"/workspaces/{self.ws}/account-search",
                     query={"q": "wang"})["accounts"]
        self.assertEqual([x["login"] for x in found], [here["login"]], str(found))
        found = a.ok("GET", f"/workspaces/{self.ws}/account-search",
                     query={"q": "Bxq"})["accounts"]
        self.assertEqual(found, [])

    def test_an_exact_login_invitation_reveals_nothing(self):
        self.b_member("zhao.lei")
        member = self.add_member("here")
        answers = []
        for login in ("zhao.lei", "no.such.login", member["login"]):
            r = self.root.request("POST", f"/workspaces/{self.ws}/invitations",
                                  body={"login": login})
            answers.append((r.status, r.json()))
        self.assertEqual(answers[0][0], 202, str(answers))
        self.assertEqual(answers.count(answers[0]), 3, f"answers differ: {answers}")

    def test_the_home_workspace_keeps_resetting_and_declined_is_not_joined(self):
        person = self.b_member("zhou.xun")
        self.root.ok("POST", f"/workspaces/{self.ws}/invitations",
                     {"account_id": person["id"]}, status=202)
        c = self.session(person)
        c.request("DELETE", f"/me/invitations/{self.ws}", expect=204)
        c.request("POST", f"/me/invitations/{self.ws}/accept", expect=404)
        self.assert_error(c.request("GET", f"/workspaces/{self.ws}"), 403, "denied")
        # Accepted this time: A never resets, B (its home) still does.
        self.root.ok("POST", f"/workspaces/{self.ws}/invitations",
                     {"login": person["login"]}, status=202)
        c.ok("POST", f"/me/invitations/{self.ws}/accept")
        r = self.root.request("PUT", f"/workspaces/{self.ws}/members/{person['id']}/password",
                              body={"new_password": new_password()})
        self.assert_error(r, 403, "denied")
        fresh = new_password()
        self.b.request("PUT", f"/workspaces/{self.ws_b}/members/{person['id']}/password",
                       body={"new_password": fresh}, expect=204)
        self.session({"login": person["login"], "password": fresh}).ok("GET", "/me")

    def test_the_home_does_not_reset_an_admin_of_another_workspace(self):
        owner = self.add_member("owner")
        self.root.request("PUT", f"/workspaces/{self.ws}/members/{owner['id']}/password",
                          body={"new_password": owner["password"] + "x"}, expect=204)
        owner["password"] += "x"
        self.root.ok("POST", "/workspaces", {"name": "Owned", "super_admin_id": owner["id"]},
                     status=201)
        r = self.root.request("PUT", f"/workspaces/{self.ws}/members/{owner['id']}/password",
                              body={"new_password": new_password()})
        self.assert_error(r, 403, "denied")
        self.session(owner).ok("GET", "/me")

    def test_nobody_answers_another_accounts_invitation(self):
        person = self.b_member("qian.li")
        self.root.ok("POST", f"/workspaces/{self.ws}/invitations",
                     {"login": person["login"]}, status=202)
        # B's admin, and a key, cannot take the invitation meant for the person.
        self.b.request("POST", f"/me/invitations/{self.ws}/accept", expect=404)
        self.b.request("DELETE", f"/me/invitations/{self.ws}", expect=404)
        self.b.request("POST", f"/workspaces/{self.ws}/invitations",
                       body={"login": "qian.li"}, expect=403)
        key = self.root.ok("POST", f"/workspaces/{self.ws}/api-keys", {"name": "k"},
                           status=201)["key"]
        k = Client.with_key(self.node, key)
        self.assertEqual(k.request("POST", f"/workspaces/{self.ws}/invitations",
                                   body={"login": "qian.li"}).status, 403)
        self.assertEqual(self.session(person).ok("GET", "/me/invitations")["invitations"][0][
            "workspace"]["id"], self.ws)


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



class ApiKeyLifetime(OneWorkspace):
    """Issue 14, item 16: org API keys lived forever, and nobody could tell
    whether one was still in use or give it a new secret."""

    def test_a_key_expires_records_its_use_and_rotates(self):
        ws = self.ws
        made = self.root.ok("POST", f"/workspaces/{ws}/api-keys",
                            {"name": "HR sync", "ttl_days": 30}, status=201)
        days = (datetime.fromisoformat(made["expires_at"].replace("Z", "+00:00"))
                - datetime.now(timezone.utc)).total_seconds() / 86400
        self.assertTrue(29.9 < days <= 30, str(made))
        self.assertIsNone(made["last_used_at"], str(made))
        default = self.root.ok("POST", f"/workspaces/{ws}/api-keys", {"name": "Default"},
                               status=201)
        self.assertTrue(default["expires_at"].startswith(
            str(datetime.now(timezone.utc).year + 1)), str(default))
        for bad in (0, 1096, "30"):
            r = self.root.request("POST", f"/workspaces/{ws}/api-keys",
                                  body={"name": "Bad", "ttl_days": bad})
            self.assert_error(r, 400, "invalid")
        old = Client.with_key(self.node, made["key"], who="the old key")
        old.ok("GET", f"/workspaces/{ws}/departments")
        listed = {k["id"]: k for k in self.root.ok("GET", f"/workspaces/{ws}/api-keys")[
            "api_keys"]}
        self.assertIsNotNone(listed[made["id"]]["last_used_at"], str(listed))
        self.assertIsNone(listed[default["id"]]["last_used_at"], str(listed))
        # Rotation: the same key, a new secret; the old one stops at once.
        rotated = self.root.ok("POST", f"/workspaces/{ws}/api-keys/{made['id']}/rotate")
        self.assertEqual((rotated["id"], rotated["name"]), (made["id"], "HR sync"))
        self.assertNotEqual(rotated["key"], made["key"])
        self.assertTrue(rotated["key"].startswith(rotated["prefix"]), str(rotated))
        self.assert_error(old.request("GET", f"/workspaces/{ws}/departments"), 401,
                          "unauthenticated")
        new = Client.with_key(self.node, rotated["key"], who="the rotated key")
        new.ok("GET", f"/workspaces/{ws}/departments")
        self.root.request("POST", f"/workspaces/{ws}/api-keys/999999/rotate", expect=404)
        # Past its end, the key stops.
        self.node.sql("system", "exec", "UPDATE api_key SET expires_us = 1 WHERE id = ?",
                      f"i:{made['id']}")
        r = new.request("GET", f"/workspaces/{ws}/departments")
        self.assert_error(r, 401, "unauthenticated")
        self.assertIn("expired", r.error_message)


class InviteLinkUses(OneWorkspace):
    """Issue 14, item 16: an invite link nobody limited stopped at nothing;
    it now stops after 20 people (0 still asks for no limit)."""

    def test_a_link_defaults_to_twenty_uses(self):
        link = self.root.ok("POST", f"/workspaces/{self.ws}/invite-links", {}, status=201)
        self.assertEqual(link["max_uses"], 20, str(link))
        for n in range(20):
            Client.for_node(self.node).request(
                "POST", f"/invites/{link['token']}/register",
                body={"login": f"crowd-{n}", "name": f"Crowd {n}", "password": new_password()},
                expect=201)
        r = Client.for_node(self.node).request(
            "POST", f"/invites/{link['token']}/register",
            body={"login": "crowd-20", "name": "Crowd 20", "password": new_password()})
        self.assert_error(r, 404, "not_found")
        unlimited = self.root.ok("POST", f"/workspaces/{self.ws}/invite-links",
                                 {"max_uses": 0}, status=201)
        self.assertEqual(unlimited["max_uses"], 0, str(unlimited))


if __name__ == "__main__":
    unittest.main()
