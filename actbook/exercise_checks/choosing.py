"""Reference checks of chapter 11 (choosing an activation).

11.1 and 11.2 compare with the registry's properties, 11.2 also with the activations' own
values on a fine float64 grid (an independent verdict: where the function decreases, not what
its derivative says); 11.3 runs the student's timing function on a stand-in clock, so that the
check does not depend on this machine's speed or load; 11.4 builds each network with the engine.
"""

from __future__ import annotations

import numpy as np

from ..activations import get, names
from . import reference
from ._tools import assert_close, fail, fmt_num

# ---------------------------------------------------------------------------------------------
# 11.1: smooth, monotone, cannot die
# ---------------------------------------------------------------------------------------------
_CONDITIONS = (("smooth", True, "not smooth"), ("monotone", True, "not monotone"),
               ("can_die", False, "can die"))


def _selected(**conditions) -> list[str]:
    return [n for n in names()
            if all(getattr(get(n).properties, k) == v for k, v in conditions.items())]


def _why_not(name: str) -> str:
    props = get(name).properties
    return ", ".join(text for key, want, text in _CONDITIONS if getattr(props, key) != want)


@reference("11.1")
def _(ans):
    got = ans["smooth_monotone_alive"]
    if isinstance(got, str) or not isinstance(got, (list, tuple, set, frozenset)):
        fail(f"`smooth_monotone_alive` should be a list of registry names; it is "
             f"{type(got).__name__} ({got!r:.60})")
    if not all(isinstance(n, str) for n in got):
        fail("`smooth_monotone_alive` should hold names (strings) such as 'tanh'; it holds "
             f"{sorted({type(n).__name__ for n in got})}")
    want = set(_selected(smooth=True, monotone=True, can_die=False))
    got_set = set(got)
    if got_set == want:
        if len(got_set) != len(list(got)):
            fail("`smooth_monotone_alive` names some activations twice")
        return f"the {len(want)} activations that are smooth, monotone and cannot die"
    registered = set(names())
    if got_set - registered and {get(n).name for n in got_set if _known(n)} == want:
        fail("these are labels or other spellings; give the registry names (as names() lists "
             f"them): {sorted(want)}")
    slips = {
        "the condition monotone=True is missing: swish, mish and GELU are smooth and cannot "
        "die, but they dip below zero before rising":
            set(_selected(smooth=True, can_die=False)),
        "the condition smooth=True is missing: leaky ReLU, PReLU, SELU and maxout are monotone "
        "and cannot die, but they have a kink at 0":
            set(_selected(monotone=True, can_die=False)),
        "that selects the activations that *can* die (can_die=True); the task asks for those "
        "that cannot": set(_selected(smooth=True, monotone=True, can_die=True)),
    }
    for message, names_of_slip in slips.items():
        if got_set == names_of_slip:
            fail(f"`smooth_monotone_alive`: {message}")
    unknown = sorted(n for n in got_set if n not in registered)
    if unknown:
        fail(f"{unknown} are not registry names; names() lists them")
    missing = sorted(want - got_set)
    extra = sorted(got_set - want)
    parts = []
    if missing:
        parts.append("missing: " + ", ".join(missing) + " (each is smooth, monotone and cannot "
                     "die)")
    if extra:
        parts.append("should not be there: " + "; ".join(f"{n} ({_why_not(n)})" for n in extra))
    fail("`smooth_monotone_alive` differs from the registry's properties: " + "; ".join(parts))


def _known(name: str) -> bool:
    try:
        get(name)
    except Exception:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# 11.2: the monotone column, numerically
# ---------------------------------------------------------------------------------------------
def _decrease(act, z):
    """The largest fall of ``act`` between neighbouring grid points: (fall, z_left, z_right)."""
    f = act.forward(z)
    step = np.diff(f)
    i = int(np.argmin(step))
    return float(-step[i]), float(z[i]), float(z[i + 1])


