"""S6 placement and the fallbacks (planner/schedule.py)."""

from __future__ import annotations

from datetime import timedelta

from domain.profile import Race
from planner.model import RunDay, Session
from planner.plan import extend
from planner.schedule import conflicts, place_week
from tests.planning import ARTICLE, MONDAY, context, plan, profile, template

D = [MONDAY + timedelta(days=i) for i in range(7)]


def test_the_articles_week_comes_out_monday_and_thursday() -> None:
    placement = place_week(MONDAY, template(ARTICLE), 2)
    assert [d.strftime("%a") for d in placement.strength] == ["Mon", "Thu"]
    assert placement.mobility == () and placement.reasons == ()


def test_each_s6_rule_names_its_reason() -> None:
    runs = template(ARTICLE)
    assert "no strength the day before" in conflicts(D[1], runs, [])[0]  # Tue before speed
    assert "no strength on the same day" in conflicts(D[2], runs, [])[0]  # Wed speed
    assert "no strength on the same day" in conflicts(D[5], runs, [])[0]  # Sat long
    assert "no strength the day after" in conflicts(D[6], runs, [])[0]  # Sun after long
    assert conflicts(D[4], runs, []) == []  # the eve of a long run is legal
    assert "at least one day apart" in conflicts(D[4], runs, [D[3]])[0]


def test_a_race_counts_as_both_long_and_speed() -> None:
    runs = {D[3]: RunDay(D[3], ("race",))}
    assert conflicts(D[2], runs, []) and conflicts(D[3], runs, []) and conflicts(D[4], runs, [])
    assert not conflicts(D[1], runs, []) and not conflicts(D[5], runs, [])


def test_easy_and_rest_days_are_preferred() -> None:
    runs = template({"mon": "threshold", "tue": "easy", "thu": "easy", "sat": "recovery"})
    days = place_week(MONDAY, runs, 2).strength
    assert all(runs.get(d) is None or runs[d].easy for d in days)


def test_no_legal_day_falls_back_to_mobility_and_says_why() -> None:
    hard = {"mon": "long", "tue": "speed", "wed": "threshold", "thu": "speed", "fri": "long",
            "sat": "speed", "sun": "long"}
    placement = place_week(MONDAY, template(hard), 2)
    assert placement.strength == ()
    assert len(placement.mobility) == 2
    assert placement.reasons[0].startswith("only 0 legal strength days this week")
    assert any("Mon: long run on Mon" in r for r in placement.reasons)


def test_fixed_sessions_of_neighbouring_weeks_keep_their_distance() -> None:
    sunday_before = MONDAY - timedelta(days=1)
    placement = place_week(MONDAY, {}, 2, fixed=(sunday_before,))
    assert MONDAY not in placement.strength


def test_past_days_are_not_offered() -> None:
    placement = place_week(MONDAY, template(ARTICLE), 2, allowed=D[2:])
    assert all(d >= D[2] for d in placement.strength + placement.mobility)


def test_days_a_race_keeps_free_of_strength_come_last() -> None:
    # A race's last days and post-race window take strength work for mobility (RULES.md
    # "Races"): a legal day outside them keeps the session strength work.
    runs = template(ARTICLE)
    assert place_week(MONDAY, runs, 1).strength == (D[0],)
    assert place_week(MONDAY, runs, 1, spared=D[:1]).strength == (D[3],)
    # Friday, the eve of the long run, before a Thursday that would be mobility work
    assert place_week(MONDAY, runs, 2, spared=D[3:4]).strength == (D[0], D[4])
    assert place_week(MONDAY, runs, 1, spared=D).strength == (D[0],)  # no better day


def test_a_second_session_keeps_out_of_a_stretch_that_holds_one_only() -> None:
    # An A race's 8-14 days hold one lower-volume session; a second there becomes mobility
    # work (RULES.md "Races"). Monday and Thursday both in it: Friday, legal and outside,
    # takes the second session; with no legal day outside, the week stays as S6 places it.
    runs = template(ARTICLE)  # legal: Mon, Thu, Fri
    window = frozenset(D[0] + timedelta(days=i) for i in range(-3, 4))  # Fri before to Thu
    assert place_week(MONDAY, runs, 2).strength == (D[0], D[3])
    assert place_week(MONDAY, runs, 2, once=[window]).strength == (D[0], D[4])
    assert place_week(MONDAY, runs, 2, once=[frozenset(D)]).strength == (D[0], D[3])
    # the first session there came the week before: one of the two is a second either way,
    # and the other keeps out of it
    before = (D[0] - timedelta(days=3),)
    assert place_week(MONDAY, runs, 2, before, once=[window]).strength == (D[0], D[4])
    # a session on a spared day is mobility work anyway, not the stretch's one session:
    # Thursday's is, and stays before Friday, the eve of the long run
    assert place_week(MONDAY, runs, 2, spared=D[:1], once=[window]).strength == (D[0], D[3])


def test_days_that_keep_a_session_strength_work_come_before_more_sessions() -> None:
    # Speed on Monday and Saturday leaves Tuesday to Thursday legal; a race keeps Tuesday and
    # Thursday free of strength work (its last days): two sessions there would both be
    # mobility work, one on Wednesday stays strength work, and the other becomes mobility.
    runs = template({"mon": "speed", "sat": "speed"})
    placement = place_week(MONDAY, runs, 2, spared={D[1], D[3]})
    assert placement.strength == (D[2],)
    assert len(placement.mobility) == 1 and placement.mobility[0] in (D[1], D[3])
    assert placement.reasons[0].startswith(
        "2 sessions on the legal days (Tue 04 Mar, Thu 06 Mar) would keep 0 as strength work,"
        " a race's rules turning the others into mobility work")
    assert "1 on Wed 05 Mar keep 1, 1 session becomes mobility/stability" in \
        placement.reasons[0]
    # where the sessions the legal days hold all stay strength work, nothing changes
    assert place_week(MONDAY, runs, 2).strength == (D[1], D[3])


