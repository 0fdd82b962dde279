"""Sphinx configuration: the Markdown pages (MyST) and an API reference from the docstrings.

Build with ``sphinx-build -W --keep-going -b html docs <outdir>``. The build is offline: no
extension fetches anything, and furo's pages load no web fonts or remote assets. The examples
are not run here; pytest runs them (``--doctest-glob=*.md`` and ``--doctest-modules``).
"""

from __future__ import annotations

import importlib.metadata
import re
from typing import Any

project = "slacalc"
author = "slacalc developers"
copyright = "slacalc developers"
release = importlib.metadata.version("slacalc")
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
language = "en"

# -- MyST -------------------------------------------------------------------------------------
# Headings get anchors so that pages can link to sections (``performance.md#the-machine``).
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]

# -- autodoc ----------------------------------------------------------------------------------
# Every public object is documented once, under its public name ``slacalc.X`` (api.md), though
# it is defined in a submodule. Signatures show types in their short form.
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = False
autodoc_class_signature = "mixed"
autoclass_content = "class"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
napoleon_attr_annotations = True

# Unresolvable references are warnings, and warnings fail the build (-W).
nitpicky = True
# Types from outside slacalc: no intersphinx (the build fetches nothing), so they stay text.
nitpick_ignore_regex = [
    ("py:class", r"(datetime|zoneinfo|collections\.abc|typing|pathlib|os|io|decimal|argparse)\..*"),
    ("py:class", r"(int|str|bytes|bool|float|object|list|tuple|dict|set|frozenset|type|None)"),
    ("py:class", r"(Any|Iterable|Iterator|Mapping|Sequence|Callable|Literal|Self|Path)"),
    ("py:class", r"(ZoneInfo|TextIO|PathLike|datetime|date|time|timedelta|timezone|tzinfo)"),
    ("py:class", r"(pandas|polars|pyarrow|numpy|dask|hypothesis|st|matplotlib)\..*"),
    ("py:class", r"(ValueError|Exception|UserWarning|Warning)"),
    ("py:exc", r"(ValueError|TypeError|KeyError|OverflowError)"),
]

# -- HTML -------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"slacalc {release}"
html_theme_options = {
    # furo uses the system font stack; no web fonts are loaded.
    "navigation_with_keys": True,
}
html_static_path: list[str] = []
html_show_sourcelink = False
html_copy_source = False
pygments_style = "friendly"
pygments_dark_style = "monokai"


#: The kinds of object each kind of reference may resolve to.
_KINDS = {
    "class": {"class", "exception", "type"},
    "exc": {"exception", "class"},
    "data": {"data", "attribute"},
    "const": {"data", "attribute"},
    "attr": {"attribute", "property", "data"},
    "func": {"function", "method", "classmethod", "staticmethod"},
    "meth": {"method", "classmethod", "staticmethod", "function", "property"},
}


def _public_name(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """Resolve a reference to a slacalc object by the name the reference documents it under.

    Annotations name a class by its defining module (``slacalc.calendar.Calendar``) or by the
    ``sla`` alias (``sla.Case``), and a docstring in a submodule may name an object bare
    (``Calendar``, ``ROW_KEYS``, ``CaseReader.errors``); the reference documents each object
    once, under its public name (``slacalc.Calendar``, ``slacalc.io.ROW_KEYS``). Such a name
    resolves to ``slacalc.<name>``, or else to the one documented object of the right kind whose
    full name ends with it.
    """
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py":
        return None
    if target.startswith("sla."):
        target = "slacalc." + target.removeprefix("sla.")
    parts = target.split(".")
    # ``slacalc.calendar.Calendar`` tries ``calendar.Calendar``, then ``Calendar``
    suffixes = [".".join(parts[i:]) for i in range(1 if parts[0] == "slacalc" else 0, len(parts))]
    kinds = _KINDS.get(node.get("reftype", ""))
    domain = env.get_domain("py")
    for suffix in suffixes:
        if f"slacalc.{suffix}" in domain.objects and f"slacalc.{suffix}" != node["reftarget"]:
            chosen = f"slacalc.{suffix}"
        else:
            found = [
                full for full, entry in domain.objects.items()
                if full.endswith("." + suffix) and full.startswith("slacalc.")
                and (kinds is None or entry.objtype in kinds)
            ]
            if len(found) != 1:
                continue
            chosen = found[0]
        return domain.resolve_xref(
            env, node["refdoc"], app.builder, node["reftype"], chosen, node, contnode
        )
    return None


def _split_parameters(text: str) -> list[str]:
    """The top-level, comma-separated parts of a parameter list (brackets and quotes nest)."""
    parts, depth, quote, current = [], 0, "", []
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    if "".join(current).strip():
        parts.append("".join(current).strip())
    return parts


def _public_signature(
    app: Any, what: str, name: str, obj: Any, options: Any, signature: str | None,
    return_annotation: str | None,
) -> tuple[str | None, str | None] | None:
    """Signatures as a user calls them: no private parameters, ``datetime`` for ``dt.datetime``.

    attrs classes with private fields (``_lazy``, ``_calendar``) take them as ``__init__``
    parameters that only slacalc passes; annotations that name the ``datetime`` module by its
    ``dt`` alias stay strings when autodoc cannot evaluate them.
    """
    if not signature or not name.startswith("slacalc."):
        return None
    parameters = [
        part for part in _split_parameters(signature[1:-1])
        if not part.lstrip("*").startswith("_")
    ]
    signature = "(" + ", ".join(parameters) + ")"
    signature = re.sub(r"\bdt\.", "", signature)
    if return_annotation:
        return_annotation = re.sub(r"\bdt\.", "", return_annotation)
    return signature, return_annotation


def _napoleon_properties_as_methods(app: Any) -> None:
    """Read the docstring of a property, an attribute or a constant as prose, like a method's.

    napoleon reads their first line as ``type: description``, so a summary with a colon ("Zones
    with daylight-saving time: ...") would lose its first words to a type. slacalc's types come
    from the annotations, so these docstrings are parsed like methods'.
    """
    from sphinx.ext.napoleon import _process_docstring  # noqa: PLC0415 - Sphinx is loaded

    prose = {"property", "attribute", "data"}

    listeners = app.events.listeners["autodoc-process-docstring"]
    for listener in list(listeners):
        if listener.handler is _process_docstring:
            app.disconnect(listener.id)

    def process(app: Any, what: str, *args: Any) -> None:
        _process_docstring(app, "method" if what in prose else what, *args)

    app.connect("autodoc-process-docstring", process)


def setup(app: Any) -> dict[str, Any]:
    app.connect("missing-reference", _public_name)
    app.connect("autodoc-process-signature", _public_signature)
    _napoleon_properties_as_methods(app)
    return {"parallel_read_safe": True}
