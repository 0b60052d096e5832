"""The API's route rows as web/api_*.c declare them, for the tests that
check every route (authorization matrices, the OpenAPI document).

A row is a designated initializer, maybe over several lines:
    { .methods = WEB_GET | WEB_HEAD, .pattern = "/api/v1/...", .handler = ..., ... },
web/routes.c only lists the families (web_routes_<family>[] of each file)."""
import glob
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROW = re.compile(r'\.methods\s*=\s*(WEB_[A-Z]+(?:\s*\|\s*WEB_[A-Z]+)*)\s*,'
                 r'\s*\.pattern\s*=\s*"(/api/v1/[^"]*)"')


def route_rows():
    """[(["GET", "HEAD"], "/api/v1/...")] of every route, file by file."""
    rows = []
    for path in sorted(glob.glob(os.path.join(ROOT, "web", "api_*.c"))):
        with open(path) as f:
            text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
        for methods, pattern in ROW.findall(text):
            rows.append(([m.strip()[len("WEB_"):] for m in methods.split("|")], pattern))
    return rows
