from enum import StrEnum


class ProbeError(StrEnum):
    TIMEOUT = "timeout"
    TLS = "tls"
    CONNECT = "connect"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    PROTOCOL = "protocol"


class ProbeOutcome(StrEnum):
    """How a probe ended, as the metrics count it (a closed set: the label's values)."""

    OK = "ok"  # answered with a status below 400
    HTTP_ERROR = "http_error"  # answered with a 4xx or 5xx status
    TLS_ERROR = "tls_error"
    TIMEOUT = "timeout"
    REFUSED = "refused"  # no connection: refused, unreachable or an unknown name
    TOO_MANY_REDIRECTS = "too_many_redirects"
    PROTOCOL_ERROR = "protocol_error"
