"""Readers: turn one user file into Arrow batches plus a way to name each row's line.

Every format lands in the same shape, so validation is written once:
- CSV, JSON Lines and XLSX arrive as text columns (validation parses them);
- Parquet keeps its own types (validation casts them without a round trip through text).

A reader never raises on a user's bad row: rows it cannot parse come back as
:class:`ReadProblem` entries (file, line, reason) and the rest of the file is read.
Only a file that cannot be read at all (empty, undecodable) raises :class:`FileError`.

Parquet and CSV files are read in batches of :data:`BATCH_ROWS` rows, so an export of tens
of millions of rows never sits in memory whole; JSON Lines and XLSX (Excel stops at a
million rows) are read whole and handed out in the same batches.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
ENCODINGS = ("utf-8", "gb18030")
# Rows per batch: big enough that per-batch overhead vanishes, small enough that a batch of
# the widest table stays in the tens of megabytes.
BATCH_ROWS = 1 << 19
CSV_BLOCK_BYTES = 1 << 24  # what Arrow's CSV reader parses at a time


class FileError(Exception):
    """A whole file cannot be read. Carries a message code and its parameters."""

    def __init__(self, code: str, path: Path, line: int | None = None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.path = path
        self.line = line
        self.params = params


@dataclass
class ReadProblem:
    """One row the reader could not parse (it never reaches validation)."""

    line: int
    code: str
    raw: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class RawFile:
    """A file being read: its rows in batches (one column per header name, every batch the
    same columns, at least one batch even for no rows) and where each row came from.

    `batches` can be iterated once. `problems` is complete only after the last batch (a
    streaming reader finds bad rows as it goes)."""

    path: Path
    format: str
    batches: Iterator[pa.Table]
    problems: list[ReadProblem]
    # Maps row positions (0-based, counted over all batches) to 1-based line numbers.
    line_of: Callable[[list[int]], list[int]]
    encoding: str | None = None

    @classmethod
    def whole(cls, path: Path, fmt: str, data: pa.Table, problems: list[ReadProblem],
              line_of: Callable[[list[int]], list[int]], encoding: str | None = None) -> RawFile:
        """A file read whole, handed out in batches (zero-copy slices)."""
        return cls(path, fmt, _slices(data), problems, line_of, encoding)


def _slices(data: pa.Table) -> Iterator[pa.Table]:
    yield data.slice(0, BATCH_ROWS)
    for start in range(BATCH_ROWS, data.num_rows, BATCH_ROWS):
        yield data.slice(start, BATCH_ROWS)


def detect_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise FileError(
            "file.unknown_format",
            path,
            suffix=path.suffix or "(none)",
            allowed=", ".join(sorted(FORMATS)),
        )
    return fmt


def read_file(path: Path, encoding: str | None = None) -> RawFile:
    """Read any supported file; `encoding` forces a text encoding instead of detecting it."""
    fmt = detect_format(path)
    if not path.exists():
        raise FileError("file.not_found", path)
    if path.stat().st_size == 0:
        raise FileError("file.empty", path, line=1)
    if encoding is not None and fmt in ("csv", "jsonl"):
        # A forced encoding that does not fit the file is the file's problem, named by line
        # (the readers would otherwise die on the first undecodable byte).
        error_at = _first_undecodable_byte(path, encoding)
        if error_at is not None:
            offset, line = error_at
            raise FileError("file.encoding", path, line=line, offset=offset)
    reader = {"csv": _read_csv, "jsonl": _read_jsonl, "xlsx": _read_xlsx, "parquet": _read_parquet}
    return reader[fmt](path, encoding)


def normalise_header(name: object) -> str:
    """Header names match the contract case-insensitively, ignoring spaces and a BOM."""
    return str(name).replace("\ufeff", "").strip().lower()


# --- text encodings -----------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) first, then GB18030; otherwise name the first bad byte."""
    with path.open("rb") as handle:
        head = handle.read(3)
    if head == b"\xef\xbb\xbf":
        return "utf-8-sig"
    errors: list[tuple[int, int]] = []
    for encoding in ENCODINGS:
        error_at = _first_undecodable_byte(path, encoding)
        if error_at is None:
            return encoding
        errors.append(error_at)
    # Name the byte of the encoding that read furthest: a GB18030 file with one bad byte on
    # line 40 fails UTF-8 at its first Chinese character already, but line 40 is the news.
    offset, line = max(errors)
    raise FileError("file.encoding", path, line=line, offset=offset)


