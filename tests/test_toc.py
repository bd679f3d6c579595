"""The one walk of _toc.yml (actbook/course/toc.py) finds every document in order."""
from actbook.course import toc


def test_walk_finds_nested_files_in_order():
    t = {"root": "intro", "parts": [{"caption": "A", "chapters": [
        {"file": "chapters/01_a", "sections": [{"file": "chapters/01_b.ipynb"}]},
        {"file": "notation.md"}]}, {"chapters": [{"file": "solutions/01_a"}]}]}
    assert toc.toc_files(toc=t) == ["intro", "chapters/01_a", "chapters/01_b", "notation",
                                    "solutions/01_a"]


def test_the_book_toc_lists_every_chapter_once():
    files = toc.toc_files()
    assert len(files) == len(set(files))
    chapters = [f for f in files if f.startswith("chapters/")]
    assert len(chapters) >= 10 and chapters == sorted(chapters)
    assert files[0] == toc.load()["root"]
