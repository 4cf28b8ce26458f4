import functools
import gzip
import os
import re
import urllib.parse

import pandas as pd


def _open(path):
    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    opener = gzip.open if gz else open
    return opener(path, "rt", encoding="utf-8", errors="replace", newline="")


def _split_uri(df):
    parts = df.uri.fillna("").str.split("?", n=1)
    df["uri_stem"] = parts.str[0]
    df["query"] = parts.str[1].fillna("")
    return df


def read_ncsa(path, vhost=False):
    """Read a common or combined log (optionally with the virtual host first).
    Fields after the user agent (request times, Traefik's router) are ignored."""
    quoted = r'"((?:[^"\\]|\\.)*)"'
    line = re.compile(
        (r"(?P<host>\S+) " if vhost else "")
        + r"(?P<ip>\S+) \S+ (?P<user>\S+) \[(?P<time>[^\]]+)\] "
        + quoted.replace("(", "(?P<request>", 1)
        + r" (?P<status>\d{3}) (?P<bytes>\d+|-)"
        + r"(?: " + quoted.replace("(", "(?P<referer>", 1)
        + r" (?:" + quoted.replace("(", "(?P<user_agent>", 1) + r'|"(?P<open_agent>.*))' + r")?"
    )
    with _open(path) as f:
        df = pd.DataFrame([m.groupdict() for m in map(line.match, f) if m],
                          columns=["host", "ip", "user", "time", "request", "status", "bytes", "referer", "user_agent", "open_agent"])
    if not vhost:
        df = df.drop(columns="host")
    # An agent without its closing quote is kept to the end of the line, as logbook does.
    df["user_agent"] = df.user_agent.fillna(df.pop("open_agent").str.rstrip("\r\n"))
    unescape = lambda s: s.str.replace(r'\\(["\\])', r"\1", regex=True)
    request = unescape(df.pop("request")).str.extract(
        r"^(?P<method>[A-Za-z_-]+) +(?P<uri>.*?)(?: +(?P<protocol>HTTP/\S+))?$")
    df = _split_uri(df.join(request))
    df["time"] = pd.to_datetime(df.time, format="%d/%b/%Y:%H:%M:%S %z", utc=True)
    df["bytes"] = pd.to_numeric(df.bytes.replace("-", "0"))
    for col in ("referer", "user_agent"):
        df[col] = unescape(df[col].fillna("-")).replace("-", "")
    df["user"] = df.user.replace("-", "")
    return df


# CloudFront's and W3C's field names (lower-cased), as the cells below name the columns.
FIELD_NAMES = {
    "c-ip": "ip", "cs-method": "method", "cs-uri-stem": "uri_stem", "sc-status": "status",
    "cs(referer)": "referer", "cs(user-agent)": "user_agent", "x-host-header": "host", "cs-host": "host",
    "cs(host)": "host", "x-edge-location": "x_edge_location", "x-edge-result-type": "x_edge_result_type",
    "cs-protocol": "cs_protocol", "ssl-protocol": "ssl_protocol", "cs-protocol-version": "cs_protocol_version",
    "cs-version": "protocol", "sc-content-type": "content_type", "sc-bytes": "bytes", "time-taken": "time_taken",
    "timetakenms": "time_taken", "time-to-first-byte": "time_to_first_byte", "cs-uri-query": "query",
    "cs-username": "user", "date-local": "date", "time-local": "time",
}
W3C_FIELD = re.compile(r'"(?:[^"]|"")*"|\S+')


def read_fields(path, log_format):
    """Read a CloudFront standard log or a W3C extended (IIS) log by its #Fields: header."""
    fields, rows = None, []
    with _open(path) as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line.startswith("#Fields:"):
                fields = [FIELD_NAMES.get(name.lower(), name.lower()) for name in line.split()[1:]]
            elif line and not line.startswith("#") and fields:
                if log_format == "cloudfront":
                    values = line.split("\t")
                else:
                    values = [v[1:-1] if v.startswith('"') else v for v in W3C_FIELD.findall(line)]
                if len(values) == len(fields):
                    rows.append(values)
    df = pd.DataFrame(rows, columns=fields)
    df = df.loc[:, ~df.columns.duplicated()].replace("-", "")
    df["time"] = pd.to_datetime(df.pop("date") + " " + df["time"].str[:8], utc=True)
    for col in ("uri_stem", "referer", "user_agent"):
        if col in df:
            if log_format == "cloudfront":
                df[col] = df[col].map(urllib.parse.unquote)
            elif col != "uri_stem":
                df[col] = df[col].str.replace("+", " ", regex=False)
    for col in ("query", "referer", "user_agent"):
        if col not in df:
            df[col] = ""
    for col in ("bytes", "time_taken", "time_to_first_byte"):
        if col in df:
            df[col] = pd.to_numeric(df[col], errors="coerce")
    if log_format == "w3c" and "time_taken" in df:
        df["time_taken"] = df.time_taken / 1000  # milliseconds in IIS logs
    df["bytes"] = df.bytes.fillna(0) if "bytes" in df else 0
    return df