@reference("11.2")
def _(ans):
    verdicts = ans["numerically_monotone"]
    if not isinstance(verdicts, dict):
        fail(f"`numerically_monotone` should be a dict from name to True/False; it is "
             f"{type(verdicts).__name__}")
    elementwise = [n for n in names() if get(n).elementwise]
    missing = [n for n in elementwise if n not in verdicts]
    if missing:
        fail(f"no verdict for {missing}: give one for every elementwise activation")
    extra = sorted(n for n in verdicts if n not in elementwise)
    if extra:
        fail(f"{extra} should not be there: only the elementwise activations "
             "(get(name).elementwise) are asked for")
    bad_type = [n for n in elementwise if not isinstance(verdicts[n], (bool, np.bool_))]
    if bad_type:
        n = bad_type[0]
        fail(f"the verdict for {n} should be True or False; it is {verdicts[n]!r:.40}")
    # independent verdict: does the function itself ever fall on a fine float64 grid?
    z = np.linspace(-10.0, 10.0, 200_001)
    reference_verdict, falls = {}, {}
    for n in elementwise:
        fall, z0, z1 = _decrease(get(n), z)
        falls[n] = (fall, z0, z1)
        reference_verdict[n] = fall <= 1e-12
        if reference_verdict[n] != get(n).properties.monotone:  # the book's own consistency
            fail(f"the book is inconsistent: {n}'s values on a fine grid and the registry's "
                 "monotone column disagree; please report it")
    got = {n: bool(verdicts[n]) for n in elementwise}
    if got == reference_verdict:
        return (f"{len(elementwise)} verdicts agree with the registry and with where each "
                "function falls on a fine grid")
    if all(got[n] != reference_verdict[n] for n in elementwise):
        fail("every verdict is the opposite of the right one: True should mean monotone "
             "(non-decreasing)")
    flat = [n for n in elementwise
            if reference_verdict[n] and np.any(get(n).derivative(z) == 0)]
    strict = {n: reference_verdict[n] and n not in flat for n in elementwise}
    if got == strict:
        fail(f"{', '.join(flat)} are marked not monotone because their derivative is 0 on part "
             "of the line; a derivative of 0 is allowed (monotone means non-decreasing): test "
             ">= 0, not > 0")
    wrong_true = [n for n in elementwise if got[n] and not reference_verdict[n]]
    wrong_false = [n for n in elementwise if not got[n] and reference_verdict[n]]
    parts = []
    for n in wrong_true:
        fall, z0, z1 = falls[n]
        act = get(n)
        parts.append(f"{n} is not monotone: phi({fmt_num(z0, 5)}) = {fmt_num(float(act.forward(z0)), 6)} "
                     f"but phi({fmt_num(z1, 5)}) = {fmt_num(float(act.forward(z1)), 6)}; its derivative "
                     f"is negative there ({fmt_num(float(act.derivative(z0)), 4)})")
    for n in wrong_false:
        smallest = float(get(n).derivative(z).min())
        parts.append(f"{n} is monotone: its derivative is never negative on [-10, 10] "
                     f"(smallest {fmt_num(smallest, 4)})")
    fail("; ".join(parts))


# ---------------------------------------------------------------------------------------------
# 11.3: nanoseconds per element, on a stand-in clock
# ---------------------------------------------------------------------------------------------
class _StandInClock:
    """A clock that moves only when the timed function runs: each call of :meth:`work`
    advances it by the next of ``durations`` (seconds). Starts at 1000 s, as a real
    performance counter starts at some large value."""

    def __init__(self, durations):
        self.durations = list(durations)
        self.now = 1000.0
        self.reads = 0
        self.calls = 0

    def __call__(self):
        self.reads += 1
        return self.now

    def work(self, z):
        if self.calls < len(self.durations):
            self.now += self.durations[self.calls]
        else:
            self.now += max(self.durations)
        self.calls += 1
        return z


# (shape of z, durations of successive calls in seconds, repeats)
_CASES_11_3 = (((50, 20), (3e-3, 5e-3, 2e-3, 4e-3, 6e-3), 4),
               ((25, 20), (1.0e-3, 0.8e-3, 1.2e-3, 0.9e-3), 3))


