"""The manager's report, piece by piece: words, formulas, ties, the staffing answer, changes."""

from __future__ import annotations

import math

import pytest

from sim.analysis.compliance.clauses import CLAUSES
from sim.analysis.compliance.dynamic import load_targets
from sim.report import bollards, changes, formulas, staffing
from sim.report.i18n import GLOSSARY, WORDS, fields_of


def test_every_word_has_both_languages_with_the_same_fields() -> None:
    for key, (en, zh) in WORDS.items():
        assert en and zh, key
        assert fields_of(en) == fields_of(zh), key
    assert all(c.zh for c in CLAUSES)
    assert all(t.title_zh for t in load_targets())
    terms = {zh for zh, _, _ in GLOSSARY}
    # the plan's own terms (郑公通〔2017〕64号)
    for t in ("平安商场", "专职保安", "保卫专干", "治安联防小组（联防组）", "内部防范组织",
              "应急警报装置", "义务消防队"):
        assert t in terms


def _b(area: float, have: int, required: int | None) -> dict[str, object]:
    return {"id": "SM-1.3b", "status": "fail", "facts": {
        "area_m2": area, "required": required, "have": have, "reading": "strict"}}


def test_sm13b_formula_spells_out_the_band_rule() -> None:
    """SM-1.3b: above 30,000 m², 30 + one per further (started) 1,000 m²: 63,984 m²
    → 30 + ⌈33.984⌉ = 64 (the plan's text, worked by hand)."""
    en = formulas.formula(_b(63_984, 38, 64))
    assert "30 + ⌈(63,984 − 30,000) / 1,000⌉ = 30 + 34 = 64 guards" in en
    assert "the plan has 38 → 26 short" in en
    zh = formulas.formula(_b(63_984, 38, 64), "zh")
    assert "64 名专职保安" in zh and "缺 26 名" in zh
    assert "10,000–20,000 m²" in formulas.formula(_b(11_722, 20, 20))
    assert "sets no number" in formulas.formula(_b(9_000, 5, None))
    assert formulas.remedies(_b(63_984, 38, 64), "zh") == [
        "增配 26 名专职保安（要求 64 名，现有 38 名）"]


def _row(e: str, prevented: float, half: float | None) -> dict[str, object]:
    return {"entrance": e, "prevented": prevented, "prevented_ci_half": half}


def test_ties_are_marked_when_intervals_overlap() -> None:
    rows = [_row("a", 20, 2), _row("b", 19, 2), _row("c", 10, 1), _row("d", 9.5, 1),
            _row("e", 0, 0)]
    out = bollards.mark_ties(rows)
    ranks = {r["entrance"]: (r["rank"], r["tied"]) for r in out}
    # a and b overlap (18-22, 17-21): both first, tied; c and d overlap: both 3rd
    assert ranks == {"a": (1, True), "b": (1, True), "c": (3, True), "d": (3, True),
                     "e": (5, False)}
    assert [bollards.rank_label(r) for r in out] == ["1=", "1=", "3=", "3=", "5"]
    # one replication: no interval, only equal means tie
    single = bollards.mark_ties([_row("x", 5, None), _row("y", 5, None), _row("z", 4, None)])
    assert [(r["entrance"], r["rank"], r["tied"]) for r in single] == [
        ("x", 1, True), ("y", 1, True), ("z", 3, False)]


def _cand(g: int, passed: bool, est: float = 100.0) -> staffing.Candidate:
    st = "pass" if passed else "fail"
    return staffing.Candidate(g, 10, 0, [{"target": "responder-p95", "status": st,
                                          "estimate": est, "threshold": 180.0,
                                          "actual": f"p95 = {est:g} s"}], 5, [])


def test_staffing_answer_and_what_binds() -> None:
    grid = [_cand(16, False, 300), _cand(32, False, 200), _cand(48, True, 170),
            _cand(64, True, 120)]
    ans, mono = staffing._choose(grid)
    assert (ans, mono) == (48, True)
    b = staffing._binding(grid, ans)
    assert b is not None and b["at"] == 32 and b["why"] == "fails just below the answer"
    # not monotone: 32 passes, 48 fails, 64 passes → the answer is 64, and it is said
    grid = [_cand(16, False), _cand(32, True), _cand(48, False), _cand(64, True)]
    assert staffing._choose(grid) == (64, False)
    assert staffing._choose([_cand(16, False), _cand(32, False)]) == (None, True)
    assert staffing.default_candidates(64, 38) == [16, 32, 38, 48, 64, 80]


def test_changes_rank_measured_risk_first_and_merge_guards() -> None:
    clauses = [
        {"id": "SM-1.2c", "status": "fail", "facts": {"have": 9, "need": 24}, "remedies": []},
        {"id": "SM-1.3b", "status": "fail", "remedies": ["add 26 guards"],
         "facts": {"area_m2": 63_984.0, "required": 64, "have": 38}},
        {"id": "SM-1.4c", "status": "fail", "facts": {"parts": {"car parks": [0, 2]}},
         "remedies": []},
        {"id": "SM-1.5", "status": "fail", "remedies": [],
         "facts": {"doors": 23, "protected": 22, "missing": ["door-x"], "approaches": 2,
                   "approaches_ok": 2}},
    ]
    targets = [{"target": "responder-p95", "status": "fail", "estimate": 260.0,
                "threshold": 180.0, "scenario": "knife", "title": "First responder",
                "clauses": ["SM-1.3e"], "actual": "p95 = 260 s", "required": "<= 180"}]
    study = {"answer": 48}
    out = changes.plan_changes(clauses, targets, staffing=study,
                               bollards=[{"entrance": "door-x", "harm_without": 9.0,
                                          "prevented": 9.0}])
    keys = [(c.priority, c.key) for c in out]
    # the responder target misses by 260/180 - 1 = 44 %, the guards by 1 - 38/64 = 41 %
    assert keys[0] == (1, "action_responder-p95")
    assert keys[1] == (1, "change_guards")  # a staffing target fails: priority 1
    guards = out[1]
    assert guards.fields == {"n": 26, "have": 38, "need": 64}
    assert [k for _, k in keys].count("change_guards") == 1  # SM-1.3b merged
    assert (3, "change_bollards") in keys and keys[-1] == (4, "clause")
    assert not math.isnan(out[0].size)


