"""Load a mappings folder into typed models, or fail with one clear line.

Layout of a mappings folder::

    project.yaml            province, receiving unit, periods, Decree-09 header
    appendices/*.yaml       one appendix spec per file (a new appendix = a new file)
    catalogues/*.yaml       row lists referenced by specs (e.g. the 16 criteria)

Every problem becomes a :class:`SpecError` naming the file and the field, in
Vietnamese and English; never a traceback.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import TypeAdapter, ValidationError

from xlsaddin.core.codes import CATALOGUE
from xlsaddin.core.resources import shipped
from xlsaddin.spec.cache import Recorder, cached
from xlsaddin.spec.expr import ExprError, check_types, names
from xlsaddin.spec.models import (
    AUTO_FIGURES,
    AppendixSpec,
    CatalogueRef,
    CheckRule,
    DeadlineRule,
    ForeignLayout,
    Mappings,
    Project,
    RowDef,
    Table,
)

T = TypeVar("T")

ENV_VAR = "XLSADDIN_MAPPINGS"


@functools.cache
def _synonyms() -> TypeAdapter[dict[Literal["synonyms"], dict[str, tuple[str, ...]]]]:
    return TypeAdapter(dict[Literal["synonyms"], dict[str, tuple[str, ...]]])


@functools.cache
def _catalogue() -> TypeAdapter[dict[Literal["rows"], tuple[RowDef, ...]]]:
    """Built when a catalogue is read, not on import (a cached load reads none)."""
    return TypeAdapter(dict[Literal["rows"], tuple[RowDef, ...]])


# Vietnamese wording for the pydantic error types a mapping author is likely to hit.
_PYDANTIC_VI = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép",
    "literal_error": "giá trị không hợp lệ",
    "string_type": "phải là chuỗi",
    "string_pattern_mismatch": "khóa chỉ gồm chữ thường không dấu, số và '_'",
    "string_too_long": "chuỗi quá dài",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "float_parsing": "phải là số",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
    "tuple_type": "phải là danh sách",
    "model_type": "phải là một bảng khóa: giá trị",
    "model_attributes_type": "phải là một bảng khóa: giá trị",
    "greater_than_equal": "giá trị quá nhỏ",
    "less_than_equal": "giá trị quá lớn",
    "union_tag_invalid": "loại quy tắc không hợp lệ",
}


# pydantic speaks of Python types; a YAML author thinks in lists and mappings.
_EN_OVERRIDE = {"tuple_type": "must be a list", "dict_type": "must be a mapping"}


class SpecError(Exception):
    """A mapping file that cannot be used. ``str()`` is a single line."""

    def __init__(self, file: str, field: str, message: str) -> None:
        self.file = file
        self.field = field
        self.message = message
        where = f"{file} › {field}" if field else file
        super().__init__(f"Lỗi cấu hình / mapping error: {where}: {message}")


def default_mappings_dir() -> Path:
    """``$XLSADDIN_MAPPINGS`` if set, else the mappings shipped with the package
    (the repository's ``mappings/`` in a checkout)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return shipped("mappings")


_FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _FIELD_NAME.match(part):
            out += f".{part}" if out else part
        # else: a union branch or validator name from pydantic, meaningless to an author
    return out


def _from_validation(file: str, exc: ValidationError) -> SpecError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    etype = str(first["type"])
    en = _EN_OVERRIDE.get(etype) or str(first["msg"]).removeprefix("Value error, ")
    if etype == "value_error":
        message = en  # our own validators already speak both languages
    else:
        vi = _PYDANTIC_VI.get(etype, "giá trị không hợp lệ")
        message = f"{vi} / {en}"
        if "input" in first and not isinstance(first["input"], (dict, list)):
            message += f" (giá trị: {first['input']!r})"
    if len(errors) > 1:
        message += f" (và {len(errors) - 1} lỗi khác / and {len(errors) - 1} more)"
    return SpecError(file, _field_path(tuple(first["loc"])), message)


def _read_yaml(path: Path, rel: str) -> dict[str, Any]:
    try:
        data = path.read_bytes()
        if (recorder := _RECORDER.get()) is not None:
            recorder.read(path, data)
        text = data.decode("utf-8")
    except OSError as exc:
        raise SpecError(rel, "", f"không đọc được tệp / cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SpecError(rel, "", "tệp không phải UTF-8 / file is not UTF-8") from None
    import yaml  # imported here: a load from the cache (spec/cache.py) parses no YAML

    # libyaml's safe loader when PyYAML was built with it (about 10x faster than the
    # pure-Python one; same safe constructor, same errors), else the pure-Python one.
    safe_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=safe_loader)
    except ValueError as exc:  # e.g. an unquoted impossible date: 2025-13-45
        raise SpecError(rel, "", f"giá trị không hợp lệ / invalid value: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "YAML error"
        raise SpecError(rel, where, f"YAML sai cú pháp / invalid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise SpecError(rel, "", "tệp phải là một bảng khóa: giá trị / must be a YAML mapping")
    return data


#: What the load in progress looked at (spec/cache.py decides from it whether a stored
#: copy is still the folder as it is).
_RECORDER: ContextVar[Recorder | None] = ContextVar("_RECORDER", default=None)


def _is_file(path: Path) -> bool:
    """``path.is_file()``; a file looked for and not found is recorded."""
    found = path.is_file()
    if not found and (recorder := _RECORDER.get()) is not None:
        recorder.missing(path)
    return found


def _listing(folder: Path, pattern: str) -> list[Path]:
    """``sorted(folder.glob(pattern))``, recorded."""
    found = sorted(folder.glob(pattern))
    if (recorder := _RECORDER.get()) is not None:
        recorder.listed(folder, pattern, found)
    return found


def _rel(root: Path, path: Path) -> str:
    try:
        return f"{root.name}/{path.relative_to(root).as_posix()}"
    except ValueError:
        return str(path)


def _load_catalogue(root: Path, ref: CatalogueRef, spec_file: str) -> tuple[RowDef, ...]:
    path = root / ref.catalogue
    if not _is_file(path):
        raise SpecError(
            spec_file,
            "table.rows.catalogue",
            f"không tìm thấy danh mục '{ref.catalogue}' / catalogue not found",
        )
    rel = _rel(root, path)
    data = _read_yaml(path, rel)
    if set(data) != {"rows"}:
        raise SpecError(rel, "", "danh mục chỉ có khóa 'rows' / a catalogue has only 'rows'")
    try:
        return _catalogue().validate_python(data)["rows"]
    except ValidationError as exc:
        raise _from_validation(rel, exc) from None


def _duplicates(keys: list[str]) -> list[str]:
    seen: set[str] = set()
    return [k for k in keys if k in seen or seen.add(k)]  # type: ignore[func-returns-value]


def check_spec(spec: AppendixSpec, file: str) -> None:
    """Cross-field checks pydantic cannot express on one field alone."""
    cols = spec.table.columns
    col_keys = [c.key for c in cols]
    for dup in _duplicates(col_keys):
        raise SpecError(file, "table.columns", f"khóa cột trùng lặp '{dup}' / duplicate column key")
    rows = spec.table.rows if isinstance(spec.table.rows, tuple) else ()
    row_keys = [r.key for r in rows]
    for dup in _duplicates(row_keys):
        raise SpecError(file, "table.rows", f"khóa dòng trùng lặp '{dup}' / duplicate row key")
    for i, row in enumerate(rows):
        for part in row.sum_of:
            if part not in row_keys[:i]:
                raise SpecError(
                    file,
                    f"table.rows[{i}].sum_of",
                    f"dòng '{part}' không tồn tại hoặc không đứng trước dòng tổng"
                    " / unknown row, or not above the total row",
                )
    for i, col in enumerate(cols):
        if col.fixed not in (None, "stt") and not spec.table.fixed_rows:
            raise SpecError(
                file,
                f"table.columns[{i}].fixed",
                "bảng không có dòng cố định / fixed attribute needs fixed rows",
            )
    if not any(c.is_input for c in cols):
        raise SpecError(file, "table.columns", "không có cột nhập liệu / no input column")
    for dup in _duplicates([r.id for r in spec.rules]):
        raise SpecError(file, "rules", f"mã quy tắc trùng lặp '{dup}' / duplicate rule id")
    columns = {c.key: c for c in cols}
    for i, rule in enumerate(spec.rules):
        if rule.id in CATALOGUE:
            raise SpecError(
                file,
                f"rules[{i}].id",
                f"mã '{rule.id}' đã dùng cho lỗi có sẵn / id reserved for a built-in issue code",
            )
        if isinstance(rule, CheckRule):
            for field in ("expr", "when"):
                text = getattr(rule, field)
                if text is None:
                    continue
                try:
                    used = names(text)
                except ExprError as exc:
                    raise SpecError(file, f"rules[{i}].{field}", str(exc)) from None
                for name in sorted(used - set(col_keys)):
                    raise SpecError(
                        file,
                        f"rules[{i}].{field}",
                        f"quy tắc dùng cột không tồn tại '{name}' / rule uses unknown column",
                    )
                try:  # typed as the compilers will type it: never a traceback later
                    check_types(text, columns)
                except ExprError as exc:
                    raise SpecError(file, f"rules[{i}].{field}", str(exc)) from None
            if rule.cell is not None and rule.cell not in col_keys:
                raise SpecError(
                    file, f"rules[{i}].cell", f"cột không tồn tại '{rule.cell}' / unknown column"
                )
        elif isinstance(rule, DeadlineRule):
            for field in ("deadline", "completed_on", "status"):
                key = getattr(rule, field)
                if key not in col_keys:
                    raise SpecError(
                        file,
                        f"rules[{i}].{field}",
                        f"quy tắc dùng cột không tồn tại '{key}' / rule uses unknown column",
                    )


def check_indicators(spec: AppendixSpec, file: str) -> None:
    col_keys = {c.key for c in spec.table.columns}
    seen: set[str] = set()
    for i, ind in enumerate(spec.indicators):
        where = f"indicators[{i}]"
        if ind.key in seen:
            raise SpecError(file, where, f"mã chỉ tiêu trùng lặp '{ind.key}' / duplicate key")
        for field in ("column", "quantity"):
            key = getattr(ind, field)
            if key is not None and key not in col_keys:
                raise SpecError(
                    file, f"{where}.{field}", f"cột không tồn tại '{key}' / unknown column"
                )
        numeric = {"sum", "mode"}  # kinds that add or compare numbers
        column = next((c for c in spec.table.columns if c.key == ind.column), None)
        if ind.kind in numeric and column is not None and not column.is_numeric:
            raise SpecError(
                file,
                f"{where}.column",
                f"chỉ tiêu kiểu '{ind.kind}' cần cột số, '{ind.column}' là cột "
                f"'{column.type}' / '{ind.kind}' needs a number column",
            )
        quantity = next((c for c in spec.table.columns if c.key == ind.quantity), None)
        if quantity is not None and not quantity.is_numeric:
            raise SpecError(
                file,
                f"{where}.quantity",
                f"cột số lượng '{ind.quantity}' phải là cột số / quantity needs a number column",
            )
        for ref in (ind.numerator, ind.denominator):
            if ref is not None and ref not in seen:
                raise SpecError(
                    file, where, f"chỉ tiêu '{ref}' chưa được khai báo trước / unknown indicator"
                )
        deadline_rules = {r.id for r in spec.rules if isinstance(r, DeadlineRule)}
        if ind.rule is not None and ind.rule not in deadline_rules:
            raise SpecError(
                file,
                f"{where}.rule",
                f"không có quy tắc thời hạn '{ind.rule}' / unknown deadline rule",
            )
        if ind.blank and ind.kind != "rows_where":
            raise SpecError(
                file, f"{where}.blank", "chỉ dùng với 'rows_where' / only for 'rows_where'"
            )
        seen.add(ind.key)
    known = seen | set(AUTO_FIGURES)
    for i, breakdown in enumerate(spec.breakdowns):
        where = f"breakdowns[{i}]"
        refs = [("total", breakdown.total)] + [("parts", p) for p in breakdown.parts]
        refs += [("mention", m) for m in breakdown.mention]
        for field, ref in refs:
            if ref not in known and not (field == "total" and ref == "units_total"):
                raise SpecError(
                    file, f"{where}.{field}", f"chỉ tiêu không tồn tại '{ref}' / unknown indicator"
                )


def _hash(spec: AppendixSpec, project: Project) -> str:
    shared = project.model_dump(mode="json", exclude={"periods", "default_period"})
    blob = json.dumps(
        # indicators feed the provincial report, not the template: they do not change it
        {
            "spec": spec.model_dump(mode="json", exclude={"indicators", "breakdowns", "charts"}),
            "project": shared,
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _load_layouts(root: Path, specs: dict[str, AppendixSpec]) -> tuple[ForeignLayout, ...]:
    layouts = []
    for path in _listing(root / "layouts", "*.yaml"):
        rel = _rel(root, path)
        try:
            layout = ForeignLayout.model_validate(_read_yaml(path, rel))
        except ValidationError as exc:
            raise _from_validation(rel, exc) from None
        spec = specs.get(layout.appendix)
        if spec is None:
            raise SpecError(
                rel, "appendix", f"không có phụ lục '{layout.appendix}' / unknown appendix"
            )
        keys = {c.key for c in spec.table.columns}
        for key in list(layout.columns) + list(layout.required):
            if key not in keys:
                raise SpecError(rel, "columns", f"cột không tồn tại '{key}' / unknown column")
        layouts.append(layout)
    return tuple(layouts)


class _Problems:
    """Collects SpecErrors (``check_mappings``) or raises the first (``load_mappings``)."""

    def __init__(self, collect: bool) -> None:
        self.collect = collect
        self.found: list[SpecError] = []

    def add(self, error: SpecError) -> None:
        if not self.collect:
            raise error
        self.found.append(error)

    def validation(self, file: str, exc: ValidationError) -> None:
        """One problem per pydantic error when collecting (else the first, with a count)."""
        if not self.collect:
            raise _from_validation(file, exc) from None
        for error in exc.errors(include_url=False):
            single = ValidationError.from_exception_data(exc.title, [error])  # type: ignore[list-item]
            self.found.append(_from_validation(file, single))


def _load(root: Path, problems: _Problems) -> Mappings | None:
    project_file = root / "project.yaml"
    project: Project | None = None
    if not _is_file(project_file):
        problems.add(SpecError(str(root), "project.yaml", "thiếu tệp / file missing"))
    else:
        rel = _rel(root, project_file)
        try:
            project = Project.model_validate(_read_yaml(project_file, rel))
        except ValidationError as exc:
            problems.validation(rel, exc)
        except SpecError as exc:
            problems.add(exc)
        if project is not None and project.default_period not in {p.id for p in project.periods}:
            problems.add(
                SpecError(rel, "default_period", "không có trong 'periods' / not in 'periods'")
            )

    specs: list[AppendixSpec] = []
    files = _listing(root / "appendices", "*.yaml")
    if not files:
        problems.add(SpecError(str(root), "appendices/", "không có phụ lục nào / no appendix spec"))
    for path in files:
        rel = _rel(root, path)
        try:
            spec = AppendixSpec.model_validate(_read_yaml(path, rel))
        except ValidationError as exc:
            problems.validation(rel, exc)
            continue
        except SpecError as exc:
            problems.add(exc)
            continue
        try:
            if isinstance(spec.table.rows, CatalogueRef):
                rows = _load_catalogue(root, spec.table.rows, rel)
                table = Table.model_validate({**spec.table.model_dump(), "rows": rows})
                spec = spec.model_copy(update={"table": table})
            check_spec(spec, rel)
            check_indicators(spec, rel)
        except SpecError as exc:
            problems.add(exc)
            continue
        specs.append(spec)
    for dup in _duplicates([s.id for s in specs]):
        problems.add(
            SpecError(
                str(root), "appendices/*.yaml › id", f"mã phụ lục trùng lặp '{dup}' / duplicate id"
            )
        )
    for dup in _duplicates([s.code for s in specs]):
        problems.add(
            SpecError(
                str(root),
                "appendices/*.yaml › code",
                f"mã phụ lục trùng lặp '{dup}' / duplicate code",
            )
        )
    for dup in _duplicates([s.file_name for s in specs]):
        problems.add(
            SpecError(
                str(root),
                "appendices/*.yaml › file_name",
                f"tên tệp trùng lặp '{dup}' / duplicate file name",
            )
        )
    layouts: tuple[ForeignLayout, ...] = ()
    if len(specs) == len(files):  # a layout names an appendix: only judge it when all loaded
        try:
            layouts = _load_layouts(root, {s.id: s for s in specs})
        except SpecError as exc:
            problems.add(exc)
    synonyms = _load_synonyms(root, problems)
    if project is None or problems.found:
        return None
    return Mappings(
        root=str(root),
        project=project,
        appendices=tuple(specs),
        layouts=layouts,
        hashes={s.id: _hash(s, project) for s in specs},
        synonyms=synonyms,
    )


def _load_synonyms(root: Path, problems: _Problems) -> dict[str, tuple[str, ...]]:
    """``synonyms.yaml`` (optional): ``synonyms: {canonical: [variants]}``."""
    path = root / "synonyms.yaml"
    if not _is_file(path):
        return {}
    rel = _rel(root, path)
    try:
        return _synonyms().validate_python(_read_yaml(path, rel))["synonyms"]
    except ValidationError as exc:
        problems.validation(rel, exc)
    except SpecError as exc:
        problems.add(exc)
    return {}


def load_mappings(root: Path | str | None = None) -> Mappings:
    """Load and check every file of a mappings folder; the first problem is raised."""
    folder = Path(root) if root is not None else default_mappings_dir()

    def load(recorder: Recorder) -> Mappings:
        loaded = recorded(recorder, lambda: _load(folder, _Problems(False)))
        assert loaded is not None  # a problem would have been raised
        # the digest of everything the load looked at: what these mappings are made of
        return loaded.model_copy(update={"fingerprint": recorder.sources().digest()})

    return cached(folder, load, Mappings)


def recorded(recorder: Recorder, load: Callable[[], T]) -> T:
    """``load()``, with every file it reads or looks for (``_read_yaml``, ``_is_file``)
    recorded by ``recorder``."""
    token = _RECORDER.set(recorder)
    try:
        return load()
    finally:
        _RECORDER.reset(token)


def check_mappings(root: Path | str) -> list[SpecError]:
    """Every problem of a mappings folder (one per line when printed); [] when it loads."""
    problems = _Problems(True)
    _load(Path(root), problems)
    return problems.found
