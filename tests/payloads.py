"""A corpus of hostile text: each entry must render as literal, inert text."""

PAYLOADS = [
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>',
    "[a markdown link](javascript:alert(1))",
    "![a markdown image](http://example.invalid/x.png)",
    "<div style=\"background:url('http://example.invalid/track.png')\">styled</div>",
    "</style><style>body{display:none}</style>",
    '<iframe src="http://example.invalid/"></iframe>',
    '<object data="http://example.invalid/x.swf"></object>',
    "<link rel=stylesheet href=http://example.invalid/x.css>",
    '"><b onmouseover=alert(1)>quote breakout</b>',
    "' onfocus='alert(1)' autofocus='",
    "<!-- an HTML comment --> and <![CDATA[ cdata ]]>",
    "&lt;already escaped&gt; &amp; &#x3C;script&#x3E;",
    "$\\frac{1}{0}$ and \\begin{document}\\input{/etc/passwd}",
    "# A markdown heading\n\n| a | table |",
    "{{ jinja }} {% raw %} ${template}",
    "A" * 400,
    "right-to-left \u202eevil.exe\u202c override",
    '=HYPERLINK("http://example.invalid","click")',
    "김정은 위원장 — 조선민주주의인민공화국",
    "Песков: «Это не так» — Україна",
    "figures \u061c−3000 to +5000\u200f with an Arabic letter mark and a zero-width\u200b space",
    "Lloyd Austin\u00a0with a no-break space",
]

#: Text the one text policy refuses in every field (path:line:column, exit 2), by category:
#: control characters (Cc), line and paragraph separators (Zl, Zp), noncharacters.
REFUSED_EVERYWHERE = [
    "bell\x07 and escape\x1b[31m colour",
    "a NUL\x00 byte",
    "a C1 control\x85 (next line)",
    "two\u2028lines",
    "two\u2029paragraphs",
    "a noncharacter \ufffe here",
    "another \uffff here",
    "and \ufdd0 one more",
]
#: Refused in one-line fields (names, ids, titles, the marking) but shown in prose: format
#: characters (Cf), line breaks and tabs, and words mixing Latin, Greek and Cyrillic.
REFUSED_ON_ONE_LINE = [
    "Lloyd Austin\u200b",  # a trailing zero-width space
    "\u202eevil.exe",  # right-to-left override
    "Sabrina\u061cSingh",  # Arabic letter mark
    "Lloyd \u0410ustin",  # a Cyrillic A
    "Dmitry\tPeskov",
    "tag\U000e0041 character",
]
#: Cells a spreadsheet would run as formulas (OWASP's CSV injection starts), each valid in a
#: claims table; the PDF's attached claims.csv must hold them inert (a leading apostrophe).
FORMULAS = [
    '=HYPERLINK("http://example.invalid","x")',
    "+1+1",
    "-1+1",
    "@SUM(1)",
]