def test_a_target_never_reached_ranks_above_one_missed_by_far() -> None:
    # congestion share 0.40 against 0.10 misses by 300 %; an alarm that never sounded
    # (estimate null, "never") is worse than any finite miss
    targets = [
        {"target": "density-congestion", "status": "fail", "estimate": 0.40,
         "threshold": 0.10, "scenario": "drill", "title": "congestion", "clauses": []},
        {"target": "alarm-p95", "status": "fail", "estimate": None, "threshold": 120.0,
         "scenario": "fire", "title": "alarm", "clauses": []},
    ]
    out = changes.plan_changes([], targets)
    assert [c.key for c in out[:2]] == ["action_alarm-p95", "action_density-congestion"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_change_texts_in_both_languages(lang: str) -> None:
    from sim.report.html import change_text

    ch = changes.Change(2, 0.5, "change_guards", {"n": 2, "have": 3, "need": 5},
                        "change_guards_why", {"required": 5, "area": "12,000",
                                              "study_key": "study_not_run",
                                              "study_fields": {}}, ["SM-1.3b"])
    what, why = change_text(ch.to_json(), lang, {})
    assert "2" in what and "5" in why and "{" not in what + why


def test_font_fallback_without_a_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a CJK font the page embeds none and figures keep English labels; with one,
    the embedded subset holds the page's characters."""
    from viz import fonts

    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    assert fonts.embedded_font_css("平安商场") is None
    assert fonts.use_cjk_in_figures() is False
    assert '"Noto Sans CJK SC"' in fonts.css_font_stack()


@pytest.mark.skipif(__import__("viz.fonts").fonts.cjk_font() is None,
                    reason="needs a CJK font (apt-get install fonts-noto-cjk)")
def test_embedded_subset_holds_the_page_characters() -> None:
    import base64
    import io
    import re

    from fontTools.ttLib import TTFont

    from viz import fonts

    css = fonts.embedded_font_css("治安联防小组 abc")
    assert css is not None
    data = base64.b64decode(re.search(r"base64,([^)]+)\)", css).group(1))  # type: ignore[union-attr]
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    assert all(ord(c) in cmap for c in "治安联防小组")
    assert ord("龍") not in cmap  # a subset: only what the page uses


def test_verdict_words_separate_the_clauses_from_the_simulated_targets() -> None:
    from sim.report.html import verdict_key

    assert verdict_key({"verdict": "pass", "static_verdict": "pass"}) == "verdict_pass"
    # every clause of the plan is met, a simulated target is not: not "NOT COMPLIANT"
    assert verdict_key({"verdict": "fail", "static_verdict": "pass",
                        "dynamic_verdict": "fail"}) == "verdict_targets"
    assert verdict_key({"verdict": "fail", "static_verdict": "fail",
                        "dynamic_verdict": "pass"}) == "verdict_fail"


def test_judged_estimates_read_in_chinese() -> None:
    from sim.report.html import actual_text

    en = "p95 = never over 6 runs (6 without a value, counted as worst)"
    assert actual_text(en, "en") == en
    assert actual_text(en, "zh") == "p95 = 从未发生（6 次运行）（其中 6 次无数值，按最不利计）"
    assert actual_text("p95 = 0 over 2 runs (2 with no aset_min_s: ratio 0)", "zh") \
        == "p95 = 0（2 次运行）（其中 2 次无 aset_min_s，比值计 0）"
    assert actual_text("metric not produced", "zh") == "该情景不产生此指标"
    assert actual_text("no crush scenario for grand: its targets are not judged", "zh") \
        == "grand 没有 crush 情景：其指标未判定"


def test_every_judged_estimate_the_checker_writes_reads_in_chinese() -> None:
    # the translation works on the checker's own wording: judge real cases and look for
    # English left in the Chinese text
    import re

    from sim.analysis.compliance.dynamic import judge, load_targets
    from sim.report.html import actual_text

    t = {x.id: x for x in load_targets()}
    cases = [
        judge(t["alarm-p95"], "s", "fire", [{"t_alarm_after_incident_s": 30.0}] * 3),
        judge(t["alarm-p95"], "s", "fire", [{"t_alarm_after_incident_s": None}] * 2),
        judge(t["neutralised-p95"], "s", "drill", [{}]),
        judge(t["neutralised-p95"], "s", "attack", [{"x": 1.0}]),
    ]
    for j in cases:
        zh = actual_text(j.actual, "zh")
        assert not re.search(r"\b(over|runs?|without|counted|never|judged|metric)\b", zh), zh