NCSA_FORMATS = {"common", "combined", "timed_combined", "combined_usec", "traefik"}


def read_log(path, log_format):
    """The requests of one log as a DataFrame, or None for a format this cell cannot read."""
    if log_format in ("cloudfront", "w3c"):
        return read_fields(path, log_format)
    vhost = log_format.startswith("vhost_")
    if log_format.removeprefix("vhost_") in NCSA_FORMATS:
        return read_ncsa(path, vhost=vhost)
    return None


def read_sources(sources):
    frames = []
    for path, log_format in sources:
        path = os.path.normpath(os.path.join(NOTEBOOK_DIR, os.path.expanduser(path)))
        df = read_log(path, log_format)
        if df is None:
            print(f"Not read: {path} ({log_format}): this cell reads only combined, common, CloudFront "
                  "and W3C logs; its requests are left out, so the numbers below differ from logbook's.")
            continue
        frames.append(df.assign(source=path))
    if not frames:
        raise ValueError("none of the sources in SOURCES could be read by this cell")
    print(f"{sum(len(df) for df in frames):,} requests from {len(frames)} of {len(sources)} sources")
    return pd.concat(frames, ignore_index=True)


# Helpers the cells below use. They follow logbook's rules where those are
# short (probe paths, resource kinds, referring hosts, crawler names by
# agent token); browser and OS families are rougher than logbook's parser.

CRAWLER_KINDS = {"ai": "AI crawler", "feed": "feed reader"}


def crawler_of(agent):
    low = agent.lower()
    for token, name, kind in CRAWLERS:
        if token in low:
            return name, kind
    return None, None


BROWSERS = [("edg/", "Edge"), ("opr/", "Opera"), ("firefox/", "Firefox"), ("chrome/", "Chrome"),
            ("crios/", "Chrome"), ("safari/", "Safari"), ("msie ", "Internet Explorer"), ("trident/", "Internet Explorer")]


def browser_family(agent):
    low = agent.lower()
    for token, name in BROWSERS:
        if token in low:
            return name
    return "Other"


OSES = [("windows", "Windows"), ("android", "Android"), ("iphone", "iOS"), ("ipad", "iOS"),
        ("mac os x", "macOS"), ("cros", "Chrome OS"), ("linux", "Linux")]


def os_family(agent):
    low = agent.lower()
    for token, name in OSES:
        if token in low:
            return name
    return "Other"


def _probe_match(low, pattern):
    if pattern.startswith("*"):
        return low.endswith(pattern[1:])
    if not pattern.startswith(("/", "^/")):
        return pattern in low
    root = pattern.startswith("^")
    text = pattern.lstrip("^")
    free = text.endswith("/") or re.search(r"\.[a-z0-9]+$", text) is not None
    for i in [0] if root else [m.start() for m in re.finditer("/", low)]:
        if low.startswith(text, i):
            end = i + len(text)
            if free or end == len(low) or low[end] in "/.?;":
                return True
    return False


@functools.lru_cache(maxsize=None)
def probe_family(stem):
    low = stem.lower()
    for family, patterns in PROBE_FAMILIES:
        if any(_probe_match(low, p) for p in patterns):
            return family
    return None


def status_summary(statuses):
    return ", ".join(f"{k} x{v}" for k, v in statuses.value_counts().sort_index().items())


