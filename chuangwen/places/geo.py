"""Coordinates in China, as plain Python (no Django, tested without a database).

Three datums meet in a campaign's data:

* WGS-84: GPS receivers, phones' raw location, 天地图.  What Chuangwen stores.
* GCJ-02 (国测局坐标): every map published in mainland China (高德, 腾讯, 微信 location sharing).
  WGS-84 plus a deliberate, position-dependent offset of a few hundred metres.
* BD-09: 百度地图, a further transform of GCJ-02.

The offset formulas are the public ones (Krasovsky 1940 ellipsoid parameters and the two
polynomial-plus-sine series), written out here from their published form.  GCJ-02 has no closed
inverse: it is inverted by fixed-point iteration, which converges because the offset changes
slowly (its derivative is far below 1).  Outside a rectangle around China maps carry no offset.

Points are (lng, lat) tuples in degrees, longitude first like GeoJSON and the map apps' URLs.
"""

import math

Point = tuple[float, float]

WGS84 = "wgs84"
GCJ02 = "gcj02"
BD09 = "bd09"
DATUMS = (WGS84, GCJ02, BD09)

# Mean Earth radius (IUGG), for great-circle distances.
EARTH_RADIUS_M = 6371008.8

# The ellipsoid the GCJ-02 formulas are defined on (Krasovsky 1940): semi-major axis and the
# first eccentricity squared.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_E2 = 0.00669342162296594323

# BD-09's rotation constant: pi * 3000 / 180.
_BD_K = math.pi * 3000.0 / 180.0

# The rectangle within which Chinese map services apply the offset (the usual published bounds;
# it takes in some neighbouring land, which is what the map apps do as well).
_CHINA_LNG = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)

# Iterative inverses stop when the forward image is this close to the target (degrees): about
# 1 cm, well inside the 7 decimal places stored.
INVERSE_TOLERANCE = 1e-8
_INVERSE_MAX_STEPS = 30


def in_china(lng: float, lat: float) -> bool:
    """True inside the rectangle where GCJ-02 differs from WGS-84."""
    return _CHINA_LNG[0] <= lng <= _CHINA_LNG[1] and _CHINA_LAT[0] <= lat <= _CHINA_LAT[1]


def _series_lat(x: float, y: float) -> float:
    """The latitude series of the GCJ-02 offset, in metres-like units on the ellipsoid; x, y are
    longitude and latitude relative to (105°E, 35°N)."""
    value = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    value += (20.0 * math.sin(6.0 * math.pi * x) + 20.0 * math.sin(2.0 * math.pi * x)) * 2.0 / 3.0
    value += (20.0 * math.sin(math.pi * y) + 40.0 * math.sin(math.pi * y / 3.0)) * 2.0 / 3.0
    value += (160.0 * math.sin(math.pi * y / 12.0) + 320.0 * math.sin(math.pi * y / 30.0)) * 2.0 / 3.0
    return value


def _series_lng(x: float, y: float) -> float:
    """The longitude series of the GCJ-02 offset (same conventions as `_series_lat`)."""
    value = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    value += (20.0 * math.sin(6.0 * math.pi * x) + 20.0 * math.sin(2.0 * math.pi * x)) * 2.0 / 3.0
    value += (20.0 * math.sin(math.pi * x) + 40.0 * math.sin(math.pi * x / 3.0)) * 2.0 / 3.0
    value += (150.0 * math.sin(math.pi * x / 12.0) + 300.0 * math.sin(math.pi * x / 30.0)) * 2.0 / 3.0
    return value


def gcj02_offset(lng: float, lat: float) -> Point:
    """(Δlng, Δlat) in degrees that GCJ-02 adds to a WGS-84 point; (0, 0) outside China."""
    if not in_china(lng, lat):
        return 0.0, 0.0
    x, y = lng - 105.0, lat - 35.0
    phi = math.radians(lat)
    w = 1.0 - _KRASOVSKY_E2 * math.sin(phi) ** 2
    # Radii of curvature: meridional M = a(1-e²)/w^1.5, prime vertical N = a/√w.  The series
    # are lengths; dividing by the radius (and cos φ along a parallel) turns them into angles.
    meridional = _KRASOVSKY_A * (1.0 - _KRASOVSKY_E2) / (w * math.sqrt(w))
    prime_vertical = _KRASOVSKY_A / math.sqrt(w)
    d_lat = math.degrees(_series_lat(x, y) / meridional)
    d_lng = math.degrees(_series_lng(x, y) / (prime_vertical * math.cos(phi)))
    return d_lng, d_lat