def _first_undecodable_byte(path: Path, encoding: str) -> tuple[int, int] | None:
    """Decode the file in chunks; return (byte offset, line) of the first failure or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    consumed = 0
    lines = 1
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return consumed + error.start, lines + chunk.count(b"\n", 0, max(error.start, 0))
            consumed += len(chunk)
            lines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return consumed, lines
    return None


# --- CSV ----------------------------------------------------------------------------------


def _read_csv(path: Path, encoding: str | None) -> RawFile:
    encoding = encoding or detect_encoding(path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open(encoding=encoding, newline="") as handle:
        header = next(csv.reader(handle, delimiter=delimiter), None)
    if not header or not any(cell.strip() for cell in header):
        raise FileError("file.no_header", path, line=1)
    names = [normalise_header(h) for h in header]
    # Blank header cells (Excel exports often end every line with empty columns) get a
    # placeholder name; they are dropped below if their cells are empty too, like XLSX.
    blank = [f"__blank_{i + 1}" for i, n in enumerate(names) if not n]
    names = [n or f"__blank_{i + 1}" for i, n in enumerate(names)]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise FileError("file.duplicate_header", path, line=1, columns=", ".join(duplicates))

    problems: list[ReadProblem] = []

    def on_invalid_row(row: pacsv.InvalidRow) -> str:
        # Arrow cannot number rows when values may hold newlines (row.number is -1/None);
        # the line is filled in below from the same records the line mapper counts.
        problems.append(
            ReadProblem(
                line=0,
                code="row.column_count",
                raw=row.text.replace("\x00", "\\x00"),
                params={"expected": row.expected_columns, "actual": row.actual_columns},
            )
        )
        return "skip"

    options = {
        "read_options": pacsv.ReadOptions(
            column_names=names, skip_rows=1, encoding=_arrow_encoding(encoding),
            block_size=CSV_BLOCK_BYTES,
        ),
        "parse_options": pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid_row
        ),
        "convert_options": pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    }
    line_of = _csv_line_mapper(path, encoding, delimiter, len(names))
    batches = _csv_batches(path, names, blank, options, problems, line_of, delimiter)
    return RawFile(path, "csv", batches, problems, line_of, encoding)


def _csv_batches(
    path: Path,
    names: list[str],
    blank: list[str],
    options: dict[str, object],
    problems: list[ReadProblem],
    line_of: _csv_line_mapper,
    delimiter: str,
) -> Iterator[pa.Table]:
    """Stream the CSV in batches of about BATCH_ROWS rows. One batch is held back: the last
    row of the file needs a check (an unclosed quote) before it may be handed out."""

    def without_blank_columns(data: pa.Table) -> pa.Table:
        for name in blank:
            if pc.any(pc.not_equal(pc.utf8_trim_whitespace(data[name]), "")).as_py():
                raise FileError(
                    "file.blank_header", path, line=1, column=int(name.rsplit("_", 1)[1])
                )
        return data.drop_columns(blank)

    empty = pa.table({n: pa.array([], pa.string()) for n in names})
    try:
        reader = pacsv.open_csv(path, **options)  # type: ignore[arg-type]
    except pa.ArrowInvalid as error:
        # A header without a line break after it: Arrow cannot skip "1 row". No rows, no error.
        if "skip initial" not in str(error):
            raise
        reader = iter(())
    held: pa.Table | None = None
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    rows_before = 0  # rows handed out before `held`
    for batch in itertools.chain(reader, [None]):
        if batch is not None:
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows < BATCH_ROWS:
                continue
        if not pending:
            break
        data = without_blank_columns(pa.Table.from_batches(pending))
        pending, pending_rows = [], 0
        if held is not None:
            yield held
            rows_before += held.num_rows
        held = data
    if held is None:
        held = without_blank_columns(empty)
    # Rows Arrow skipped for a wrong column count: their lines, now that all are known.
    if problems:
        for problem, line in zip(problems, line_of.bad_lines(), strict=False):
            problem.line = line
    if held.num_rows and _has_line_break(held.slice(held.num_rows - 1)):
        # A quote opened and never closed swallows every later line into the last row's
        # value: without this check those rows would vanish without a word.
        (start,) = line_of([rows_before + held.num_rows - 1])
        with path.open(encoding=line_of.encoding, newline="") as handle:
            record = "".join(itertools.islice(handle, start - 1, None))
        if _unclosed_quote(record, delimiter):
            problems.append(
                ReadProblem(start, "row.unclosed_quote", record[:1000].replace("\x00", "\\x00"))
            )
            held = held.slice(0, held.num_rows - 1)
    yield held


def _has_line_break(row: pa.Table) -> bool:
    return any(pc.any(pc.match_substring_regex(column, "[\r\n]")).as_py() for column in row.columns)


def _unclosed_quote(record: str, delimiter: str) -> bool:
    """Whether a CSV record (from its first line to the end of the file) ends inside quotes."""
    quoted = False
    field_start = True
    i = 0
    while i < len(record):
        char = record[i]
        if quoted:
            if char == '"':
                if record[i + 1 : i + 2] == '"':
                    i += 1
                else:
                    quoted = False
        elif char == '"' and field_start:
            quoted = True
            field_start = False
        else:
            field_start = char in (delimiter, "\n", "\r")
        i += 1
    return quoted


def _arrow_encoding(encoding: str) -> str:
    # Arrow skips a UTF-8 BOM itself and transcodes any other codec through Python.
    return "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding


class _csv_line_mapper:
    """Exact line numbers even with quoted newlines, blank lines and rows Arrow skipped for a
    wrong column count; computed only on demand, since only rejected rows need them."""

    def __init__(self, path: Path, encoding: str, delimiter: str, width: int) -> None:
        self.path, self.encoding, self.delimiter, self.width = path, encoding, delimiter, width
        self.starts: list[int] | None = None  # first line of each row Arrow kept
        self.bad: list[int] = []  # first line of each row Arrow skipped (wrong column count)

    def _scan(self) -> list[int]:
        if self.starts is None:
            starts: list[int] = []
            with self.path.open(encoding=self.encoding, newline="") as handle:
                reader = csv.reader(handle, delimiter=self.delimiter)
                next(reader, None)
                previous_end = reader.line_num
                for record in reader:
                    if record:  # Arrow skips empty lines too
                        target = starts if len(record) == self.width else self.bad
                        target.append(previous_end + 1)
                    previous_end = reader.line_num
            self.starts = starts
        return self.starts

    def bad_lines(self) -> list[int]:
        self._scan()
        return self.bad

    def __call__(self, rows: list[int]) -> list[int]:
        starts = self._scan()
        return [starts[r] if r < len(starts) else r + 2 for r in rows]


# --- JSON Lines ---------------------------------------------------------------------------


def _text(value: object) -> str | None:
    """Render a JSON or Excel cell as the text the validator parses."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _read_jsonl(path: Path, encoding: str | None) -> RawFile:
    encoding = encoding or detect_encoding(path)
    rows: list[dict[str, str | None]] = []
    lines: list[int] = []
    problems: list[ReadProblem] = []
    names: dict[str, None] = {}
    with path.open(encoding=encoding) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                problems.append(
                    ReadProblem(
                        number,
                        "row.json",
                        line.rstrip("\n").replace("\x00", "\\x00"),
                        {"column": error.colno, "error": error.msg},
                    )
                )
                continue
            if not isinstance(record, dict):
                problems.append(ReadProblem(number, "row.json_object", line.rstrip("\n")))
                continue
            row = {normalise_header(k): _text(v) for k, v in record.items()}
            names.update(dict.fromkeys(row))
            rows.append(row)
            lines.append(number)
    if not rows and not problems:
        raise FileError("file.empty", path, line=1)
    data = pa.table({n: pa.array([r.get(n) for r in rows], pa.string()) for n in names})
    return RawFile.whole(path, "jsonl", data, problems, lambda rs: [lines[r] for r in rs],
                         encoding)


