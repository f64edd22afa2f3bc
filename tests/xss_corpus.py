"""Text a hostile participant or facilitator could type, to prove that every page shows it as text
and no page runs it. Each payload, if it ever ran, would set `window.__xss` (or open a dialog).

Every payload fits the shortest field it goes in (a display name: 80 characters) and has no
leading or trailing spaces, which forms trim."""

PAYLOADS = [
    # Script and markup
    "<script>window.__xss=1</script>",
    "<SCRIPT SRC=//127.0.0.1:9/x.js></SCRIPT>",
    "<scr<script>ipt>window.__xss=1</scr</script>ipt>",
    "</script><script>window.__xss=1</script>",
    "</textarea><script>window.__xss=1</script>",
    "</title><script>window.__xss=1</script>",
    "<!--<script>window.__xss=1</script>-->",
    # Event-handler attributes
    "<img src=x onerror=window.__xss=1>",
    '<img src="x" onerror="alert(1)">',
    "<svg onload=window.__xss=1>",
    "<svg><script>window.__xss=1</script></svg>",
    "<body onload=window.__xss=1>",
    "<details open ontoggle=window.__xss=1>",
    "<input autofocus onfocus=window.__xss=1>",
    "<video><source onerror=window.__xss=1>",
    "<math><mtext><img src=x onerror=window.__xss=1>",
    # Breaking out of attributes and strings
    '" onmouseover="window.__xss=1" x="',
    "' onfocus='window.__xss=1' autofocus '",
    "\";window.__xss=1;//",
    "';window.__xss=1;//",
    "`${window.__xss=1}`",
    # URLs
    "javascript:window.__xss=1",
    "<a href=javascript:window.__xss=1>click</a>",
    "<iframe src=javascript:window.__xss=1>",
    "<iframe srcdoc='<script>parent.__xss=1</script>'>",
    "<object data=javascript:window.__xss=1>",
    "<meta http-equiv=refresh content='0;url=javascript:window.__xss=1'>",
    # Broken and unclosed markup
    "<img src=x onerror=window.__xss=1",
    "<<script>window.__xss=1//<</script>",
    "<b>bold <i>unclosed",
    "&lt;script&gt;window.__xss=1&lt;/script&gt; &amp; &#60;",
    # Template injection
    "{{7*7}} {% raw %} ${7*7} #{7*7} <%= 7*7 %>",
    "{{constructor.constructor('window.__xss=1')()}}",
    # Unicode tricks
    "RTL \u202eexe.txt\u202c override",
    "zero\u200bwidth\u200cjoin\u200dhere\u2060",
    "Ljubljаna Glasgоw",  # Cyrillic а and о among Latin letters
    "NUL-ish \u2400 \ufffd \ufeffBOM",
    "Supercalifragilisticexpialidocious" + "X" * 46,  # one 80-character word
    "e\u0301\u0301\u0301 combining and emoji \U0001f600\U0001f1ea\U0001f1fa",
]

assert len(PAYLOADS) >= 30
assert all(len(payload) <= 80 and payload == payload.strip() for payload in PAYLOADS)
assert len({payload.casefold() for payload in PAYLOADS}) == len(PAYLOADS)  # city teams differ in any letter case
