"""HTML to PDF with WeasyPrint, in a worker process. Runs with no app and no database: it gets
finished HTML and a path to write. Whatever the HTML says, it can fetch only the report's own
assets (a CSS file); `file://`, `http(s)://`, `data:` and everything else are refused."""
import os
import signal
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent.parent / "static" / "report"
ASSET_SCHEME = "report-asset:"


def _fetcher_class():
    from weasyprint import URLFetcher
    from weasyprint.urls import URLFetcherResponse

    class ReportFetcher(URLFetcher):
        """Serves `report-asset:<name>` from static/report/ and refuses any other URL."""

        def fetch(self, url, headers=None):
            if url.startswith(ASSET_SCHEME):
                name = url[len(ASSET_SCHEME):]
                path = (ASSETS / name).resolve()
                if path.parent == ASSETS.resolve() and path.is_file():
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _content_type(path)})
            raise ValueError(f"reports fetch nothing but their own assets: refused {url[:80]}")

    return ReportFetcher


def _content_type(path):
    return {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(path.suffix, "application/octet-stream")


def render_pdf(html, fetcher=None):
    """The PDF of `html` as bytes: tagged (PDF/UA-1), fonts embedded."""
    from weasyprint import HTML

    fetcher = fetcher or _fetcher_class()()
    return HTML(string=html, base_url=ASSET_SCHEME, url_fetcher=fetcher).write_pdf(pdf_variant="pdf/ua-1")


# A report in miniature: the stylesheet, running heads, a plan's box, regular and bold text in the
# scripts the reports print (Latin with diacritics, Greek, Cyrillic), so each is loaded once.
WARM_UP_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Warm-up</title>
<link rel="stylesheet" href="report-asset:report.css"></head><body>
<section class="cover"><p class="eyebrow"><span class="running-title">Warm-up</span></p>
<h1 class="running-city">Łódź, Αθήνα, София</h1></section>
<h2>Plans</h2><article class="plan"><h3>Plan</h3><p class="text">Žnidaršič, Göteborg</p>
<dl><dt>Status</dt><dd>Agreed</dd></dl><div class="roots"><p><strong>Idea:</strong> <span class="muted">1st</span></p></div>
</article></body></html>"""


def warm_up():
    """Worker initializer: render `WARM_UP_HTML` and throw it away. A worker's first render otherwise
    pays for importing WeasyPrint, finding the fonts and parsing the stylesheet (measured: 4.1 s
    against 2.3 s warm for the 50-plan city report, before the lean layout). A warm-up that fails
    is only a slower first report: an initializer's exception would break the pool for every report."""
    try:
        render_pdf(WARM_UP_HTML)
    except Exception:  # noqa: BLE001  (the first real render meets and reports the same failure)
        pass


class RenderTimeout(Exception):
    pass


def _time_is_up(signum, frame):
    raise RenderTimeout("the report took too long to render")


def render_to_file(html, path, time_limit):
    """Worker entry point: render `html` to `path` (atomically), giving up after `time_limit` seconds."""
    signal.signal(signal.SIGALRM, _time_is_up)
    signal.alarm(int(time_limit))
    try:
        pdf = render_pdf(html)
    finally:
        signal.alarm(0)
    temporary = f"{path}.{os.getpid()}.part"
    with open(temporary, "wb") as file:
        file.write(pdf)
    os.replace(temporary, path)
    return len(pdf)