# --- XLSX ---------------------------------------------------------------------------------


def _read_xlsx(path: Path, encoding: str | None) -> RawFile:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own types for damaged files
        raise FileError("file.xlsx", path, error=str(error)) from error
    # A sheet named like the table wins; otherwise the first sheet.
    sheet_names = workbook.sheet_names
    wanted = path.stem.lower()
    sheet_name = next((s for s in sheet_names if s.lower() == wanted), sheet_names[0])
    rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    header_index = next((i for i, r in enumerate(rows) if any(_text(c) for c in r)), None)
    if header_index is None:
        raise FileError("file.no_header", path, line=1)
    names = [normalise_header(c) if _text(c) else "" for c in rows[header_index]]
    while names and not names[-1]:
        names.pop()
    # The table may start right of column A (a margin column): blank columns before the
    # first header cell are skipped, as blank rows above it are.
    first = next(i for i, n in enumerate(names) if n)
    names = names[first:]
    if "" in names:
        raise FileError(
            "file.blank_header", path, line=header_index + 1, column=first + names.index("") + 1
        )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise FileError(
            "file.duplicate_header", path, line=header_index + 1, columns=", ".join(duplicates)
        )
    end = first + len(names)
    columns: dict[str, list[str | None]] = {n: [] for n in names}
    lines: list[int] = []
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        # A value under no header (left of the table or right of it) would be lost silently.
        stray = [i for i, c in enumerate(row) if (i < first or i >= end) and _text(c)]
        if stray:
            raise FileError("file.blank_header", path, line=header_index + 1, column=stray[0] + 1)
        cells = [_text(c) for c in row[first:end]]
        if not any(cells):
            continue
        cells += [None] * (len(names) - len(cells))
        for name, cell in zip(names, cells, strict=True):
            columns[name].append(cell)
        lines.append(offset)
    data = pa.table({n: pa.array(v, pa.string()) for n, v in columns.items()})
    return RawFile.whole(path, "xlsx", data, [], lambda rs: [lines[r] for r in rs])


# --- Parquet ------------------------------------------------------------------------------


def _read_parquet(path: Path, encoding: str | None) -> RawFile:
    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:  # Arrow raises ArrowInvalid / OSError for damaged files
        raise FileError("file.parquet", path, error=str(error)) from error
    # Parquet has no lines; a row's number (1-based) stands in for it.
    return RawFile(path, "parquet", _parquet_batches(path, parquet), [],
                   lambda rs: [r + 1 for r in rs])


def _parquet_batches(path: Path, parquet: pq.ParquetFile) -> Iterator[pa.Table]:
    names = [normalise_header(n) for n in parquet.schema_arrow.names]
    schema = pa.schema([f.with_name(n) for f, n in zip(parquet.schema_arrow, names, strict=True)])
    yielded = False
    try:
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            yielded = True
            yield pa.Table.from_batches([batch]).rename_columns(names)
    except Exception as error:  # a damaged row group: the whole file is rejected
        raise FileError("file.parquet", path, error=str(error)) from error
    finally:
        parquet.close()
    if not yielded:
        yield schema.empty_table()
