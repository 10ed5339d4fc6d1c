"""Static files under names that carry their content's hash, cached by browsers for a year.

Corridor serves its static files straight from the apps' folders (WhiteNoise with
``WHITENOISE_USE_FINDERS``; no ``collectstatic`` on a field laptop, decision 0005), so Django's
manifest storage, which needs ``collectstatic`` to write its manifest, is not used. Instead
(decision 0395):

- ``HashedStorage.url`` names a file as Django's manifest storage would,
  ``corridor/site.css`` -> ``/static/corridor/site.<12 hex digits of its MD5>.css``, hashing the
  file the finders find (kept per file path, size and modification time);
- ``HashedNameFinder`` (a static files finder) finds that name as the file it names, while the
  hash is still that file's: Django's static views and test servers, and WhiteNoise when it
  looks files up on each request (DEBUG), find it as they find any file;
- ``StaticFilesMiddleware`` (WhiteNoise's middleware) answers that name too, with the same
  file, from the table of files it builds at start. WhiteNoise itself sees the hash in the
  name and sends ``Cache-Control: max-age=315360000, public, immutable``; the plain name keeps
  WhiteNoise's 60 seconds.

A new release changes a changed file's name, so a browser on a slow link keeps every stylesheet,
script and icon until they change, and never asks again in between.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from typing import Any

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.middleware import WhiteNoiseMiddleware

#: Digits of the MD5 in a name: Django's manifest storage's length.
HASH_DIGITS = 12
_HASHED = re.compile(rf"(.+)\.[0-9a-f]{{{HASH_DIGITS}}}(\.[^./]+)")

_hashes: dict[tuple[str, int, int], str] = {}


def content_hash(path: str) -> str:
    """The first ``HASH_DIGITS`` hex digits of the MD5 of the file at ``path``."""
    status = os.stat(path)
    key = (path, status.st_size, status.st_mtime_ns)
    digest = _hashes.get(key)
    if digest is None:
        with open(path, "rb") as file:
            digest = hashlib.md5(file.read(), usedforsecurity=False).hexdigest()[:HASH_DIGITS]
        _hashes[key] = digest
    return digest


def hashed_name(name: str, path: str) -> str:
    """``name`` (``corridor/site.css``) with the hash of the file at ``path`` before its
    extension: ``corridor/site.0123456789ab.css``."""
    root, ext = posixpath.splitext(name)
    return f"{root}.{content_hash(path)}{ext}"


def plain_name(name: str) -> str | None:
    """``corridor/site.css`` for ``corridor/site.0123456789ab.css``; None for a name without a
    hash."""
    found = _HASHED.fullmatch(name)
    return found.group(1) + found.group(2) if found else None


class HashedStorage(StaticFilesStorage):
    """Static URLs name a file the finders find by its content (module docstring); a name no
    finder knows keeps its plain URL."""

    def url(self, name: str | None) -> str:
        path = finders.find(name) if name else None
        if isinstance(path, str):
            return super().url(hashed_name(name, path))
        return super().url(name)


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise's middleware, answering each file under its hashed name as well."""

    def add_file_to_dictionary(self, url: str, path: str, stat_cache=None) -> None:
        super().add_file_to_dictionary(url, path, stat_cache=stat_cache)
        if url.startswith(self.static_prefix):
            name = url[len(self.static_prefix) :]
            twin = self.static_prefix + hashed_name(name, path)
            super().add_file_to_dictionary(twin, path, stat_cache=stat_cache)


class HashedNameFinder(finders.BaseFinder):
    """Finds a hashed name (``HashedStorage``) as the file of its plain name, when the hash is
    that file's. Lists nothing: the middleware adds the hashed names to its own table."""

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        """The file's path; [] when there is none (as Django's finders answer), or a list of
        the one path with ``find_all``."""
        name = plain_name(path)
        if name is not None:
            found = finders.find(name)  # a plain name is never this finder's
            if isinstance(found, str) and hashed_name(name, found) == path:
                return [found] if find_all else found
        return []

    def list(self, *_ignore_patterns: Any) -> list:
        return []
