"""Read an HTML form the way a browser would submit it untouched, so a test can post a page back
exactly as it was shown ("saving as shown changes nothing")."""
from html.parser import HTMLParser


class _Forms(HTMLParser):
    """Collects every <form>: its action and the (name, value) pairs a browser would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action"), "fields": []}
            self.forms.append(self._form)
        elif self._form is None or "disabled" in attrs:
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            name = attrs.get("name")
            if not name or kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._form["fields"].append((name, attrs.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], ""]
        elif tag == "select" and attrs.get("name"):
            self._select = {"name": attrs["name"], "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["chosen"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # The HTML parser of a browser drops one newline right after <textarea>.
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self._form["fields"].append((name, text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"] if self._select["chosen"] is not None else self._select["first"]
            if chosen is not None:
                self._form["fields"].append((self._select["name"], chosen))
            self._select = None


def forms_of(html):
    """Every form of the page, in order: [{"action": ..., "fields": [(name, value), ...]}]."""
    parser = _Forms()
    parser.feed(html)
    parser.close()
    return parser.forms


def form_with(html, field_name, action=None):
    """The form of the page that has a field named `field_name` (and posts to `action`, when given),
    as its address and the data a test client posts: (action, {name: value or [values]})."""
    for form in forms_of(html):
        names = [name for name, _ in form["fields"]]
        if field_name in names and (action is None or form["action"] == action):
            data = {}
            for name, value in form["fields"]:
                data.setdefault(name, []).append(value)
            return form["action"], {name: values[0] if len(values) == 1 else values for name, values in data.items()}
    raise AssertionError(f"no form on the page has a field named {field_name!r}")
