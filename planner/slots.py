"""A week's strength sessions as templates of slots (RULES.md S2, S4): the movement patterns
each session trains, in order, one ladder a slot, and how many weeks each pattern's ladder runs
behind the blocks (S5's stagger).
"""

from __future__ import annotations

MAX_EXERCISES = 5  # RULES.md S2: 4-5 exercises a session
MAX_HEAVY_LOWER_A_WEEK = 8  # RULES.md S4

# RULES.md S2: one pattern per slot (a slot names the patterns of the one ladder that fills
# it); A is squat- or lunge-led, B hinge-led. A single session carries the leads of both, and
# since S1 allows it only 1-2 stability exercises (core and one more), its last slot is the
# foot-and-ankle ladder, whose exercises train both areas (the calves too, for deload weeks
# without power). A third session repeats A's lead with the stability work B lacks.
Slot = tuple[str, ...]
KNEE: Slot = ("squat", "lunge")
FOOT_AND_ANKLE: Slot = ("ankle_mobility", "foot")
SESSION_A: tuple[Slot, ...] = (("power",), KNEE, ("calf",), ("core",), ("ankle_mobility",))
SESSION_B: tuple[Slot, ...] = (("hinge",), ("hamstring_curl",), ("hip_stability",), ("foot",))
SESSION_C: tuple[Slot, ...] = (KNEE, ("calf",), ("hip_stability",), ("core",))
SINGLE: tuple[Slot, ...] = (("power",), KNEE, ("hinge",), ("core",), FOOT_AND_ANKLE)
TEMPLATES = {1: (SINGLE,), 2: (SESSION_A, SESSION_B), 3: (SESSION_A, SESSION_B, SESSION_C)}
# Weeks each pattern's ladder runs behind the blocks (RULES.md S5 staggering): in every
# template at most half of a session's slots share a lag, so at most half change at once.
LAG = {"power": 0, "squat": 1, "lunge": 1, "calf": 0, "core": 1, "ankle_mobility": 2,
       "hinge": 0, "hamstring_curl": 1, "hip_stability": 0, "foot": 2}