EXT_KINDS = {**{e: "page" for e in ".html .htm .xhtml .php .asp .aspx .jsp .cgi .pl .shtml .cfm".split()},
             **{e: "static asset" for e in (".css .js .mjs .map .png .jpg .jpeg .gif .svg .ico .webp .avif .bmp .tif .tiff "
                                             ".woff .woff2 .ttf .eot .otf .mp4 .webm .ogg .mp3 .wav .m4a .mov .flv .swf .webmanifest").split()},
             **{e: "document or download" for e in (".pdf .zip .gz .tgz .bz2 .xz .7z .rar .tar .iso .dmg .exe .msi .deb .rpm .apk .jar "
                                                     ".doc .docx .xls .xlsx .ppt .pptx .odt .csv .epub").split()}}


def resource_kind(stem):
    if not stem:
        return "other"
    base = stem.rsplit("/", 1)[-1]
    if stem.endswith("/") or "." not in base:
        return "page"
    return EXT_KINDS.get(base[base.rindex("."):].lower(), "other")


def referer_host(referer):
    if not referer:
        return "(direct)"
    host = urllib.parse.urlsplit(referer).hostname
    return host.rstrip(".") if host else "(other)"


def login_path(stem):
    return re.search(r"login|signin|sign-in|logon|wp-login\.php|xmlrpc\.php", stem.lower()) is not None


is_login_path = login_path


# logbook's probe families and patterns (analysis/security.go): "/seg" a path
# segment anywhere, "^/seg" only at the start, "*.ext" a suffix, else a substring.
PROBE_FAMILIES = [
    ("WordPress", ["/wp-login.php", "/wp-admin", "/xmlrpc.php", "/wp-content/plugins", "/wp-includes", "/wp-config", "/wlwmanifest.xml"]),
    ("environment and config files", ["/.env", "/config.php", "/config.json", "/config.yml", "/.aws/", "/.ds_store", "/web.config", "/.htaccess",
                                      "/.htpasswd", "/settings.php", "/.npmrc", "/.dockercfg", "/docker-compose.yml", "/.ssh/", "/id_rsa"]),
    ("version control", ["/.git/", "/.git", "/.svn/", "/.hg/", "/.bzr/"]),
    ("phpMyAdmin and database panels", ["/phpmyadmin", "/pma/", "/myadmin", "/mysqladmin", "/adminer", "/dbadmin"]),
    ("PHPUnit remote code execution", ["/vendor/phpunit", "/phpunit/", "eval-stdin.php"]),
    ("CGI", ["^/cgi-bin/"]),
    ("Spring Boot actuator", ["/actuator"]),
    ("server status pages", ["^/server-status", "^/server-info", "^/status.php", "/phpinfo.php", "^/info.php"]),
    ("path traversal", ["../", "..%2f", "%2e%2e", "..\\", "/etc/passwd", "/proc/self/", "/win.ini", "/boot.ini"]),
    ("web shells", ["/shell.php", "/cmd.php", "/c99.php", "/r57.php", "/wso.php", "/alfa.php", "/webshell", "/up.php", "/uploader.php"]),
    ("backups and dumps", ["*.sql", "*.sql.gz", "*.bak", "*.swp", "^/backup", "^/dump", "^/db.zip", "^/site.zip", "^/www.zip", "^/backup.tar.gz"]),
    ("admin and login panels", ["^/administrator/", "^/admin.php", "/login.action", "^/manager/html", "^/owa/", "^/remote/login", "^/boaform/",
                                "^/hnap1", "^/solr/admin", "/+cscoe+/"]),
]

# Crawlers by a word in the agent (a rough stand-in for logbook's list of
# named crawlers): kind "AI crawler" for the AI vendors' bots, "feed reader"
# for agents that say how many subscribers they fetch for.
AI_CRAWLERS = re.compile(r"gptbot|chatgpt-user|oai-searchbot|claudebot|claude-user|claude-searchbot|claude-web|anthropic-ai|"
                         r"perplexitybot|perplexity-user|google-extended|applebot-extended|ccbot|bytespider|meta-externalagent|"
                         r"amazonbot|cohere-ai|diffbot|youbot|mistralai-user", re.I)
BOTS = re.compile(r"bot\b|bot/|crawl|spider|slurp|curl/|wget/|python-|go-http-client|java/|libwww|httpclient|okhttp|"
                  r"scrapy|headless|feed|monitor|check|preview|facebookexternalhit|archiver", re.I)
CRAWLER_NAME = re.compile(r"([A-Za-z][\w.-]*(?:bot|crawler|spider|fetcher|feed|reader|slurp)[\w.-]*)", re.I)
SUBSCRIBERS = re.compile(r"(\d+) (?:subscribers|readers)", re.I)
