"""Importers that turn floor plans held elsewhere into SafeMall layouts.

* :mod:`sim.io.importers.dxf`: AutoCAD DXF drawings, with a TOML layer map.
* :mod:`sim.io.importers.imdf`: Apple / OGC Indoor Mapping Data Format archives.
* :mod:`sim.io.importers.report`: the report of what an importer did not understand.

Both return an :class:`ImportResult`: the layout mapping, the validated
:class:`~sim.model.layout.Layout` (or the one-line reason it does not validate) and the report.
"""

from sim.io.importers._draft import ImportResult
from sim.io.importers.report import Finding, ImportReport, report_path_for

__all__ = ["Finding", "ImportReport", "ImportResult", "report_path_for"]
