"""Test-wide setup: every test run gets a throwaway instance folder."""

import os
import tempfile

# Must happen before Django reads settings: tests never touch a real instance folder.
os.environ.setdefault("CORRIDOR_HOME", tempfile.mkdtemp(prefix="corridor-test-"))
