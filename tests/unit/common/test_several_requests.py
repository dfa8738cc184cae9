"""The request a customer's pick leaves owed, from the events before the pick."""

from __future__ import annotations

from zhike.common.several_requests import Step, left_after_pick, owed_after_pick

PARCEL = {"intent": "query_logistics", "text": "空调啥时候到"}
ASKED_ABOUT: Step = ("user", "", "空调啥时候到 还有能不能开个发票", {"clause_requests": [PARCEL]})


def _before_pick(pick: str, *, asked: bool = True) -> list[Step]:
    """The events before the fallback's copy of ``pick``, newest first."""
    fallback: Step = ("action", "action_two_stage_fallback", "", {})
    listen: Step = ("action", "action_listen", "", {})
    return [
        listen,
        ("rewind", "", "", {}),
        fallback,
        ("user", "", pick, {}),  # the pick as sent, before the fallback took it back
        listen,
        *([fallback] if asked else []),
        ASKED_ABOUT,
    ]


def test_picking_another_request_leaves_the_clauses_one_owed() -> None:
    assert owed_after_pick(_before_pick("第二个"), "第二个", "request_invoice") == PARCEL
    # the clause's own request picked: nothing else was said
    assert (
        owed_after_pick(_before_pick("/query_logistics"), "/query_logistics", "query_logistics")
        is None
    )


def test_nothing_is_owed_without_a_question_about_the_message_or_a_request_picked() -> None:
    assert (
        owed_after_pick(_before_pick("申请开发票", asked=False), "申请开发票", "request_invoice")
        is None
    )
    assert owed_after_pick(_before_pick("都不是"), "都不是", "out_of_scope") is None
    restarted: list[Step] = [("restart", "", "", {}), ASKED_ABOUT]
    assert owed_after_pick(restarted, "申请开发票", "request_invoice") is None


def test_only_recorded_clauses_of_requests_count() -> None:
    assert left_after_pick(None, "request_invoice") is None
    assert left_after_pick([{"text": "没有意图"}], "request_invoice") is None
    assert left_after_pick([PARCEL], None) is None
