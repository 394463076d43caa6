"""The coordinate maths, without a database: published reference points, round trips, the
no-offset rule outside China, distances and the search box."""

import math
import random

import pytest

from chuangwen.places import geo

# Published reference pairs for the GCJ-02 forward transform (WGS-84 -> GCJ-02), (lng, lat);
# the same three points appear in the test suites of the common open-source implementations.
REFERENCE = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
]
TIANANMEN_WGS84 = (116.391226, 39.907333)


def _destination(point, bearing_deg: float, metres: float) -> geo.Point:
    """The point `metres` from `point` along the great circle leaving at `bearing_deg`."""
    lng, lat = map(math.radians, point)
    d, theta = metres / geo.EARTH_RADIUS_M, math.radians(bearing_deg)
    lat2 = math.asin(math.sin(lat) * math.cos(d) + math.cos(lat) * math.sin(d) * math.cos(theta))
    y = math.sin(theta) * math.sin(d) * math.cos(lat)
    lng2 = lng + math.atan2(y, math.cos(d) - math.sin(lat) * math.sin(lat2))
    return math.degrees(lng2), math.degrees(lat2)


def _grid(n=400, seed=7):
    rng = random.Random(seed)
    return [(rng.uniform(73.5, 135.0), rng.uniform(18.0, 53.5)) for _ in range(n)]


@pytest.mark.parametrize("wgs, gcj", REFERENCE)
def test_wgs84_to_gcj02_matches_the_published_reference_points(wgs, gcj):
    lng, lat = geo.wgs84_to_gcj02(*wgs)
    assert lng == pytest.approx(gcj[0], abs=1e-9) and lat == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize("wgs, gcj", REFERENCE)
def test_gcj02_to_wgs84_recovers_the_reference_points_to_a_millionth_of_a_degree(wgs, gcj):
    lng, lat = geo.gcj02_to_wgs84(*gcj)
    assert abs(lng - wgs[0]) < 1e-6 and abs(lat - wgs[1]) < 1e-6


def test_the_offset_at_tiananmen_is_hundreds_of_metres_to_the_north_east():
    gcj = geo.wgs84_to_gcj02(*TIANANMEN_WGS84)
    assert 300 < geo.haversine_m(TIANANMEN_WGS84, gcj) < 800
    assert gcj[0] > TIANANMEN_WGS84[0] and gcj[1] > TIANANMEN_WGS84[1]


def test_gcj02_round_trips_everywhere_in_china():
    worst = 0.0
    for point in _grid():
        back = geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(*point))
        worst = max(worst, abs(back[0] - point[0]), abs(back[1] - point[1]))
    assert worst < 1e-6


def test_bd09_round_trips_through_gcj02_and_sits_a_few_hundred_metres_further():
    for point in _grid(200, seed=11):
        gcj = geo.wgs84_to_gcj02(*point)
        bd = geo.gcj02_to_bd09(*gcj)
        back = geo.bd09_to_gcj02(*bd)
        assert abs(back[0] - gcj[0]) < 1e-6 and abs(back[1] - gcj[1]) < 1e-6
        assert 500 < geo.haversine_m(gcj, bd) < 1300
        assert geo.haversine_m(geo.to_wgs84(*geo.from_wgs84(*point, geo.BD09), geo.BD09), point) < 0.1


def test_the_closed_form_bd09_inverse_is_within_half_a_metre_of_the_exact_one():
    for point in _grid(200, seed=13):
        bd = geo.gcj02_to_bd09(*point)
        assert geo.haversine_m(geo._bd09_to_gcj02_approx(*bd), geo.bd09_to_gcj02(*bd)) < 0.5


# London, New York, Tokyo (east of the rectangle), Sydney.
@pytest.mark.parametrize("point", [(-0.1276, 51.5072), (-74.006, 40.7128), (139.6917, 35.6895),
                                   (151.2093, -33.8688)])
def test_outside_china_there_is_no_offset(point):
    assert not geo.in_china(*point)
    assert geo.wgs84_to_gcj02(*point) == point
    assert geo.gcj02_to_wgs84(*point) == point
    assert geo.to_wgs84(*point, geo.GCJ02) == point


def test_wgs84_is_stored_as_entered_and_an_unknown_datum_is_an_error():
    assert geo.to_wgs84("112.9", "28.2", geo.WGS84) == (112.9, 28.2)
    with pytest.raises(ValueError):
        geo.to_wgs84(112.9, 28.2, "cgcs2000")
    with pytest.raises(ValueError):
        geo.from_wgs84(112.9, 28.2, "mercator")


def test_haversine_measures_a_degree_of_latitude_and_is_symmetric():
    assert geo.haversine_m((112.9, 28.2), (112.9, 28.2)) == 0
    assert geo.haversine_m((0, 0), (0, 1)) == pytest.approx(111195, abs=1)
    assert geo.haversine_m((0, 0), (1, 0)) == pytest.approx(111195, abs=1)
    # Along a parallel a degree of longitude shrinks with cos(latitude).
    assert geo.haversine_m((112, 60), (113, 60)) == pytest.approx(111195 * 0.5, rel=1e-3)
    a, b = (112.94, 28.23), (113.55, 28.15)
    assert geo.haversine_m(a, b) == geo.haversine_m(b, a)
    assert geo.haversine_m((0, 0), (180, 0)) == pytest.approx(math.pi * geo.EARTH_RADIUS_M)


@pytest.mark.parametrize("centre", [(112.9, 28.2), (87.6, 43.8), (126.6, 45.8), (109.5, 18.2)])
@pytest.mark.parametrize("metres", [1, 50, 500, 20000])
def test_the_bounding_box_holds_the_whole_circle_and_little_more(centre, metres):
    min_lng, min_lat, max_lng, max_lat = geo.bounding_box(*centre, metres)
    for bearing in range(0, 360, 5):
        lng, lat = _destination(centre, bearing, metres)
        assert geo.haversine_m(centre, (lng, lat)) == pytest.approx(metres, rel=1e-6)
        # (1e-12 degrees: the float rounding of the destination formula; the selector widens the
        # box to whole 1e-7 degrees anyway.)
        eps = 1e-12
        assert min_lng - eps <= lng <= max_lng + eps and min_lat - eps <= lat <= max_lat + eps, bearing
    for bearing in (0, 90, 180, 270):
        lng, lat = _destination(centre, bearing, metres * 1.01)
        assert not (min_lng <= lng <= max_lng and min_lat <= lat <= max_lat), bearing


def test_the_bounding_box_spans_all_longitudes_near_a_pole_or_the_date_line():
    min_lng, _, max_lng, max_lat = geo.bounding_box(0, 89.9999, 50_000)
    assert (min_lng, max_lng, max_lat) == (-180.0, 180.0, 90.0)
    assert geo.bounding_box(179.9999, 10, 1000)[::2] == (-180.0, 180.0)
    with pytest.raises(ValueError):
        geo.bounding_box(112.9, 28.2, -1)
