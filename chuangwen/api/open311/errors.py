"""A refusal in GeoReport v2's terms: the HTTP status (which is also each error's code) and one
or more descriptions, Chinese first with the spec's words after."""


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str):
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = list(descriptions)

    @property
    def errors(self) -> list[tuple[int, str]]:
        return [(self.status, d) for d in self.descriptions]


def not_found(what: str) -> Open311Error:
    return Open311Error(404, what)
