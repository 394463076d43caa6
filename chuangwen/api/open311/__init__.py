"""Open311 GeoReport v2 under /open311/v2/: the city's problem categories as services, and
service requests that enter the rectification loop through `problems.services.problem_report`.
See docs/open311.md."""
