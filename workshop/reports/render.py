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