def wgs84_to_gcj02(lng: float, lat: float) -> Point:
    d_lng, d_lat = gcj02_offset(lng, lat)
    return lng + d_lng, lat + d_lat


def _invert(forward, lng: float, lat: float, start: Point | None = None) -> Point:
    """The point p with forward(p) = (lng, lat), by fixed-point iteration from `start` (default:
    the target itself)."""
    guess_lng, guess_lat = start or (lng, lat)
    for _ in range(_INVERSE_MAX_STEPS):
        image_lng, image_lat = forward(guess_lng, guess_lat)
        err_lng, err_lat = image_lng - lng, image_lat - lat
        if abs(err_lng) < INVERSE_TOLERANCE and abs(err_lat) < INVERSE_TOLERANCE:
            break
        guess_lng, guess_lat = guess_lng - err_lng, guess_lat - err_lat
    return guess_lng, guess_lat


def gcj02_to_wgs84(lng: float, lat: float) -> Point:
    """Exact to INVERSE_TOLERANCE (not the one-step approximation that is off by metres)."""
    return _invert(wgs84_to_gcj02, lng, lat)


def gcj02_to_bd09(lng: float, lat: float) -> Point:
    """BD-09 is defined by this transform of GCJ-02: a small polar distortion, then a shift."""
    radius = math.hypot(lng, lat) + 0.00002 * math.sin(lat * _BD_K)
    angle = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _BD_K)
    return radius * math.cos(angle) + 0.0065, radius * math.sin(angle) + 0.006


def _bd09_to_gcj02_approx(lng: float, lat: float) -> Point:
    """The published closed-form inverse: undo the shift, then the distortion with the signs
    flipped.  Off by up to ~0.2 m (about 2e-6 degrees)."""
    x, y = lng - 0.0065, lat - 0.006
    radius = math.hypot(x, y) - 0.00002 * math.sin(y * _BD_K)
    angle = math.atan2(y, x) - 0.000003 * math.cos(x * _BD_K)
    return radius * math.cos(angle), radius * math.sin(angle)


def bd09_to_gcj02(lng: float, lat: float) -> Point:
    """The closed-form inverse refined by iteration, so BD-09 -> GCJ-02 -> BD-09 round-trips."""
    return _invert(gcj02_to_bd09, lng, lat, start=_bd09_to_gcj02_approx(lng, lat))


def to_wgs84(lng: float, lat: float, datum: str) -> Point:
    """A point entered in `datum` (one of DATUMS) as WGS-84."""
    lng, lat = float(lng), float(lat)
    if datum == WGS84:
        return lng, lat
    if datum == GCJ02:
        return gcj02_to_wgs84(lng, lat)
    if datum == BD09:
        return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))
    raise ValueError(f"unknown datum {datum!r}")


def from_wgs84(lng: float, lat: float, datum: str) -> Point:
    """A stored WGS-84 point as `datum`, e.g. GCJ-02 for a link that opens 高德地图."""
    lng, lat = float(lng), float(lat)
    if datum == WGS84:
        return lng, lat
    if datum == GCJ02:
        return wgs84_to_gcj02(lng, lat)
    if datum == BD09:
        return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))
    raise ValueError(f"unknown datum {datum!r}")


def haversine_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres between two (lng, lat) points of the same datum."""
    lng1, lat1 = map(math.radians, map(float, a))
    lng2, lat2 = map(math.radians, map(float, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lng: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    """(min_lng, min_lat, max_lng, max_lat) of a box holding every point within `metres` of
    (lng, lat) by `haversine_m`: a cheap index range to narrow before the exact distance.

    The longitude half-width is the exact extent of a spherical cap, asin(sin d / cos φ), which
    is slightly wider than d / cos φ.  Near a pole, or across the ±180° meridian, the box spans
    all longitudes (never the case in China, but the function stays correct).
    """
    if metres < 0:
        raise ValueError("metres must not be negative")
    lng, lat = float(lng), float(lat)
    d = metres / EARTH_RADIUS_M
    d_lat = math.degrees(d)
    min_lat, max_lat = max(-90.0, lat - d_lat), min(90.0, lat + d_lat)
    cos_lat = math.cos(math.radians(lat))
    if min_lat <= -90.0 or max_lat >= 90.0 or math.sin(d) >= cos_lat:
        return -180.0, min_lat, 180.0, max_lat
    d_lng = math.degrees(math.asin(math.sin(d) / cos_lat))
    min_lng, max_lng = lng - d_lng, lng + d_lng
    if min_lng < -180.0 or max_lng > 180.0:
        return -180.0, min_lat, 180.0, max_lat
    return min_lng, min_lat, max_lng, max_lat
