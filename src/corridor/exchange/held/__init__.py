"""Rows a partial import held for review (decision 0205): stored, listed, fixed, dropped.

- ``services``: hold a file's rows (called by the pipeline), fix one (cells, the township
  among the candidates) and apply it through the very same pipeline, drop one;
- ``queries``: the held rows a person may see, one row's cells and reasons, and the
  townships an ambiguous place name could be.
"""
