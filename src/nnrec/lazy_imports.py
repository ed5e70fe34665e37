"""Modules that reading a page never uses but its libraries import anyway, put off until used.

``nnrec ocr`` starts in about half a second on a 2-core machine, most of it imports, and some
of that is spent on modules nothing of reading ever calls:

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