def _days(sessions: list[Session], kind: str = "strength") -> list[str]:
    return [f"{s.day:%a %d}" for s in sorted(sessions, key=lambda s: s.day)
            if s.kind == kind and s.status != "skipped"]


def test_a_week_keeps_off_the_day_the_next_weeks_race_leaves_it() -> None:
    # A C 10 km on week 2's Thursday spares Tue-Wed (its last 2 days) and Fri-Sun (its
    # 3-day window): Monday is week 2's one day for strength work. Week 1's Sunday, furthest
    # from its Monday, would take it and leave week 2 mobility work only (RULES.md S3, Races)
    race = MONDAY + timedelta(days=10)
    ctx = context(profile({}, races=(Race(race, "10k", "C"),)))
    sessions = plan(ctx, {race: RunDay(race, ("race",), "race")}, weeks=2)
    assert _days(sessions) == ["Mon 03", "Sat 08", "Mon 10"]
    assert _days(sessions, "mobility") == ["Sat 15"]


def test_a_planned_next_week_stands_whatever_its_days() -> None:
    # Mon easy, Tue easy, Wed speed, three sessions: Mon, Thu and Sat, so that a Sunday does
    # not cost the next week its Monday. The next week planned already (its Monday session
    # skipped, Thu and Sat standing) loses nothing to a Sunday: the week is placed for
    # itself, its sessions furthest apart (3 days, not 2)
    runs_of = {"mon": "easy", "tue": "easy", "wed": "speed"}
    ctx = context(profile(runs_of, sessions=3))
    runs = template(runs_of, weeks=3)
    assert _days(plan(ctx, runs, weeks=2)) == [
        "Mon 03", "Thu 06", "Sat 08", "Mon 10", "Thu 13", "Sat 15"]
    second = [s.with_(status="skipped") if s.day == MONDAY + timedelta(days=7) else s
              for s in plan(ctx, runs, weeks=2) if s.day >= MONDAY + timedelta(days=7)]
    sessions, _ = extend(ctx, MONDAY, MONDAY - timedelta(days=1),
                         MONDAY + timedelta(days=13), runs, second)
    assert _days(sessions) == ["Mon 03", "Thu 06", "Sun 09", "Thu 13", "Sat 15"]


def test_a_next_week_due_to_be_planned_again_is_looked_ahead_at_as_it_will_be() -> None:
    # The same weeks, the next one planned ahead on another week of its block: stale, it is
    # planned again tonight, so it does not stand, and the look-ahead sees it placed anew.
    # This week keeps off Sunday, which would cost the next week its Monday
    runs_of = {"mon": "easy", "tue": "easy", "wed": "speed"}
    ctx = context(profile(runs_of, sessions=3))
    runs = template(runs_of, weeks=3)
    second = [s.with_(week_in_block=s.week_in_block + 1)
              for s in plan(ctx, runs, weeks=2) if s.day > MONDAY + timedelta(days=7)]
    sessions, _ = extend(ctx, MONDAY, MONDAY - timedelta(days=1),
                         MONDAY + timedelta(days=13), runs, second)
    assert _days(sessions) == ["Mon 03", "Thu 06", "Sat 08", "Mon 10", "Thu 13", "Sat 15"]


def test_the_next_weeks_session_comes_before_keeping_off_the_eve_of_a_long_run() -> None:
    # Speed on Tuesdays, long runs on Thursdays: Wednesday (the eve of the long run),
    # Saturday and Sunday are legal. An A half on week 3's Friday holds one session in its
    # 8-14 days (week 1's Friday to week 2's Thursday) and spares week 2's weekend: week 2's
    # one strength day is Wednesday, in those days. Week 1's weekend session there would
    # turn it into mobility work: week 1 takes its Wednesday, the eve of a long run, and
    # week 2 keeps its session, the race's lower-volume one (RULES.md S3, Races)
    runs_of = {"tue": "speed", "thu": "long", "sun": "recovery"}
    race = MONDAY + timedelta(days=18)
    ctx = context(profile(runs_of, sessions=1, races=(Race(race, "half"),)))
    runs = template(runs_of, weeks=4)
    runs[race] = RunDay(race, ("race",), "race")
    sessions = plan(ctx, runs, weeks=2)
    assert _days(sessions) == ["Wed 05", "Wed 12"]
    assert all(p.sets == 2 for p in sessions[1].exercises)


def test_a_session_the_races_make_mobility_work_leaves_the_next_monday_free() -> None:
    # An A race's 8-14 days hold this whole week (one strength session there) and its last
    # days spare the next week but its Monday. Long on Wednesday, threshold on Thursday,
    # last week's Sunday session: Tue (the eve of the long run), Fri, Sat and Sun are legal.
    # Sunday's session, the second in those days, is mobility work, which keeps no distance
    # from Monday's strength session: Friday and Sunday keep off the eve of the long run
    runs = {D[2]: RunDay(D[2], ("long",)), D[3]: RunDay(D[3], ("threshold",))}
    spared = {D[0] + timedelta(days=i) for i in range(8, 14)}
    placement = place_week(MONDAY, runs, 2, (MONDAY - timedelta(days=1),), spared=spared,
                           once=[frozenset(D)])
    assert placement.strength == (D[4], D[6])
    monday = MONDAY + timedelta(days=7)
    assert monday in place_week(monday, runs, 1, (D[4],), spared=spared).strength
