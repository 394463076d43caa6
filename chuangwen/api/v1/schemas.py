from datetime import date

from ninja import Schema


class Unit(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    parent_code: str | None
    full_name: str
    depth: int
    is_active: bool


class Person(Schema):
    username: str
    full_name: str
    roles: list[str]


class Post(Schema):
    id: int
    person: str
    person_name: str
    unit_code: str
    unit_name: str
    title: str
    is_head: bool
    is_liaison: bool
    valid_from: date
    valid_to: date | None


class Linkage(Schema):
    id: int
    level: int
    level_label: str
    person: str | None
    person_name: str | None
    from_unit_code: str | None
    unit_code: str
    valid_from: date
    valid_to: date | None


class GroupMember(Schema):
    unit_code: str
    unit_name: str
    is_lead_unit: bool
    duties: str


class Group(Schema):
    code: str
    name: str
    lead: str
    lead_name: str
    duties: str
    members: list[GroupMember]


class UnitPage(Schema):
    items: list[Unit]
    next: str | None


class PersonPage(Schema):
    items: list[Person]
    next: str | None


class PostPage(Schema):
    items: list[Post]
    next: str | None


class LinkagePage(Schema):
    items: list[Linkage]
    next: str | None


class GroupPage(Schema):
    items: list[Group]
    next: str | None


class ErrorBody(Schema):
    code: str
    message: str
    details: list[dict] | None = None


class Error(Schema):
    """The one error shape: {"error": {"code": ..., "message": 中文, "details": [...]}}."""

    error: ErrorBody
