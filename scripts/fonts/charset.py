"""Prints the characters the vendored fonts keep: GB 2312 (all 6763 hanzi,
its symbols, full-width forms, kana, Greek, Cyrillic and box drawing),
printable ASCII, Latin-1 and the punctuation and marks the documents use."""

import sys

chars = set()
# GB 2312 rows 0xA1-0xA9 are symbols, 0xB0-0xF7 are the hanzi (levels 1 and 2).
for hi in list(range(0xA1, 0xAA)) + list(range(0xB0, 0xF8)):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass  # holes in the code table
chars.update(chr(c) for c in range(0x20, 0x7F))  # ASCII
chars.update(chr(c) for c in range(0xA0, 0x100))  # Latin-1 (°, ×, ·, …)
# Punctuation and marks the templates and the renderer use.
chars.update("〔〕（）【】《》〈〉「」『』“”‘’、。，；：？！…—～·＿□■☑✓√○●◎★☆①②③④⑤⑥⑦⑧⑨⑩—–‐")
chars.update(chr(c) for c in range(0x3000, 0x3040))  # CJK symbols and punctuation
chars.update(chr(c) for c in range(0xFF01, 0xFF5F))  # full-width forms
chars.update(chr(c) for c in range(0x2460, 0x2474))  # circled numbers
sys.stdout.write("".join(sorted(chars)))
