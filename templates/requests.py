import gzip
import re
import urllib.parse

import pandas as pd


def _open(path):
    opener = gzip.open if path.endswith(".gz") else open
    return opener(path, "rt", encoding="utf-8", errors="replace")


def read_ncsa(path, vhost=False):
    """Read a common or combined log (optionally with the virtual host first)."""
    quoted = r'"((?:[^"\\]|\\.)*)"'
    line = re.compile(
        (r"(?P<host>\S+) " if vhost else "")
        + r"(?P<ip>\S+) \S+ (?P<user>\S+) \[(?P<time>[^\]]+)\] "
        + quoted.replace("(", "(?P<request>", 1)
        + r" (?P<status>\d{3}) (?P<bytes>\d+|-)"
        + r"(?: " + quoted.replace("(", "(?P<referer>", 1)
        + r" " + quoted.replace("(", "(?P<user_agent>", 1) + r")?"
    )
    with _open(path) as f:
        df = pd.DataFrame(m.groupdict() for m in map(line.match, f) if m)
    unescape = lambda s: s.str.replace(r'\\(["\\])', r"\1", regex=True)
    request = unescape(df.pop("request")).str.extract(
        r"^(?P<method>[A-Z_-]+) +(?P<uri>.*?)(?: +(?P<protocol>HTTP/\S+))?$")
    df = df.join(request)
    df["uri_stem"] = df.uri.str.split("?").str[0]
    df["time"] = pd.to_datetime(df.time, format="%d/%b/%Y:%H:%M:%S %z", utc=True)
    df["bytes"] = pd.to_numeric(df.bytes.replace("-", "0"))
    for col in ("referer", "user_agent"):
        if col in df:
            df[col] = unescape(df[col].fillna("-")).replace("-", "")
    df["user"] = df.user.replace("-", "")
    return df


CLOUDFRONT_NAMES = {
    "c-ip": "ip", "cs-method": "method", "cs-uri-stem": "uri_stem", "sc-status": "status",
    "cs(Referer)": "referer", "cs(User-Agent)": "user_agent", "x-host-header": "host",
    "x-edge-location": "edge_location", "x-edge-result-type": "edge_result_type",
    "cs-protocol": "scheme", "ssl-protocol": "tls_version", "cs-protocol-version": "protocol",
    "sc-content-type": "content_type", "sc-bytes": "bytes", "time-taken": "time_taken",
    "time-to-first-byte": "time_to_first_byte", "cs-uri-query": "query",
}


def read_cloudfront(path):
    """Read an AWS CloudFront standard log by its #Fields: header."""
    fields, rows = None, []
    with _open(path) as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line.startswith("#Fields:"):
                fields = line.split()[1:]
            elif line and not line.startswith("#") and fields:
                rows.append(line.split("\t"))
    df = pd.DataFrame(rows, columns=fields).rename(columns=CLOUDFRONT_NAMES)
    df["time"] = pd.to_datetime(df.pop("date") + " " + df["time"], utc=True)
    for col in ("uri_stem", "referer", "user_agent"):
        if col in df:
            df[col] = df[col].map(urllib.parse.unquote).replace("-", "")
    for col in ("bytes", "time_taken", "time_to_first_byte"):
        if col in df:
            df[col] = pd.to_numeric(df[col], errors="coerce")
    return df


def read_log(path, log_format):
    if log_format == "cloudfront":
        return read_cloudfront(path)
    return read_ncsa(path, vhost=log_format.startswith("vhost_"))
