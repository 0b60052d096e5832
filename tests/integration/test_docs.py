"""The docs that are generated from code stay in step with it."""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from creek import CREEKD, ROOT  # noqa: E402


class Docs(unittest.TestCase):
    def test_configuration_page_lists_every_setting_as_creekd_does(self):
        table = subprocess.run([CREEKD, "--settings-markdown"], capture_output=True, text=True,
                               check=True).stdout
        with open(os.path.join(ROOT, "docs", "configuration.md")) as f:
            page = f.read()
        self.assertIn(table.strip(), page,
                      "docs/configuration.md is stale: regenerate its table with "
                      "`creekd --settings-markdown`")


if __name__ == "__main__":
    unittest.main()