@reference("11.3")
def _(ans):
    f = ans.function("ns_per_element")
    for shape, durations, repeats in _CASES_11_3:
        clock = _StandInClock(durations)
        z = np.zeros(shape, dtype=np.float32)
        got = f(clock.work, z, repeats=repeats, clock=clock)
        call = f"ns_per_element(f, z, repeats={repeats}) on z of shape {shape}"
        if clock.reads == 0:
            fail(f"{call}: your function never read the clock it is given; time each call with "
                 "`clock()` (the argument), not with time.perf_counter directly")
        if clock.calls not in (repeats, repeats + 1):
            fail(f"{call} called f {clock.calls} times; call it `repeats` times (one more, "
                 "untimed, to warm up is fine)")
        timed = np.array(durations[clock.calls - repeats:clock.calls])  # a warm-up call first
        n, best = z.size, float(timed.min())
        want = best / n * 1e9
        slips = {
            "that is the time of one whole call; divide by the number of elements, z.size":
                best * 1e9,
            f"len(z) counts only the {shape[0]} rows of a 2-D array; the number of elements is "
            "z.size": best / shape[0] * 1e9,
            "that is the mean of the runs; keep the fastest run (the minimum), which is the "
            "least disturbed by other programs": timed.mean() / n * 1e9,
            "that is the slowest run; keep the fastest (the minimum)": timed.max() / n * 1e9,
            "that is the last run; keep the fastest (the minimum)": timed[-1] / n * 1e9,
            "that adds up the runs; keep the fastest one": timed.sum() / n * 1e9,
            "that is in seconds; multiply by 1e9 for nanoseconds": best / n,
            "that is in microseconds; multiply by 1e9, not 1e6, for nanoseconds": best / n * 1e6,
        }
        # the reference is exact up to the rounding of a difference of two clock readings
        # near clock.now (float64): a few of its units relative to the fastest run
        ref_error = 4 * np.finfo(np.float64).eps * clock.now / best * want
        assert_close(got, want, f"{call}", scale=want, ref_error=ref_error, slips=slips,
                     reference="the fastest run per element")
    return "ns_per_element keeps the fastest of the timed calls, per element, in nanoseconds"


# ---------------------------------------------------------------------------------------------
# 11.4: output layer and loss for the task
# ---------------------------------------------------------------------------------------------
_WIDTHS = {"digit": 10, "tags": 5, "price": 1}
_RIGHT = {"digit": ("softmax", "cross_entropy"), "tags": ("sigmoid", "binary_cross_entropy"),
          "price": ("identity", "mse")}
_SLIPS_11_4 = {
    ("tags", "softmax"): "a softmax makes the five tag probabilities compete (they sum to 1, "
                         "so a photo with two tags cannot get both near 1); each tag needs its "
                         "own sigmoid",
    ("tags", "sigmoid", "mse"): "sigmoid outputs with squared error learn slowly when a tag is "
                                "confidently wrong (the sigmoid's slope multiplies the "
                                "gradient); the loss that goes with sigmoid outputs is "
                                "binary_cross_entropy",
    ("digit", "sigmoid"): "ten independent sigmoids do not say that exactly one digit is shown "
                          "(their probabilities need not sum to 1); use a softmax",
    ("digit", "softmax", "mse"): "softmax with squared error adds the softmax's Jacobian to "
                                 "the gradient, which vanishes when the network is confidently "
                                 "wrong; the loss that goes with a softmax is cross_entropy",
    ("price", "softmax"): "a softmax over one output is always exactly 1, whatever the house",
    ("price", "sigmoid"): "a sigmoid output lies between 0 and 1, and a price does not",
    ("price", "relu"): "a ReLU output passes no gradient while its pre-activation is negative, "
                       "so a price predicted below 0 at the start never recovers; a real "
                       "number needs the identity output",
    ("price", "tanh"): "a tanh output lies between -1 and 1, and a price does not",
}


@reference("11.4")
def _(ans):
    from ..network import Network

    choices = ans["choices"]
    if not isinstance(choices, dict):
        fail(f"`choices` should be a dict from task to (output, loss); it is "
             f"{type(choices).__name__}")
    if set(choices) != set(_WIDTHS):
        fail(f"give one choice for each of {sorted(_WIDTHS)}; `choices` has {sorted(choices)}")
    for task in _WIDTHS:
        pair = choices[task]
        if isinstance(pair, str) or not hasattr(pair, "__len__") or len(pair) != 2:
            fail(f"{task}: give a pair (output, loss); got {pair!r:.60}")
        output, loss = pair
        try:  # the engine must accept it
            Network([64, 16, _WIDTHS[task]], output=output, loss=loss)
        except Exception as exc:
            fail(f"{task}: the engine does not accept output={output!r}, loss={loss!r}: {exc}")
        output = get(output).name  # aliases ("linear", "logistic") are fine
        if (output, loss) == _RIGHT[task]:
            continue
        message = _SLIPS_11_4.get((task, output, loss)) or _SLIPS_11_4.get((task, output))
        if message:
            fail(f"{task}: {message}")
        what = {"digit": "one class out of ten", "tags": "five independent yes/no labels",
                "price": "one unbounded real number"}[task]
        fail(f"{task}: ({output!r}, {loss!r}) does not fit {what}; see the output-layer table "
             "of the chapter")
    return "each task has the output and loss that give the 'prediction minus target' gradient"
