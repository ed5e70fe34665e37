"""Checking the pipeline's configuration: one line naming the key or file for every mistake.

Snakemake's own check prints the whole schema on a failed key and lets NaN through; the
Snakefile calls :func:`check` instead, which raises :class:`nnrec.ConfigError` with one line:

    nnrec: config: mlp.hiden: unknown key; expected one of batch_size, epochs, gradcheck, ...

The schema (workflow/schemas/config.schema.yaml) stays the one statement of what is allowed,
with its defaults; this module only words its verdict and adds what JSON Schema cannot say
(no NaN or infinite numbers). It also stops a run whose profile still holds a placeholder
such as ``<ACCOUNT>`` (:func:`check_resource_placeholders`).
"""

import math
import re
from pathlib import Path

from nnrec import ConfigError


def read_config_file(path):
    """The mapping in the YAML (or JSON) file at ``path``; ConfigError naming the file otherwise."""
    import yaml

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the config file ({error})") from None
    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise ConfigError(f"{path}: YAML syntax error{where}: {problem}") from None
    if config is None:
        raise ConfigError(f"{path}: the config file is empty; expected a mapping of keys such as 'seed: 0'")
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level, found a {type(config).__name__}")
    return config


def _key_path(parts):
    return ".".join(str(p) for p in parts) or "(top level)"


def non_finite_numbers(value, path=()):
    """Key paths (tuples) of every NaN or infinite number in a nested config value."""
    if isinstance(value, float) and not math.isfinite(value):
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in non_finite_numbers(item, (*path, key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in non_finite_numbers(item, (*path, i))]
    return []


def describe(error):
    """One line for a jsonschema ValidationError: the key path, then what is wrong."""
    where = list(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        expected = f"; expected one of {', '.join(allowed)}" if allowed else ""
        return f"{_key_path([*where, unknown[0]])}: unknown key{expected}"
    if error.validator == "propertyNames":
        return f"{_key_path(where)}: {error.message}"
    return f"{_key_path(where)}: {error.instance!r} is not allowed: {error.message}"


def check(config, schema_path):
    """Raise ConfigError (one line) unless ``config`` satisfies the schema at ``schema_path``.

    Run before Snakemake's ``validate`` (which then only fills in the defaults).
    """
    import jsonschema
    import yaml

    bad = non_finite_numbers(config)
    if bad:
        raise ConfigError(f"config: {_key_path(bad[0])}: NaN and infinite numbers are not allowed")
    schema = yaml.safe_load(Path(schema_path).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(config))
    if error is not None:
        raise ConfigError(f"config: {describe(error)}")


def _stop_on_config_error(function):
    """In the Snakefile: print a ConfigError as one line and stop Snakemake (no traceback)."""
    import functools
    import sys

    @functools.wraps(function)
    def checked(*args):
        try:
            return function(*args)
        except ConfigError as error:
            print(f"nnrec: {error}", file=sys.stderr)
            raise SystemExit(1) from None

    return checked


def check_names(key, names, known):
    """Raise ConfigError (one line naming config ``key``) unless every one of ``names`` is in
    ``known``; "all" stands for all of them. Returns the names, "all" spelled out."""
    known = list(known)
    if names == "all":
        return known
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ConfigError(f"config: {key}: {', '.join(map(str, unknown))} not known; expected names among "
                          f"{', '.join(map(str, known)) or '(none)'}")
    return list(names)


check_workflow_names = _stop_on_config_error(check_names)


@_stop_on_config_error
def check_workflow_config_file(path):
    """Before the Snakefile's ``configfile:``: a syntax error or empty file there is named.

    Snakemake's own message for these names no file. Files given with ``--configfile`` are read
    by Snakemake before the Snakefile runs, so their syntax errors keep Snakemake's wording.
    """
    if Path(path).is_file():
        read_config_file(path)


check_workflow_config = _stop_on_config_error(check)


# what a profile under workflow/profiles/ writes where the user must fill in a value: <ACCOUNT>
PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*>")


def _raw(value):
    """The value a profile or the command line gave a resource (Snakemake keeps it in ``raw``)."""
    raw = getattr(value, "raw", value)
    return raw if isinstance(raw, str) else ""


def check_resource_placeholders(default_resources, overwrite_resources):
    """Raise ConfigError (one line) if a resource still holds a profile's ``<PLACEHOLDER>``.

    default_resources: {resource: value} (a profile's ``default-resources``);
    overwrite_resources: {rule: {resource: value}} (``set-resources``). Values are plain or
    Snakemake ``Resource`` objects. Left in place, ``<ACCOUNT>`` would reach ``sbatch -A`` only
    once the first job is submitted, and a dry run would pass.
    """
    found = {}  # placeholder -> [(section, rule or None, resource)], in order of appearance
    settings = [("default-resources", None, default_resources or {})]
    settings += [("set-resources", rule, res) for rule, res in (overwrite_resources or {}).items()]
    for section, rule, resources in settings:
        for name, value in resources.items():
            for placeholder in PLACEHOLDER.findall(_raw(value)):
                found.setdefault(placeholder, []).append((section, rule, name))
    if found:
        raise ConfigError("profile: placeholders not filled in: "
                          + ", ".join(f"{p} ({_where(places)})" for p, places in found.items())
                          + "; replace each with your cluster's value, as the profile's first lines say")


def _where(places):
    section, rule, name = places[0]
    if rule is None:
        return f"{section} {name}"
    more = len({r for _, r, _ in places}) - 1
    return f"{section} {name} of {rule}" + (f" and {more} more rules" if more else "")


@_stop_on_config_error
def check_workflow_resources(resource_settings):
    """In the Snakefile: stop, naming it, when a profile placeholder such as <ACCOUNT> is left.

    ``resource_settings`` is Snakemake's ``workflow.resource_settings``.
    """
    check_resource_placeholders(resource_settings.default_resources, resource_settings.overwrite_resources)
