"""Lessons, leave/reschedule, course cancellation and reminders through the real stack."""

from __future__ import annotations

import pytest

from .conftest import AppConversation, texts

pytestmark = pytest.mark.e2e


def test_the_next_lessons_of_my_child(zhang_app: AppConversation) -> None:
    answer = zhang_app.say("孩子下节课是什么时候")
    assert "张小明" in answer and "初二数学（秋季班）" in answer and "王老师" in answer


def test_details_asked_right_after_the_timetable_are_about_it(zhang_app: AppConversation) -> None:
    zhang_app.say("孩子最近有什么课")
    teachers = zhang_app.say("老师是谁啊")
    assert "初二数学（秋季班） · 王老师" in teachers and "英语阅读提高班 · 陈老师" in teachers
    english = zhang_app.say("那英语课几点上")
    assert "英语阅读提高班" in english and "初二数学" not in english


def test_leave_for_the_next_math_lesson(zhang_app: AppConversation) -> None:
    buttons = zhang_app.buttons("我要给孩子请假")
    math = next(b for b in buttons if "初二数学" in b["title"])
    # "请假" was said already: no question about it, straight to the summary
    summary = zhang_app.say(math["payload"])
    assert "申请请假" in summary and "确认提交" in summary
    done = zhang_app.say("/affirm")
    assert "已为您提交请假申请" in done and "LR" in done
    assert "已申请请假/调课" in zhang_app.say("孩子下节课是什么时候")


def test_reschedule_to_a_time_said_in_chinese(zhang_app: AppConversation) -> None:
    replies = zhang_app.send("英语课想换个时间上")
    if "您是想咨询" in texts(replies):  # a model unsure of the words: the customer picks
        [picked] = [b for r in replies for b in r.get("buttons", []) if "调课" in b["title"]]
        replies = zhang_app.send(picked["payload"])
    buttons = [b for r in replies for b in r.get("buttons", [])]
    english = next(b for b in buttons if "英语" in b["title"])
    assert "调到什么时间" in zhang_app.say(english["payload"])
    assert "没能识别" in zhang_app.say("随便吧")
    summary = zhang_app.say("下周三晚上7点")
    assert "申请调课到" in summary and "周三）19:00" in summary
    assert "已为您提交调课申请" in zhang_app.say("/affirm")


def test_cancel_a_course_with_the_refund_rules(zhang_app: AppConversation) -> None:
    replies = zhang_app.send("我要退课")
    text = "\n".join(r.get("text", "") for r in replies)
    assert "退课说明" in text
    payload = next(
        b["payload"] for r in replies for b in r.get("buttons", []) if "英语" in b["title"]
    )
    zhang_app.say(payload)
    assert "退课✅" in zhang_app.say("/affirm")
    assert "英语阅读提高班" not in zhang_app.say("孩子下节课是什么时候")


def test_reminders_off_and_on(zhang_app: AppConversation) -> None:
    assert "关闭上课提醒" in zhang_app.say("关闭上课提醒")
    assert "开启上课提醒" in zhang_app.say("开启上课提醒")


def test_a_family_without_these_courses_sees_only_its_own(li_app: AppConversation) -> None:
    answer = li_app.say("孩子下节课是什么时候")
    assert "张小明" not in answer and "初二数学" not in answer


def test_a_day_without_lessons_and_a_time_said_first_are_understood(
    zhang_app: AppConversation,
) -> None:
    replies = zhang_app.send("孩子周六的课能改到别的时间吗")
    lessons = [b for r in replies for b in r.get("buttons", [])]
    assert lessons and not any("（周六）" in b["title"] for b in lessons)  # the demo schedule
    said = "\n".join(r.get("text", "") for r in replies)
    assert "周六）没有找到要调整的课" in said and "哪一节课" in said
    # the new time said before the lesson is kept, and the lesson asked again
    noted = zhang_app.send("下周日下午3点")
    assert "下周日下午3点" in noted[0]["text"] and "记下了" in noted[0]["text"]
    assert [b["title"] for r in noted for b in r.get("buttons", [])] == [
        b["title"] for b in lessons
    ]
    summary = zhang_app.say(lessons[-1]["payload"])  # a later lesson: no earlier request on it
    assert "申请调课到" in summary and "（周日）15:00" in summary
    assert "已为您提交调课申请" in zhang_app.say("确定")
