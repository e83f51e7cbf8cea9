"""Township cells: a unit known by several points gets every place it is known to hold.

No open boundary of Haidian's 街道/乡镇 exists, so a unit is drawn as the part of the district
nearer to one of its points than to any other unit's. These tests pin that rule on made-up
points and on the real file: each point lies in its own unit's cell, and the cells tile the
district.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from shapely.geometry import Point, box

from geo.areas.inputs import read_seats
from geo.areas.shapes import voronoi_cells
from geo.crs import area_km2
from geo.errors import DataError
from geo.gazetteer import default_gazetteer

SEATS = Path(__file__).parent.parent / "data" / "boundaries" / "haidian-township-points.tsv"


def test_a_unit_with_two_points_gets_both_cells() -> None:
    district = box(116.0, 40.0, 116.3, 40.1)
    seats = [("A", Point(116.05, 40.05)), ("B", Point(116.15, 40.05)),
             ("A", Point(116.25, 40.05))]
    cells = voronoi_cells(seats, district)
    assert set(cells) == {"A", "B"}
    # B is squeezed between A's two points; A holds both ends
    assert cells["A"].covers(Point(116.29, 40.05)) and cells["A"].covers(Point(116.01, 40.05))
    assert cells["B"].covers(Point(116.15, 40.05)) and not cells["B"].covers(Point(116.25, 40.05))
    assert area_km2(cells["A"]) + area_km2(cells["B"]) == pytest.approx(area_km2(district),
                                                                       rel=1e-6)


def test_one_name_one_code(tmp_path: Path) -> None:
    path = tmp_path / "seats.tsv"
    path.write_text("code\tname\tlat\tlon\tsource\n"
                    "110108026\t温泉地区\t40.04\t116.19\tseat\n"
                    "110108027\t温泉地区\t40.05\t116.18\tother code\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 3: 温泉地区 has two codes"):
        read_seats(path)


def test_every_point_of_the_file_is_in_its_own_units_cell() -> None:
    seats = read_seats(SEATS)
    gazetteer = default_gazetteer()
    haidian = gazetteer.get("haidianqu").geometry
    assert haidian is not None
    cells = voronoi_cells([(s.name, s.point) for s in seats], haidian)
    assert len(cells) == 29
    for s in seats:
        assert cells[s.name].covers(s.point), f"{s.name}: {s.point} is not in its own cell"
    union = shapely.union_all(list(cells.values()))
    assert area_km2(union) == pytest.approx(area_km2(haidian), rel=1e-3)
    # the admin entries are those cells (planmap data derive keeps them so)
    for pid, name in [("shangdi", "上地街道"), ("wanliudiqu", "万柳地区"),
                      ("dongshengzhen", "东升地区"), ("wenquanzhen", "温泉地区"),
                      ("xibeiwangzhen", "西北旺地区")]:
        drawn = gazetteer.get(pid).geometry
        assert drawn is not None
        assert drawn.symmetric_difference(cells[name]).area < 1e-6 * cells[name].area + 1e-9
