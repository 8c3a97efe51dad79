"""Bulk import of commune lists: reading CSV/XLSX files and parsing their cells (pure Python).

- :mod:`.reader` — bytes of a CSV or XLSX file → :class:`~.reader.SourceTable` of raw rows;
- :mod:`.headers` — header cells → canonical fields;
- :mod:`.cells` — one raw cell → the value the registry stores, or a coded error;
- :mod:`.rows` — a table → :class:`~.rows.ParsedPerson` or :class:`~.rows.RowError` per row,
  with households formed;
- :mod:`.template` — the published template (XLSX and CSV);
- :mod:`.messy` — synthetic people written as a realistic messy spreadsheet, with a manifest.

Nothing here touches the database; the import service does that.
"""
