"""One safe YAML loader for every input file (scenario and experiment files).

`load_yaml_file(path)` reads a file and parses it with a loader that, on top of
`yaml.SafeLoader`:

- refuses duplicate mapping keys (PyYAML silently keeps the last one, so a file with
  `replications: 100000000` and later `replications: 1` would run once without a word);
- refuses aliases and anchors (`&a` / `*a`): a few lines of aliases expand to gigabytes
  (the "billion laughs"), and no input file of this tool needs them;
- refuses files larger than `MAX_BYTES` and nesting deeper than Python's recursion allows.

Every problem raises `YamlInputError` with one line naming the file and the problem. Values in
messages go through `short()`, so a message never prints more than about 60 characters of the
offending value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

#: Largest accepted input file (bytes). The shipped files are a few kB.
MAX_BYTES = 1_000_000
#: Characters of a value shown in an error message.
SHORT = 60


class YamlInputError(ValueError):
    """An input file cannot be read or parsed; the message is one line naming the problem."""


def short(value: Any, limit: int = SHORT) -> str:
    """`repr(value)`, cut to at most `limit` characters (with '…' when cut)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases, anchors and duplicate keys."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "YAML anchors and aliases (&, *) are not accepted", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {short(key)} (first at line {seen[key] + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "invalid input"
    return line if len(line) <= 2 * SHORT else line[: 2 * SHORT - 1] + "…"


def parse_yaml(text: str, where: str) -> Any:
    """Parse YAML text strictly; `where` (a file name) starts every error message."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or _first_line(str(exc))
        raise YamlInputError(f"{where}: malformed YAML{at}: {_first_line(problem)}") from None
    except yaml.YAMLError as exc:  # e.g. a ReaderError (control characters)
        raise YamlInputError(f"{where}: malformed YAML: {_first_line(str(exc))}") from None
    except RecursionError:
        raise YamlInputError(f"{where}: malformed YAML: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise YamlInputError(f"{where}: malformed YAML: {_first_line(str(exc))}") from None


def read_text_file(path: Path | str, what: str = "file") -> str:
    """The UTF-8 text of a small input file; one clear error for each way it can fail.

    `what` names the kind of file in messages ("scenario file", "experiment file").
    """
    path = Path(path)
    try:
        if path.is_dir():
            raise YamlInputError(f"{what} {path} is a directory, not a file")
        if not path.exists():
            raise YamlInputError(f"{what} not found: {path}")
        if not path.is_file():
            raise YamlInputError(f"{what} {path} is not a regular file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise YamlInputError(
                f"{what} {path} is {size:,} bytes; the limit is {MAX_BYTES:,} bytes"
            )
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except YamlInputError:
        raise
    except OSError as exc:  # permission denied, I/O error, name too long, ...
        raise YamlInputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except ValueError:  # a NUL character in the path
        raise YamlInputError(f"{what} name {short(str(path))} is not a valid path") from None
    if len(data) > MAX_BYTES:  # the file grew while we read it
        raise YamlInputError(f"{what} {path} is larger than the limit of {MAX_BYTES:,} bytes")
    try:
        # Universal newlines, as text-mode reading gives: the text is hashed (experiment
        # identity), so it must not change with the way the file is read.
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        raise YamlInputError(
            f"{path}: not a UTF-8 text file (byte {exc.start} cannot be decoded)"
        ) from None


def load_yaml_file(path: Path | str, what: str = "file") -> tuple[Any, str]:
    """Read and strictly parse a YAML file; return (document, text). None for an empty file."""
    text = read_text_file(path, what)
    return parse_yaml(text, str(path)), text
