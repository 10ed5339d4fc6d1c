"""Benchmark: `corridor wipe --yes` on an encrypted field instance of a given size.

Makes an instance with CORRIDOR_DATABASE_ENCRYPTED=1 through the real `corridor init`, grows
its database with random blobs written through SQLCipher under the instance's own key (so the
file is what a field laptop's would be: ciphertext of that size), then times the real entry
point wiping it, wall clock, start-up included. Issue 14 asks for 10 s at most.

Usage: .venv/bin/python bench/wipe.py --megabytes 500
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlcipher3 import dbapi2 as sqlcipher

from corridor.core.crypto.keyring import keyring_read

CORRIDOR = str(Path(sys.executable).with_name("corridor"))
PASSPHRASE = "bench passphrase for a field laptop"  # noqa: S105 — a throwaway instance


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=500, help="database size to reach")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="corridor-wipe-bench-"))
    env = {
        **os.environ,
        "CORRIDOR_HOME": str(home),
        "CORRIDOR_DATABASE_ENCRYPTED": "1",
        "CORRIDOR_KEY_PASSPHRASE": PASSPHRASE,
        "CORRIDOR_ADMIN_PASSWORD": "a long bench admin password",
    }
    env.pop("CORRIDOR_DATABASE_URL", None)
    subprocess.run(
        [CORRIDOR, "init", "--no-input", "--admin-username", "admin"],
        env=env,
        check=True,
        capture_output=True,
    )
    found, _ = keyring_read(home / "keys" / "keyring.json", PASSPHRASE)
    conn = sqlcipher.connect(str(home / "corridor.sqlite3"))
    conn.execute(f"PRAGMA key = \"x'{found.at_rest['database'].hex()}'\"")
    conn.execute("CREATE TABLE bench_filler (b BLOB)")
    blob = secrets.token_bytes(1 << 20)
    for _ in range(args.megabytes):
        conn.execute("INSERT INTO bench_filler VALUES (?)", (blob,))
    conn.commit()
    conn.close()
    size = sum(p.stat().st_size for p in home.rglob("*") if p.is_file())
    started = time.monotonic()
    wiped = subprocess.run(
        [CORRIDOR, "wipe", "--yes"], env=env, check=True, capture_output=True, text=True
    )
    took = time.monotonic() - started
    left = list(home.iterdir())
    print(f"instance folder {size / 1e6:.0f} MB; `corridor wipe --yes` took {took:.2f} s wall")
    print(wiped.stdout.splitlines()[0])
    print(f"left in the folder: {len(left)} entries")
    home.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
