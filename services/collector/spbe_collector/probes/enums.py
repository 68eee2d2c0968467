from enum import StrEnum


class ProbeError(StrEnum):
    TIMEOUT = "timeout"
    TLS = "tls"
    CONNECT = "connect"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    PROTOCOL = "protocol"
