"""A Sphinx extension used only by ``python -m actbook.course print``.

Sphinx looks up the visitors of custom nodes under the builder's name and falls back on
its format (``html``) only when no visitor at all is registered under that name.  Some
extensions register ``singlehtml`` visitors, so the ``html`` visitors of the others
(sphinx-proof's theorems, sphinx-exercise ...) are then missing from the single-page build.
This copies every ``html`` visitor that has no ``singlehtml`` counterpart.
"""


def _merge(app):
    handlers = app.registry.translation_handlers
    if "singlehtml" in handlers:
        for node, visitors in handlers.get("html", {}).items():
            handlers["singlehtml"].setdefault(node, visitors)


def setup(app):
    app.connect("builder-inited", _merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
