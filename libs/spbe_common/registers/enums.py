from enum import StrEnum


class RegisterKind(StrEnum):
    APPLICATIONS = "applications"
    ASSETS = "assets"
