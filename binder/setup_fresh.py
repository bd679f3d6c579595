"""Set up a Python that has the book's repository but not its environment (Google Colab, say).

The first code cell of every notebook runs this after cloning the repository, when
``import actbook`` fails. It installs, with the ranges of ``binder/requirements.txt``, only the
packages whose modules are missing (Colab has numpy, scipy, matplotlib ... but not myst-nb), so
that nothing already there is upgraded or downgraded under a running kernel, and prints what
it did. It never touches an environment where everything imports.
"""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

# the module each requirement provides, where the names differ
MODULES = {"scikit-learn": "sklearn", "pyyaml": "yaml", "myst-nb": "myst_nb"}


def missing_requirements(path):
    missing = []
    for line in Path(path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        name = re.match(r"[A-Za-z0-9_.\-]+", line).group(0).lower()
        module = MODULES.get(name, name.replace("-", "_"))
        if importlib.util.find_spec(module) is None:
            missing.append(line)
    return missing


def main():
    requirements = Path(__file__).with_name("requirements.txt")
    missing = missing_requirements(requirements)
    if not missing:
        print("setup: every package the notebooks need is already installed")
        return 0
    print("setup: installing", ", ".join(missing), flush=True)
    return subprocess.call([sys.executable, "-m", "pip", "install", "-q", *missing])


if __name__ == "__main__":
    sys.exit(main())
