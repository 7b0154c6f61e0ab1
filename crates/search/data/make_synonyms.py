#!/usr/bin/env python3
"""Generates synonyms.txt for hezuo-search's matching: one group of synonyms a line, words separated
by a space.

Source: `cnsyn/chinese_dictionary/sim_words.txt` of the PyPI package cnsyn 1.2.0 (Apache-2.0,
https://github.com/shangfr/Chinese-Synonyms; 45,860 groups). Kept: the groups of two to four words in
which every word is two or more Chinese characters (13,745 groups); the larger groups are categories
(角度 弧度 硬度 …) rather than synonyms, and one-character or Latin words match too much.

    pip download cnsyn==1.2.0 --no-deps -d /tmp/cnsyn && unzip -o /tmp/cnsyn/*.whl -d /tmp/cnsyn
    python3 crates/search/data/make_synonyms.py /tmp/cnsyn/cnsyn/chinese_dictionary/sim_words.txt
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HAN = re.compile(r"^[\u4e00-\u9fff]{2,}$")

HEADER = """\
# Synonym groups for matching, one a line. From cnsyn 1.2.0 (Apache License 2.0,
# https://github.com/shangfr/Chinese-Synonyms), filtered by make_synonyms.py.
"""


def main(src):
    groups = []
    with open(src, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if 2 <= len(words) <= 4 and all(HAN.match(w) for w in words):
                groups.append(" ".join(words))
    with open(os.path.join(HERE, "synonyms.txt"), "w", encoding="utf-8") as f:
        f.write(HEADER)
        f.write("\n".join(groups) + "\n")
    print(f"{len(groups)} groups")


if __name__ == "__main__":
    main(sys.argv[1])
