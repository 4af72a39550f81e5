"""Lesson titles shaped like a human headline: the noun phrase a stretch keeps coming back to and what it
says about it; the interviewer's question where it names one; never a fragment, a person or a unit."""

from __future__ import annotations

import re

import pytest
from drafting_kit import BENCH, load

from extraction.headline import asked_aspect, headline, ranked_phrases, short_question
from extraction.offline_engine import build_offline_draft


def test_the_topic_is_the_noun_phrase_said_most_and_the_aspect_the_word_said_most():
    text = ("区块链的价值很多。区块链技术在供应链金融里的价值最大。\n"
            "区块链技术让数据不能改，这是它的价值。区块链技术的风险在金融以外。")
    assert ranked_phrases(text, "zh")[0] == "区块链技术"
    assert headline(text, "zh", set()) == "区块链技术的价值"


def test_the_interviewers_question_names_the_topic_and_the_aspect():
    question = "焊缝出现气孔是什么原因？"
    answer = "焊条受潮，气孔就多。焊条要烘干，焊条受潮的话焊条药皮也会掉。"
    assert asked_aspect(question) == "原因" and asked_aspect("保压您怎么定？") == "方法"
    assert headline(question + "\n" + answer, "zh", set(), question) == "气孔的原因"
    # a panel's guessed question gives the aspect only: the topic is what the stretch says most
    assert headline(question + "\n" + answer, "zh", set(), question, asked_topic=False) == "焊条的原因"


def test_no_title_twice_and_no_person_unit_or_stray_latin_word():
    text = "老师傅说，焊条烘干两个小时，焊条烘干三个小时也行。师傅们都这么干。token token target target"
    taken: set[str] = set()
    assert headline(text, "zh", taken) == "焊条"
    assert headline(text, "zh", taken) == ""  # 小时 is a unit, 师傅 a person, token speech-recognition noise


def test_english_titles_are_noun_phrases_or_jargon_never_a_name_or_a_lone_word():
    text = ("Ken Thompson wrote the file system. Ken said the file system was simple.\n"
            "Gotta say, kidding aside, UNIX ran on the PDP-11. The PDP-11 was small. Kidding! Gotta go.")
    ranked = ranked_phrases(text, "en")
    assert ranked[:2] == ["file system", "PDP-11"] and "UNIX" not in ranked  # UNIX said once
    assert not {"Ken", "Ken Thompson", "gotta", "kidding", "Gotta", "Kidding"} & set(ranked)
    assert headline(text, "en", set()) == "File system"


def test_a_short_question_titles_its_lesson_an_aside_does_not():
    answer = "发过头了面就酸了，加点碱揉一揉还能用。"
    assert short_question("孙师傅，发过头了怎么办？", answer) == "发过头了怎么办？"
    assert short_question("那开机之前呢？", "开机之前先看模温。") == "开机之前呢？"
    assert short_question("孙师傅，您先坐。", answer) == ""  # no question
    assert short_question("安全方面，您觉得新人刚来的时候最要注意的是什么事情？", answer) == ""  # too long for a title


# --- bench material: what a trainer sees -------------------------------------------------------

ZH_TRADE = BENCH / "knowhow" / "zh_trade"
HISTORIES = BENCH / "oral_history_en"


def _titles(path):
    t, chunks = load(path.read_bytes(), path.name)
    draft = build_offline_draft([t], {t.id: chunks}).draft
    return t, [m.title for m in draft.modules] + [lesson.title for m in draft.modules for lesson in m.lessons]


def _numbered(title: str) -> bool:
    return re.fullmatch(r"第\d+部分|Part \d+|.+[（(]\d+[）)]", title) is not None


@pytest.mark.skipif(not ZH_TRADE.exists(), reason="bench data not present")
@pytest.mark.parametrize("name", ["injection_molding.txt", "forklift.srt", "dough_proofing.txt"])
def test_trade_interview_titles_are_phrases_the_master_says_or_the_question_asked(name):
    t, titles = _titles(ZH_TRADE / name)
    said = re.sub(r"\s+", "", t.text)
    print(name, titles)
    for title in titles:
        if title.endswith(("？", "?")) or _numbered(title) or title == "师傅简介":
            continue  # the interviewer's own question, or a numbered stretch the trainer names
        topic = title.split("的")[0] if "的" in title else title
        # never two terms glued together ("停机与普通话", "股权与one"), never a Latin fragment
        assert said.count(topic) >= 2, (title, "not a phrase the master says twice")
        assert not re.search(r"[a-z]", title), title
        assert len(topic) >= 2 and not re.search(r"[员者们客户]$|师傅|师父", topic), title
    # a lesson that would be "下坡（3）" is the rest of the lesson before it; a module is named by its lesson
    assert not [x for x in titles if _numbered(x)]


@pytest.mark.skipif(not HISTORIES.exists(), reason="bench data not present")
@pytest.mark.parametrize("name", ["mcilroy.txt", "thompson.txt", "kernighan.txt"])
def test_oral_history_titles_are_noun_phrases_never_a_name_or_a_lone_word(name):
    t, titles = _titles(HISTORIES / name)
    lower = set(re.findall(r"\b[a-z][a-z\-]+\b", t.text))
    print(name, titles)
    for title in titles:
        if _numbered(title) or title == "About the master":
            continue
        words = title.split()
        jargon = len(words) == 1 and (words[0].isupper() or any(c.isdigit() for c in words[0]))
        assert len(words) >= 2 or jargon, (title, "a one-word fragment")
        # a name (Ken Thompson, McIlroy) is never written in lower case; a title's words are
        assert all(w.lower() in lower or w.isupper() or any(c.isdigit() for c in w) for w in words), title
    # "Graduate student (2)" says nothing: such a lesson is the rest of the lesson before it
    assert not [x for x in titles if _numbered(x)]
