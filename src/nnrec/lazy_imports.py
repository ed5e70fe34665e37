"""Start-up work that reading a page never uses but its libraries do anyway: modules put off
until used, and docstrings left as they are.

``nnrec ocr`` starts in about half a second on a 2-core machine, most of it imports, and some
of that is spent on work nothing of reading ever uses. Modules:

- scipy's array-API layer (every ``scipy.ndimage`` import loads it) copies numpy's namespace,
  which imports each of numpy's lazily loaded submodules: numpy.f2py and numpy.testing above
  all (some 70 ms together);
- ``skimage.measure.approximate_polygon`` (the corners of a sheet with something joined to
  it) lives in a module that imports scipy.signal, and with it scipy.stats and scipy.optimize,
  for a function it does not call (some 0.5 s on such a photograph).

:func:`defer` registers each as a lazy module (the Python documentation's
``importlib.util.LazyLoader`` recipe): ``from numpy import testing`` (and numpy's own lookup of
``numpy.testing``) binds a stand-in, and the module is loaded in full the first time one of its
attributes is read, or by a plain ``import numpy.testing``, so code that does use it works as before.

And docstrings: scipy's array-API decorator parses the docstring of each function it marks and
writes it back with a support table appended (some 85 ms as scipy.ndimage and scipy.special
load), text nobody reads while a page is read. :func:`skip_array_api_notes` leaves them as they are.
"""

import importlib
import importlib.util
import sys

UNUSED_BY_READING = ("numpy.f2py", "numpy.testing", "numpy.polynomial", "numpy.ctypeslib",
                     "numpy.rec", "numpy.char", "scipy.signal", "scipy.stats", "scipy.optimize")


def defer(names=UNUSED_BY_READING):
    """Make each of the submodules ``names`` (dotted, e.g. "numpy.f2py") load on first use.

    Their packages are imported now. A module already loaded, or not installed, is left as it
    is. Call it before the modules that would import them, from the main thread, once at
    start-up: Python 3.11's lazy modules are not safe to load from two threads at once.
    """
    for name in names:
        parent, _, child = name.rpartition(".")
        package = importlib.import_module(parent)
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        spec.loader = importlib.util.LazyLoader(spec.loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        # numpy and scipy load submodules in their package's __getattr__ and read them back off
        # the package: it must hold the stand-in, or that lookup would load it again
        setattr(package, child, module)


def loaded(name):
    """True when the module ``name`` has been imported and run, not just put off by :func:`defer`."""
    module = sys.modules.get(name)
    # its type, not an attribute: reading any attribute of a stand-in (even __spec__) loads it, so
    # the stand-in's class, private to importlib.util since Python 3.5, is the only tell
    return module is not None and not issubclass(type(module), importlib.util._LazyModule)


class _DocAsIs(dict):
    """Stands in for numpydoc's FunctionDoc in scipy's ``xp_capabilities`` decorator: a note
    appended to its "Notes" is dropped, and it prints as an empty signature line followed by the
    function's docstring unchanged, which the decorator writes back."""

    def __init__(self, function):
        super().__init__(Notes=[])
        self.text = function.__doc__ or ""

    def __str__(self):
        return "\n" + self.text


def _probe():
    """Probe."""


def skip_array_api_notes():
    """Make scipy's ``xp_capabilities`` decorator leave docstrings as they are; True if it does.

    Call it after :func:`defer` and before scipy.ndimage is imported. The decorator still records
    each function's array-API support (what scipy's own tests read); only the note it would
    append to the docstring is skipped. Tried first on a function of ours: should scipy's
    decorator use its docstring parser in any other way, the parser is put back and False
    returned, so a scipy release that changes it costs start-up time, never a failed import.
    """
    try:
        from scipy._lib import _array_api
    except ImportError:
        return False
    parser = getattr(_array_api, "FunctionDoc", None)
    if parser is None or not hasattr(_array_api, "xp_capabilities"):
        return False
    _array_api.FunctionDoc = _DocAsIs
    try:
        _array_api.xp_capabilities(capabilities_table={})(_probe)
        works = _probe.__doc__ == "Probe."
    except Exception:  # any way the decorator fails with the stand-in means "not usable"
        works = False
    if not works:
        _array_api.FunctionDoc = parser
    return works
