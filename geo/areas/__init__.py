"""The gazetteer's defined areas, built by rule from the districts and construction lines.

The plans define areas by rule (中关村科学城北区 = "海淀区百望山以北"; 南部地区 = the rest;
三城一区 = its four members; the 北清路 band lies between two roads …). `data/boundaries/areas.toml`
states each rule with its numbers and sources; this package builds the geometries from it and
from the extracts and hand-placed lines in `data/boundaries/`, so that moving a line or correcting
a figure is one command (`planmap data derive`) and the result is reproducible byte for byte.

    spec     the definition file: loaded and checked, one dataclass per entry
    inputs   the extracts, construction geometry, township seats and gazetteer files it reads
    shapes   the geometric operations (cells, cut, band, clip) and the written form
    derive   one function per kind of area, run in dependency order
    files    the gazetteer files and derived.geojson as text; check and atomic write
"""

from geo.areas.files import AREAS_FILE, derive_files, out_of_date, write_files

__all__ = ["AREAS_FILE", "derive_files", "out_of_date", "write_files"]
