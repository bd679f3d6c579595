"""Shared code for the course book *Activation functions in feed-forward neural networks*.

Modules
-------
activations  the activation registry (chapters 1, 3-6, 11)
network      a small numpy multilayer network with hand-written backprop (chapter 2)
gradcheck    central finite differences (chapter 2)
diagnostics  gradient norms, dead and saturated units (chapters 4, 7-9)
gradient_flow  why gradients vanish and explode: the measurements of chapter 7
facts        statements about stored results, as code (chapters 7-9, 11)
results      reading, writing and summarising the sweeps' stored results (chapters 7-9)
sweeps       the sweeps whose stored results the book reads (chapters 7-9)
plotting     shared plot helpers
widgets      live widgets and their static twins for the HTML book (chapter 1)
checks       exercise checks students run (chapter 1)
course       course tooling: exercises from solutions, checking, bundling
"""

__version__ = "0.1.0"
