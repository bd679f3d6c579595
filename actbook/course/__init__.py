"""Course tooling: exercises from solutions, student checks, bundles, editions, the guide.

Run ``python -m actbook.course --help``.  Commands:

exercises        generate ``exercises/NN_slug.ipynb`` from ``solutions/NN_slug.ipynb``
check            execute a student's exercise notebook and report each exercise
bundle           package chosen chapters' exercise notebooks for students
nbgrader-source  put chapters' solutions, with nbgrader's cell metadata, into a course folder
wrong-answers    try every exercise's check on its stored right and wrong answers
launch-cells     write the setup cell (fetches the book on Colab) into the notebooks
student-edition  build the book without its Solutions part
print            build a single-page HTML of the book and print it to PDF

The student-facing half, :func:`actbook.checks.check`, is introduced in chapter 1.
"""

from .notebooks import (  # noqa: F401
    REPO,
    Exercise,
    chapter_info,
    exercise_notebooks,
    parse_exercises,
    solution_notebooks,
)
