"""Column and value mapping: reading a file of any header without editing it (docs/exchange.md,
"Bring in a file you already have"; decision 0155).

- ``vocabulary``: the words files use for our fields and codes (English, Burmese, KoBo names);
- ``propose``: a mapping proposed from a file's header rows and a sample of its cells;
- ``spec``: the mapping itself and its editable JSON form;
- ``apply``: the file read through a mapping as the pipeline's own ``Table``;
- ``services`` / ``queries``: mappings saved by name and found again by the file's header.
"""
