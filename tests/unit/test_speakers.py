"""Who speaks, resolved by evidence (issue 18, must-have 3). The sentences are fictional, written for
these tests; the names are public figures' only where the case needs two people of one surname."""

from __future__ import annotations

from typing import Any

import pytest
from spacy.tokens import Doc
from spacy.tokens import Span as DocSpan

from newstrace.link.speakers import link_speakers, role_in
from newstrace.nlp import load_pipeline
from newstrace.nlp.agents import speaker_kind
from newstrace.nlp.quotes import People, _coordinated, extract_quotes, name_only
from newstrace.nlp.spans import Span
from newstrace.records import GROUP, ORGANISATION, PERSON


@pytest.fixture(scope="module")
def nlp() -> Any:
    return load_pipeline()


def _speakers(nlp: Any, text: str) -> list[str | None]:
    return [quote.speaker for quote in extract_quotes(nlp(text))]


def test_epithets_and_possessives_are_no_part_of_a_name(nlp: Any) -> None:
    text = "Hillary Clinton spoke in Iowa on Monday.\n\n“She is a disaster,” said Crooked Hillary Clinton at a rally."
    assert _speakers(nlp, text) == ["Hillary Clinton"]


def test_an_appositive_names_the_speaker_not_the_person_inside_it(nlp: Any) -> None:
    text = "“We will watch closely,” Dmitry Peskov, Russian President Vladimir Putin's spokesman, told reporters."
    assert _speakers(nlp, text) == ["Dmitry Peskov"]


def test_people_who_share_a_surname_stay_apart(nlp: Any) -> None:
    clintons = (
        "Bill Clinton spoke in Ohio on Sunday. “We need jobs,” Clinton said. Hillary Clinton was in Iowa. "
        "“We will win,” Hillary Clinton said."
    )
    assert _speakers(nlp, clintons) == ["Bill Clinton", "Hillary Clinton"]
    trumps = (
        "Donald Trump Jr. spoke first. “My father will win,” Donald Trump Jr. said. Then Donald Trump spoke. "
        "“I will win,” Trump said."
    )
    assert _speakers(nlp, trumps) == ["Donald Trump Jr.", "Donald Trump"]
    speakers, _ = link_speakers([("Hillary Clinton", "Hillary Clinton"), ("Hillary Clinton", "Bill Clinton")])
    assert [speaker.aliases for speaker in speakers] == [()]  # Bill Clinton is nobody's alias of Hillary


def test_a_place_speaks_only_as_its_government(nlp: Any) -> None:
    text = "LOS ANGELES (AP) — Beaches stay closed. “The tolls will rise,” Washington said on Monday."
    assert "LOS ANGELES" not in _speakers(nlp, text)
    assert "Washington" in _speakers(nlp, text)


def test_a_document_speaks_for_its_issuers_or_for_nobody(nlp: Any) -> None:
    """A statement or report is no speaker (session 27): its one issuer is, or its several signers as a group,
    and one that names none has none (fictional, after the seeds' joint statement and PolNeAR's reports)."""
    text = (
        "Jens Stoltenberg opened the meeting in Brussels on Tuesday.\n\n"
        "A joint statement signed by several NATO members and Ukraine said that the allies will send more air "
        "defence systems before the winter."
    )
    assert _speakers(nlp, text) == ["NATO members and Ukraine"]
    assert speaker_kind("NATO members and Ukraine") == GROUP
    report = "A new report by the Harbour Defence Committee said that the tolls will rise next year."
    assert _speakers(nlp, report) == ["Harbour Defence Committee"]


def test_i_speaks_only_for_someone_the_text_names(nlp: Any) -> None:
    text = (
        "Anneke Holm chaired the harbour board until May.\n\n" + "The board met again on Friday. " * 12 + "\n\n"
        "I said that the tolls will rise next year, and we will not back down."
    )
    assert _speakers(nlp, text)[-1] is None


def test_roles_are_titles() -> None:
    assert role_in("The Jens Stoltenberg", "Jens Stoltenberg") is None
    assert role_in("Vladimir Putin's Dmitry Peskov", "Dmitry Peskov") is None
    # the rest of an embedded post's markup before the name is no role (fictional post)
    assert role_in('author="harbourdesk" tweet_id="123">Responsible candidate Pieter Dorn', "Pieter Dorn") is None
    assert role_in("NATO Secretary General Jens Stoltenberg", "Jens Stoltenberg") == "NATO Secretary General"


def test_a_role_is_a_phrase_set_beside_the_name_not_the_sentence_around_it() -> None:
    """Roles read from real sources: an apposition, an affiliation or a title before the name is one; a
    second person, a possessive, a clause about somebody else or a sentence's opening word is not."""
    assert role_in("The Velmora harbour director, Anneke Holm", "Anneke Holm") == "Velmora harbour director"
    assert role_in("Anneke Holm, the Velmora harbour director,", "Anneke Holm") == "Velmora harbour director"
    assert role_in("Anneke Holm of Velmora", "Anneke Holm") == "of Velmora"
    assert role_in("Anneke Holm and Mayor Pieter Dorn", "Anneke Holm") is None
    assert role_in("Anneke Holm of Velmora and Mayor Pieter Dorn", "Anneke Holm") is None
    assert role_in("Anneke Holm’s statements as “reckless", "Anneke Holm") is None
    assert role_in("Dorn, who has campaigned for harbour master Anneke Holm", "Anneke Holm") is None
    assert role_in("Even Anneke Holm", "Anneke Holm") is None
    assert role_in("Anneke Holm during an interview on Thursday", "Anneke Holm") is None


def test_a_description_names_a_person_only_when_it_is_a_role(nlp: Any) -> None:
    """`The debate revealed` names nobody, though a person is named after `debate` elsewhere; `The
    senator` is the person called `Sen.` before; `Holm's spokeswoman` is not Dorn's spokeswoman."""
    text = (
        "Sen. Anneke Holm and Mayor Pieter Dorn met on Monday. After the debate Pieter Dorn left.\n\n"
        "The debate revealed that the harbour board will raise the tolls. "
        "The senator has often said that the tolls protect the harbour.\n\n"
        "Dorn's spokeswoman Lidia Varn spoke first. Holm's spokeswoman said that the senator would not resign."
    )
    assert _speakers(nlp, text) == [None, "Anneke Holm", None]


def test_a_person_cut_off_by_an_abbreviated_title_still_speaks(nlp: Any) -> None:
    text = "“The ships are too old,” said Navy Capt. Anneke Holm, who commands the harbour squadron."
    assert _speakers(nlp, text) == ["Anneke Holm"]


def test_an_administration_speaks_as_itself_not_as_the_person_who_leads_it(nlp: Any) -> None:
    text = "Rules recently issued by the Dorn administration, telling ports to lower the tolls, were challenged."
    assert _speakers(nlp, text) == ["Dorn administration"]


def test_a_relative_pronoun_speaks_for_the_name_it_follows(nlp: Any) -> None:
    text = (
        "Anneke Holm spoke on Monday. “We will win,” Holm said.\n\n"
        "The ads come from Harbour Freedom PAC, which says that Holm would raise the tolls."
    )
    assert _speakers(nlp, text) == ["Anneke Holm", "Harbour Freedom PAC"]


def test_a_relative_pronoun_never_speaks_for_the_previous_speaker(nlp: Any) -> None:
    """`which` stands for the noun its clause hangs on: a body nobody names speaks for nobody, not for the
    person quoted just before as `he` would; a description is the person it describes or stands beside."""
    text = (
        "“We will not pay,” Anneke Holm said on Monday.\n\n"
        "She added that the harbour board, which has repeatedly said that it will raise the tolls, "
        "is acting in bad faith.\n\n"
        "The spokesman Peter Dorn spoke later. The spokesman, who said that the ships were safe, left at noon."
    )
    found = [(text[q.source.start : q.source.end] if q.source else None, q.speaker) for q in extract_quotes(nlp(text))]
    assert found == [("Anneke Holm", "Anneke Holm"), ("She", "Anneke Holm"), ("which", None), ("who", "Peter Dorn")]
    beside = (
        "“We will not pay,” Anneke Holm said. Lidia Varn, the harbour master, who said that the ships were safe, left."
    )
    assert _speakers(nlp, beside) == ["Anneke Holm", "Lidia Varn"]  # the clause hangs on `master`, beside Varn


def test_a_book_speaks_for_its_author_not_for_a_name_in_its_title(nlp: Any) -> None:
    text = (
        "According to Lidia Varn's ''The Keepers: Anneke Holm and the Harbour Board'' and other sources, "
        "the board met every week."
    )
    assert _speakers(nlp, text) == ["Lidia Varn"]


def test_non_agents_do_not_speak(nlp: Any) -> None:
    """A city that is no seat of government, a campaign of a year and a report of nobody say nothing; a
    state and a platform someone named issues do (a party's platform still speaks as itself)."""
    text = (
        "Officials in Liverpool said on Monday that the new stadium will open in May. "
        "The 2012 campaign showed that voters wanted lower tolls. "
        "One report said that the harbour will close. "
        "Texas said that the new law will stand. "
        "The Democratic platform says that the tolls should fall."
    )
    assert _speakers(nlp, text) == [None, None, None, "Texas", "Democratic platform"]


def test_the_state_is_the_state_named_before(nlp: Any) -> None:
    text = "In the 2000 election in Florida, the state incorrectly stated that 12,000 voters were ex-convicts."
    assert _speakers(nlp, text) == ["Florida"]


def test_a_bare_surname_far_from_a_namesake_is_the_person_the_article_introduced(nlp: Any) -> None:
    filler = "The harbour board met again on Friday and the ferries ran late. " * 12
    text = (
        "Hillary Clinton held a lead over her rivals in Iowa.\n\n" + filler + "\n\n"
        "Former President Bill Clinton agreed with the analysis.\n\n" + filler + "\n\n"
        "Clinton highlighted endorsements from black leaders, saying that they trust her record."
    )
    assert _speakers(nlp, text)[-1] == "Hillary Clinton"


def test_a_pronoun_after_a_new_subject_speaks_for_that_subject(nlp: Any) -> None:
    """The subject of a main clause after the last quote, not a name inside a quotation (`Pieter`)."""
    text = (
        "“We rang every door,” Pieter Dorn said on Monday. Anneke Holm shook her head. "
        "“Pieter remembers it better than I do.”\n\nOver the years, she said, the tolls rose every spring."
    )
    assert _speakers(nlp, text) == ["Pieter Dorn", "Anneke Holm"]


def test_a_clause_opened_by_a_preposition_speaks_for_the_sentence_subject(nlp: Any) -> None:
    text = "Since announcing Pieter Dorn as her running mate, Anneke Holm has risen in the polls."
    assert _speakers(nlp, text)[0] == "Anneke Holm"


def test_a_surname_joins_the_one_person_whose_name_forms_end_with_it() -> None:
    mentions = [("Vera Lind", "Vera Lind")] * 3 + [("Vera K. Lind", "Vera K. Lind"), ("Lind", "Ms. Lind")]  # fictional
    speakers, canonical = link_speakers(mentions)
    assert canonical == {"Vera Lind": "Vera Lind", "Vera K. Lind": "Vera Lind", "Lind": "Vera Lind"}
    assert [(speaker.name, speaker.aliases) for speaker in speakers] == [
        ("Vera Lind", ("Lind", "Ms. Lind", "Vera K. Lind"))
    ]


def test_a_surname_two_people_share_stays_apart_across_articles() -> None:
    mentions = [("Vera Lind", "Vera Lind"), ("Ola Lind", "Ola Lind"), ("Lind", "Lind")]  # fictional
    assert link_speakers(mentions)[1]["Lind"] == "Lind"


def test_an_alias_is_kept_without_the_spaces_around_it_in_the_text() -> None:
    speakers, _ = link_speakers([("Vera Lind", "Lind\u00a0"), ("Vera Lind", "Lind")])  # fictional
    assert [speaker.aliases for speaker in speakers] == [("Lind",)]


# The sentences below are fictional, written for these tests (the review saw these faults on real news:
# `Mr. Obama` resolved to Michelle Obama, a headline's `Rip Donald Trump` and `The Republican` as speakers).


def test_a_titled_surname_is_the_namesake_the_article_titles_alike(nlp: Any) -> None:
    """`Mr. Dorn` is not the woman the article names last (`his wife, Anneke Dorn`), nor `Mrs. Dorn` the man."""
    text = (
        "Mayor Pieter Dorn will tour the harbour with his wife, Anneke Dorn, on Monday. "
        "“The tolls will fall,” Mr. Dorn said. “So will the fares,” Mrs. Dorn said."
    )
    assert _speakers(nlp, text) == ["Pieter Dorn", "Anneke Dorn"]


def test_a_bare_surname_far_from_its_namesakes_is_the_one_mentioned_most(nlp: Any) -> None:
    filler = "The harbour board met again on Friday and the ferries ran late. " * 12
    text = (
        "Pieter Dorn opened the harbour.\n\n" + filler + "\n\nAnneke Dorn toured the docks. Anneke Dorn met the "
        "crews. Anneke Dorn left at noon.\n\n" + filler + "\n\n“The tolls will fall,” Dorn said."
    )
    assert _speakers(nlp, text) == ["Anneke Dorn"]


def test_a_short_name_grows_to_the_form_the_article_uses_most(nlp: Any) -> None:
    text = (
        "Pieter J. Dorn opened the harbour on Monday. Pieter Dorn toured the docks on Tuesday. Pieter Dorn met "
        "the crews on Wednesday. “The tolls will fall,” Dorn said."
    )
    assert _speakers(nlp, text) == ["Pieter Dorn"]


@pytest.mark.parametrize(
    ("headline", "glued", "name"),
    [
        ("Harbour Critics Rip Pieter Dorn Over Tolls", (2, 5), (3, 5)),
        ("Pieter Dorn Says Tolls Will Fall", (0, 3), (0, 2)),
    ],
)
def test_a_headline_verb_glued_to_a_speakers_name_is_trimmed(
    nlp: Any, headline: str, glued: tuple[int, int], name: tuple[int, int]
) -> None:
    """The recogniser sometimes takes a headline's verb into a PERSON span (`Rip Donald Trump`)."""
    doc = nlp(headline)
    assert name_only(DocSpan(doc, *glued, label="PERSON")).text == "Pieter Dorn"
    alone = DocSpan(doc, *name, label="PERSON")
    assert name_only(alone) is alone  # a name alone keeps its span


def test_a_party_word_is_no_speaker_name(nlp: Any) -> None:
    """`The Republican` is a person the article named before; `Republican mayors` are not `Republican`."""
    text = (
        "Anneke Holm spoke in Delft on Monday. The Republican told her supporters at a rally that the count was "
        "rigged. The two Republican mayors said that the tolls were too high."
    )
    assert _speakers(nlp, text) == ["Anneke Holm", None]


def test_a_party_word_is_the_person_the_article_ties_to_it(nlp: Any) -> None:
    """`The Republican` is the person the article called a Republican, not the last speaker (fictional)."""
    text = (
        "Republican candidate Pieter Dorn met Anneke Holm in Delft on Monday. Anneke Holm said that the tolls "
        "were too high. The Republican told the crowd that the count was rigged."
    )
    assert _speakers(nlp, text) == ["Anneke Holm", "Pieter Dorn"]


def test_a_transcript_turn_in_capitals_speaks_for_the_person_the_article_names(nlp: Any) -> None:
    """A quoted transcript (`"PENCE: Well, look, ...`): the label in capitals is the person named in full."""
    text = (
        "Anneke Holm spoke to Pieter Dorn on Sunday. Partial transcript as follows:\n\n"
        '"DORN: Let us start with the harbour story. The board invited a critic to sit in the front row.\n\n'
        '"HOLM: Well, look, the ferries ran late every day this week.\n\nNOTE: The board met again on Monday.'
    )
    quotes = extract_quotes(nlp(text))
    assert [(text[q.source.start : q.source.end], q.speaker) for q in quotes if q.source] == [
        ("DORN", "Pieter Dorn"),
        ("HOLM", "Anneke Holm"),
    ]


def test_a_surname_joins_the_namesake_quoted_far_more_often() -> None:
    others = [("Ola Lind", "Ola Lind"), ("Lind", "Lind")]  # fictional
    assert link_speakers([("Vera Lind", "Vera Lind")] * 3 + others)[1]["Lind"] == "Vera Lind"
    assert link_speakers([("Vera Lind", "Vera Lind")] * 2 + others)[1]["Lind"] == "Lind"  # two to one: no guess


def test_a_title_that_rules_out_the_only_namesake_grows_into_nobody(nlp: Any) -> None:
    """`Mr. Dorn` in an article that names only `the first lady, Anneke Dorn` keeps its honorific: nobody
    the article names (nor a namesake in another article, as a bare `Dorn` would join)."""
    text = "The first lady, Anneke Dorn, toured the harbour on Monday. “The tolls will fall,” Mr. Dorn said."
    assert _speakers(nlp, text) == ["Mr. Dorn"]


def test_a_party_word_is_the_person_named_before_not_the_last_speaker(nlp: Any) -> None:
    text = (
        "“The debate will be on Monday,” the Harbour Commission said of the rally for Pieter Dorn. "
        "The Republican told the crowd that the count was rigged."
    )
    assert _speakers(nlp, text) == ["Harbour Commission", "Pieter Dorn"]
    quoted = (  # a name inside the last quotation is nobody the description stands for
        "Pieter Dorn spoke at noon.\n\n“That was harder than beating Anneke Holm,” he said.\n\n"
        "The Republican told the crowd that the count was rigged."
    )
    assert _speakers(nlp, quoted) == ["Pieter Dorn", "Pieter Dorn"]


# Fictional sentences for faults the review saw on real news: `he` resolved to a woman named just before,
# a headline's `Rip Donald Trump` as the usual form of `Donald Trump`, `the Republican National Committee`
# apart from `Republican National Committee`, a role cut at an honorific (`advisers to Mr`), and a book's
# title in quotation marks listed as a claim.


def test_he_and_she_skip_a_person_of_the_other_known_gender(nlp: Any) -> None:
    """The given name (`Melanie`) or the article's honorific (`Mr. Dorn`) tells the gender `he` and `she` need."""
    by_name = "Pieter Dorn spoke to the crowd. “We will win,” Melanie said.\n\n“The tolls will fall,” he said."
    assert _speakers(nlp, by_name) == ["Melanie", "Pieter Dorn"]
    by_title = "Anneke Holm spoke on Monday. “We will win,” Mr. Dorn said.\n\n“The tolls will fall,” she said."
    assert _speakers(nlp, by_title) == ["Dorn", "Anneke Holm"]
    unknown = "Anneke Holm spoke on Monday. “We will win,” Dorn said.\n\n“The tolls will fall,” she said."
    assert _speakers(nlp, unknown) == ["Dorn", "Dorn"]  # nothing tells Dorn's gender: the last speaker


def test_a_word_glued_before_a_given_name_is_no_longer_form_of_it(nlp: Any) -> None:
    text = "Critics Rip Pieter Dorn\n\nPieter Dorn spoke on Monday. Pieter Dorn left at noon."
    doc = nlp(text)
    people = People(text, [DocSpan(doc, *span, label="PERSON") for span in ((1, 4), (5, 7), (11, 13))])
    assert [str(mention.text) for mention in people.mentions] == ["Rip Pieter Dorn", "Pieter Dorn", "Pieter Dorn"]
    assert people.full_name("Pieter Dorn") == "Pieter Dorn"
    assert people.full_name("Dorn") == "Pieter Dorn"
    surname = "Anneke Wasser Dale opened the harbour. Wasser Dale spoke."  # a surname of two words still grows
    doc = nlp(surname)
    people = People(surname, [DocSpan(doc, 0, 3, label="PERSON"), DocSpan(doc, 6, 8, label="PERSON")])
    assert people.full_name("Wasser Dale") == "Anneke Wasser Dale"


def test_a_leading_article_in_lower_case_is_no_part_of_a_speakers_name(nlp: Any) -> None:
    text = "A video by the Harbour Defence Committee claims that the tolls will rise."
    assert _speakers(nlp, text) == ["Harbour Defence Committee"]


def test_words_before_a_name_are_its_role_only_when_they_end_in_a_title() -> None:
    assert role_in("advisers to Mr. Pieter Dorn", "Pieter Dorn") is None
    assert role_in("Ferry companies that had insured Dorn Lines", "Dorn Lines") is None
    assert role_in("Harbour Board chairman Pieter Dorn", "Pieter Dorn") == "Harbour Board chairman"
    assert role_in("Former Harbour Master Pieter Dorn", "Pieter Dorn") == "Former Harbour Master"


def test_a_title_in_quotation_marks_is_no_quotation(nlp: Any) -> None:
    text = 'Mr. Dorn often talked about "Harbours: How Port Towns Choose to Fail or Thrive," a best seller by Ann Holm.'
    assert extract_quotes(nlp(text)) == []
    spoken = '"We will win," Mr. Dorn said on Monday. Holm Says "Tolls Must Fall"'
    assert len(extract_quotes(nlp(spoken))) == 2  # a quotation in words, and a headline's


def _sources(nlp: Any, text: str) -> list[tuple[str | None, str]]:
    return [
        (text[q.source.start : q.source.end] if q.source else None, text[q.cue.start : q.cue.end])
        for q in extract_quotes(nlp(text))
    ]


def test_a_cue_going_on_from_a_reported_clause_speaks_for_the_reporter(nlp: Any) -> None:
    """`Dorn said he had ... and called it ...`: the parse gives `called` to the reported clause, whose `he`
    is Dorn; the source is Dorn as the article describes him (PolNeAR marks it so; fictional)."""
    text = (
        "Pieter Dorn, a harbour surrogate, said he had fought three storms in his years as mayor and called it "
        "a common hazard of the job."
    )
    assert _sources(nlp, text)[-1] == ("Pieter Dorn, a harbour surrogate", "called")
    warned = "Anneke Holm said she would order a review of the ferry contracts and warned against rising tolls."
    assert _sources(nlp, warned)[-1] == ("Anneke Holm", "warned against")


def test_a_cue_a_preposition_opens_has_the_clauses_subject_as_its_source(nlp: Any) -> None:
    text = "Mayor Pieter Dorn answered the critics on Monday by telling them that the tolls will fall."
    assert _sources(nlp, text)[-1] == ("Mayor Pieter Dorn", "telling")


def test_a_source_keeps_its_relative_clause_but_not_a_participle_clause(nlp: Any) -> None:
    """PolNeAR marks `Holm, who chairs the board,` as the source, and `Holm, speaking in Delft,` as `Holm`."""
    relative = "Anneke Holm, who chairs the harbour board, said that the tolls will fall."
    assert _sources(nlp, relative) == [("Anneke Holm, who chairs the harbour board", "said")]
    participle = "Anneke Holm, speaking in Delft on Monday, said that the tolls will fall."
    assert _sources(nlp, participle) == [("Anneke Holm", "said")]


def test_the_gender_of_a_surname_is_the_one_its_own_mentions_are_titled(nlp: Any) -> None:
    """`Mr. Dorn` is a man though the article also names `the first lady, Anneke Dorn`: `she` is not him."""
    text = (
        "Mr. Dorn opened the harbour on Monday. The first lady, Anneke Dorn, met the crews. Mrs. Lind spoke at "
        "noon. “The tolls will fall,” Mr. Dorn said.\n\n“The fares will rise,” she said."
    )
    assert _speakers(nlp, text) == ["Mr. Dorn", "Lind"]


def test_only_a_name_on_the_sources_head_word_speaks_for_it(nlp: Any) -> None:
    """`NATO leadership` speaks for NATO; `advisers to Dorn Lines` and companies that insured its debts do
    not speak for Dorn Lines (fictional; the review saw a coal company credited so)."""
    text = (
        "Regulators and advisers to Dorn Lines didn't know that the tolls would rise. "
        "Ferry companies that had insured Dorn Lines' debts agreed to release the cash. "
        "NATO leadership said that the tolls would rise."
    )
    assert _speakers(nlp, text) == [None, None, "NATO"]


def test_an_honorific_and_surname_is_no_namesake_of_the_other_gender(nlp: Any) -> None:
    text = (
        "Kim Holm and her husband, Pieter Holm, opened the harbour museum in Velmora on Sunday. "
        "Mr. Holm founded the ferry company in 1990, and Mrs. Holm ran it for a decade.\n\n"
        "Pieter Holm cut the ribbon. “The harbour belongs to everyone,” Mrs. Holm said.\n\n"
        "Kim Holm stood on the quay. “We paid for the roof ourselves,” Mr. Holm said."
    )
    assert _speakers(nlp, text) == ["Kim Holm", "Pieter Holm"]


def test_an_honorific_and_surname_stays_unresolved_when_the_article_names_nobody_who_fits(nlp: Any) -> None:
    text = (
        "Kim Holm opened the harbour museum in Velmora on Sunday. Mrs. Holm ran the ferry company for a decade, "
        "and Mrs. Holm said the museum would open every day.\n\n"
        "“My father built the first ferry,” Mr. Holm said."
    )
    assert _speakers(nlp, text)[-1] == "Mr. Holm"
    named = text.replace("Kim Holm opened", "Pieter Holm opened").replace("Mrs.", "Mr.")
    assert _speakers(nlp, named)[-1] == "Pieter Holm"  # the article's one Holm, a man throughout


def test_a_role_is_no_clause_link_count_list_or_dateline() -> None:
    assert role_in("Anneke Holm, who on Tuesday endorsed Dorn", "Anneke Holm") is None
    assert role_in("Anneke Holm, like Pieter Dorn,", "Anneke Holm") is None
    assert role_in("Anneke Holm, Pieter Dorn, and Joost Lind", "Anneke Holm") is None
    assert role_in("Some Harbour Democrats", "Harbour Democrats") is None
    assert role_in("two leading Republicans Pieter Dorn", "Pieter Dorn") is None
    assert role_in("top adviser for Mayor Pieter Dorn", "Pieter Dorn") is None
    assert role_in("Democrats Anneke Holm and Pieter Dorn", "Anneke Holm") is None
    assert role_in("Pieter Dorn, Anneke Holm, and other harbour directors", "Pieter Dorn") is None
    dateline = "Velmora, May 3 (Harbour Wire) - Deputy harbour director Anneke Holm"
    assert role_in(dateline, "Anneke Holm") == "Deputy harbour director"
    assert role_in("Anneke Holm (D-Velmora), who lost the primary", "Anneke Holm") == "D-Velmora"
    assert role_in("Anneke Holm, a ferry pilot and Dorn supporter", "Anneke Holm") == "ferry pilot and Dorn supporter"


def test_a_title_before_and_belongs_to_the_name_before_it(nlp: Any) -> None:
    """`Mr. Lind and Kim Holm`: `Mr.` titles Lind, so Kim Holm may still be `Mrs. Holm`."""
    text = (
        "Mr. Lind and Kim Holm toured the quay in Velmora on Monday with her husband, Pieter Holm.\n\n"
        "“The fares will fall next spring,” Mrs. Holm said."
    )
    assert _speakers(nlp, text) == ["Kim Holm"]


def test_an_honorific_surname_stays_bare_when_the_article_names_the_surname_in_office(nlp: Any) -> None:
    """`President Holm` is somebody of that surname the article names without a given name: `Mr. Holm` may be
    him, so it stays a bare surname, for the articles that name him in full."""
    text = (
        "President Holm opened the harbour in Velmora on Monday. The first lady, Anneke Holm, cut the ribbon.\n\n"
        "“The tolls will fall next spring,” Mr. Holm said."
    )
    assert _speakers(nlp, text) == ["Holm"]


def test_a_pronoun_after_a_namesake_tells_its_gender_when_the_given_name_does_not(nlp: Any) -> None:
    """`Kim` tells no gender; `her` right after `Kim Holm` does, so `Mr. Holm` is the article's other Holm."""
    text = (
        "Kim Holm has yet to say how her harbour board would spend the grant. Pieter Holm opened the museum, "
        "and Anneke Holm, a cousin, ran the ferry.\n\nMr. Holm and Mrs. Holm toured the quay on Sunday.\n\n"
        "Kim Holm stood on the quay. “We paid for the roof ourselves,” Mr. Holm said."
    )
    assert _speakers(nlp, text)[-1] == "Pieter Holm"


def test_he_and_she_never_speak_for_a_body(nlp: Any) -> None:
    """A pronoun of a person after a body's quote is the person named before, not the body (PolNeAR: 78 `he`
    or `she` given to the FBI, NBC News, the State Department). Fictional."""
    text = (
        "Peter Dorn ran the ferry for years. “The ships are safe,” the Tarsby Port Authority said on Monday. "
        "He said that the tolls were too high."
    )
    assert _speakers(nlp, text) == ["Tarsby Port Authority", "Peter Dorn"]


def test_they_speaks_for_the_last_group_never_for_one_person(nlp: Any) -> None:
    """`they` is the group the last source naming a group spoke for (a body, a plural, a coordination), named
    or not; never the person quoted last. Fictional."""
    unnamed = (
        "“We will not pay,” Anneke Holm said on Monday. People familiar with her thinking say she now doubts "
        "the plan. They did not offer details."
    )
    assert _speakers(nlp, unnamed) == ["Anneke Holm", None, None]
    body = (
        "Harbour Democrats say the tolls are too high. “It is a tax on work,” Peter Dorn said. What's more, "
        "the ferries are old, they say."
    )
    assert _speakers(nlp, body) == ["Harbour Democrats", "Peter Dorn", "Harbour Democrats"]
    filler = "The ferry left at noon and came back at six, as it has done every day for years. " * 8
    far = f"Harbour Democrats say the tolls are too high. {filler}They say that the ferries are old."
    assert _speakers(nlp, far) == ["Harbour Democrats", None]  # a group quoted over 600 characters before


def test_people_gathered_round_a_person_are_not_that_person(nlp: Any) -> None:
    """Aides, advisers, supporters, relatives or lawyers named after somebody speak as an unnamed group;
    the person speaks only as one of a coordination, and a body named after the person as itself. Fictional."""
    groups = [
        "Anneke Holm spoke in Tarsby. Holm aides said that she would not resign.",
        "Anneke Holm spoke in Tarsby. Ms. Holm's advisers said that she would not resign.",
        "Peter Dorn was shot on Tuesday. Attorneys for Dorn said that he was unarmed.",
        "Peter Dorn was shot on Tuesday. Dorn's relatives, who asked to see the video, said that he was unarmed.",
    ]
    assert [_speakers(nlp, text)[-1] for text in groups] == [None, None, None, None]
    read_as_a_body = (
        "Peter Halvorsen spoke on Monday in Tarsby.\n\nMany Halvorsen supporters said that the tolls must go."
    )
    assert _speakers(nlp, read_as_a_body) == [None]  # `Halvorsen` an ORG here, a person's name in the article
    assert _speakers(nlp, "Peter Dorn and his aides said that the tolls must go.") == ["Peter Dorn"]
    assert _speakers(nlp, "Anneke Holm spoke. Holm campaign aides said that she would stay.") == ["Holm campaign"]
    assert _speakers(nlp, "Anneke Holm spoke. Holm's team said that she would stay.") == ["Holm team"]
    assert _speakers(nlp, "NATO officials said that the summit would go on.") == ["NATO"]


def test_a_relative_clause_on_two_joined_names_speaks_for_neither(nlp: Any) -> None:
    """`China and the United States, which said`: two antecedents, no one speaker (it took the first). The
    countries are real; the sentence is fictional."""
    text = "The summit was attended by China and the United States, which said that the tolls must fall."
    people = "Anneke Holm met Peter Dorn and Lidia Varn, who said that the harbour would close."
    assert (_speakers(nlp, text), _speakers(nlp, people)) == ([None], [None])
    listed = (
        "The board questioned several people, including Peter Dorn, who set up the server; and Lidia Varn, a "
        "clerk at the port who told her staff that the ferries were safe."
    )
    assert _speakers(nlp, listed)[-1] == "Lidia Varn"  # the last of a list: the clause is hers


def test_the_court_or_the_department_is_the_body_named_before_with_that_noun(nlp: Any) -> None:
    """A definite description of a body repeats the last word of its name (`The Labor Department ... the
    department`); a noun no body named before ends with speaks for nobody. Fictional."""
    court = "The Tarsby Harbour Court heard the case in May. But in March, the court announced that it had deadlocked."
    company = "“We will not pay,” Anneke Holm said on Monday. The company said that it had suspended the ferries."
    assert (_speakers(nlp, court), _speakers(nlp, company)) == (["Tarsby Harbour Court"], ["Anneke Holm", None])
    # `the alliance` or `the bloc`: an intergovernmental organisation named before (the RT seed's NATO)
    alliance = (
        "NATO leaders met in Tarsby. Peter Dorn said that the alliance, which has repeatedly declared its "
        "intention to win, is involved in the war."
    )
    assert _speakers(nlp, alliance) == ["Peter Dorn", "NATO"]


def test_a_given_name_beside_a_relative_takes_the_family_name(nlp: Any) -> None:
    """`Holm's husband, Peter` is Peter Holm (PolNeAR: `Clinton's husband, Bill` stood apart from Bill
    Clinton and flagged his statement's later rendering `speaker_changed`). Fictional."""
    text = "Anneke Holm spoke in Tarsby. Holm's husband, Peter, accused the mayor of lying in a speech Sunday."
    assert _speakers(nlp, text) == ["Peter Holm"]


def test_a_team_named_after_a_person_the_recogniser_reads_as_a_body_is_the_team(nlp: Any) -> None:
    """`The Varn team`, `Varn` read as an organisation: the team speaks, not `Varn` (PolNeAR: `The Trump
    team` grew into Ivanka Trump). Fictional."""
    text = "Lidia Varn spoke on Monday in Tarsby.\n\nThe Varn team has said single people would qualify for tax breaks."
    assert _speakers(nlp, text) == ["Varn team"]


def _joined_names(nlp: Any, verb: str, tag: str) -> Any:
    """`Dorn and Varn, who VERB it`, parsed by hand: the parse the PolNeAR sentence got (`Govs. Jeb Bush and
    Chris Christie, who say`), which fictional sentences do not reliably get from the model."""
    words = ["Dorn", "and", "Varn", ",", "who", verb, "it", "."]
    return Doc(
        nlp.vocab,
        words=words,
        spaces=[True, True, False, True, True, True, False, False],
        tags=["NNP", "CC", "NNP", ",", "WP", tag, "PRP", "."],
        deps=["ROOT", "cc", "conj", "punct", "nsubj", "relcl", "dobj", "punct"],
        heads=[0, 0, 0, 2, 5, 2, 5, 0],
    )


def test_a_relative_clause_with_a_plural_verb_on_the_last_of_joined_names_is_about_all(nlp: Any) -> None:
    plural, singular = _joined_names(nlp, "say", "VBP"), _joined_names(nlp, "says", "VBZ")
    who = Span(15, 18)
    assert _coordinated(plural[2], plural, who) and not _coordinated(singular[2], singular, who)
    assert _coordinated(singular[0], singular, who)  # the first of them: always all


# Session 25: what reading PolNeAR showed (the sentences are fictional, as above).


def test_plural_party_and_group_names_are_groups_and_no_surname_joins_them() -> None:
    assert [speaker_kind(name) for name in ("Republicans", "Harbour Democrats", "critics", "Senate officials")] == [
        GROUP
    ] * 4
    assert [speaker_kind(name) for name in ("Piet Evans", "Sanders", "Indiana GOP")] == [
        PERSON,
        PERSON,
        ORGANISATION,
    ]
    speakers, canonical = link_speakers([("Harbour Democrats", "Harbour Democrats"), ("Democrats", "Democrats")])
    assert canonical == {"Democrats": "Democrats", "Harbour Democrats": "Harbour Democrats"}  # no surname rule
    assert [(speaker.name, speaker.aliases, speaker.kind) for speaker in speakers] == [
        ("Democrats", (), GROUP),
        ("Harbour Democrats", (), GROUP),
    ]


def test_a_count_of_a_group_speaks_for_nobody(nlp: Any) -> None:
    # The parse reads `Majorities` as a proper noun here, which before quotes 15 named a speaker `Majorities`
    text = (
        "That includes about 1 in 10 harbour voters who are of Cuban descent.  ___.  5:05 p.m.  Majorities of "
        "Democrats in five states going to the polls Tuesday say they would be satisfied with both candidates."
    )
    assert _speakers(nlp, text) == [None]


def test_one_of_a_persons_staff_unnamed_speaks_for_the_persons_campaign(nlp: Any) -> None:
    text = "Anneke Holm's campaign opened an office in Delft. One Holm spokesman said the tolls would not rise."
    assert _speakers(nlp, text) == ["Holm campaign"]
    named = "Anneke Holm toured the harbour. A Holm spokesman, Piet Dorn, said the tolls would not rise."
    assert _speakers(nlp, named) == ["Piet Dorn"]
    in_full = "A senior Anneke Holm aide said the tolls would not rise."  # no body named: the team, by surname
    assert _speakers(nlp, in_full) == ["Holm team"]


def test_a_passive_cue_gives_its_agent_and_the_one_asked_says_nothing(nlp: Any) -> None:
    assert _speakers(nlp, "Anneke Holm was warned by Piet Dorn that the tolls would rise.") == ["Piet Dorn"]
    asked = (
        "“We will build it,” Piet Dorn said on Monday. Joost Holm was asked whether the tolls would rise. "
        "“We will see,” he said."
    )
    assert _speakers(nlp, asked) == ["Piet Dorn", None, "Joost Holm"]  # the question is nobody's; Holm answers


def test_an_expletive_it_speaks_for_nobody(nlp: Any) -> None:
    text = (
        "The Harbour Court met on Monday. “We will rule soon,” the court said. It was said that the tolls would rise."
    )
    assert _speakers(nlp, text) == ["Harbour Court", None]


def test_she_skips_a_man_the_pronouns_after_his_name_tell(nlp: Any) -> None:
    text = (
        "Maria Lopez chairs the harbour board. “We will build the bridge,” said Tjeerd Smith, as his aides cheered. "
        "“It is far too dear,” she said."
    )
    assert _speakers(nlp, text) == ["Tjeerd Smith", "Maria Lopez"]


# Session 26, fictional sentences for what PolNeAR showed: `he` given to Hillary Clinton (a title before
# another name read as hers), `Hillary Rodham Clinton` apart from `Hillary Clinton`, `Supporters` a speaker,
# another Clinton aide given to Clinton, a group's qualifier listed as its role.


def test_a_title_genders_only_the_name_right_after_it(nlp: Any) -> None:
    """`Mr. Dorn attacked Kim Holm` made Holm a man and `a spokeswoman for Kim Lind` Lind a woman."""
    attacked = "Mr. Dorn attacked Kim Holm on Monday. “We will win,” Kim Holm said.\n\n“The tolls will fall,” she said."
    assert _speakers(nlp, attacked)[-2:] == ["Kim Holm", "Kim Holm"]
    spokeswoman = (
        "A spokeswoman for Kim Lind wrote to the board. “We will win,” Kim Lind said.\n\n"
        "“The tolls will fall,” he said."
    )
    assert _speakers(nlp, spokeswoman)[-2:] == ["Kim Lind", "Kim Lind"]


def test_the_bare_surname_tells_the_gender_of_the_articles_one_person_of_it(nlp: Any) -> None:
    """`Mrs. Holm` makes the article's one Holm a woman, so `he` after her quote is somebody else."""
    text = (
        "Joost Lind opened the harbour on Monday. Kim Holm spoke next. Mrs. Holm said the tolls were too high.\n\n"
        "“We will win,” Kim Holm said. “The fares will fall,” he said."
    )
    assert _speakers(nlp, text)[-2:] == ["Kim Holm", "Joost Lind"]


def test_a_middle_name_is_a_form_of_the_same_persons_name() -> None:
    speakers, canonical = link_speakers(
        [("Hilde Rodham Holm", "Hilde Rodham Holm"), ("Hilde Holm", "Hilde Holm"), ("Hilde Holm", "Hilde Holm")]
    )
    assert [speaker.name for speaker in speakers] == ["Hilde Holm"]
    assert canonical["Hilde Rodham Holm"] == "Hilde Holm"
    two, _ = link_speakers([("Hilde Holm", None), ("Joost Rodham Holm", None)])
    assert len(two) == 2  # another first name: another person


def _with_people(nlp: Any, text: str, names: list[str]) -> Any:
    """The text parsed, with `names` read as PERSON entities, as the recogniser read them in PolNeAR."""
    doc = nlp(text)
    spans = [doc.char_span(text.index(name), text.index(name) + len(name), label="PERSON") for name in names]
    doc.ents = spans
    return doc


def test_a_lone_plural_of_supporters_or_staff_names_nobody(nlp: Any) -> None:
    text = "Supporters of Anneke Holm warned that the tolls would rise. Aides said that the fares would fall."
    doc = _with_people(nlp, text, ["Supporters", "Anneke Holm", "Aides"])
    assert [quote.speaker for quote in extract_quotes(doc)] == [None, None]


def test_the_person_whose_aide_speaks_does_not_speak(nlp: Any) -> None:
    """PolNeAR: `the FBI summary, Mills and another Clinton aide` was Clinton's (Mills read as a body)."""
    text = "The harbour board, Varn and another Pieter Holm aide said that the tolls would rise."
    doc = _with_people(nlp, text, ["Pieter Holm"])
    assert [quote.speaker for quote in extract_quotes(doc)] == [None]  # not Holm; the board is no entity here
    one = "One Pieter Holm aide said that the tolls would rise."
    assert [quote.speaker for quote in extract_quotes(_with_people(nlp, one, ["Pieter Holm"]))] == ["Holm team"]


def test_a_groups_qualifier_is_no_role() -> None:
    assert role_in("Wyoming Republicans", "Republicans") is None
    assert role_in("Harbour Democrats of Velmora", "Harbour Democrats") is None
    assert role_in("Republicans, the Senate majority,", "Republicans") == "Senate majority"  # an apposition is
    assert role_in("Harbour Board Chair Anneke Holm", "Anneke Holm") == "Harbour Board Chair"


def test_he_grows_a_surname_into_the_namesake_known_to_be_a_man(nlp: Any) -> None:
    """Of `Pieter Holm` and `Kim Holm` (whose given name tells nothing), `he` is Pieter."""
    text = "Pieter Holm and Kim Holm opened the museum on Monday. Holm cut it.\n\n“The tolls will rise,” he said."
    assert _speakers(nlp, text) == ["Pieter Holm"]


# Session 27, fictional sentences for what PolNeAR showed: `he` given to Hillary Clinton and `she` to Barack
# Obama where the article told her gender only by `her`, by `she` past another name, or by `Mrs.` beside a
# namesake, or where nobody of the pronoun's gender was near; a report as its own speaker.


def test_a_possessive_her_after_a_subject_tells_her_gender(nlp: Any) -> None:
    """`Kim` tells nothing; `Kim Holm will hold her ...` does, so `he` after her quote is Pieter Dorn."""
    text = (
        "Pieter Dorn opened the harbour. Kim Holm will hold her first meeting on Monday. "
        "“We will win,” Kim Holm said.\n\n“The tolls will fall,” he said."
    )
    assert _speakers(nlp, text) == ["Kim Holm", "Pieter Dorn"]


def test_a_pronoun_past_a_name_of_the_other_gender_tells_the_subjects(nlp: Any) -> None:
    text = (
        "Kim Holm prosecuted Pieter Dorn at the debate as she sought the chair. "
        "“We will win,” Kim Holm said.\n\n“The tolls will fall,” he said."
    )
    assert _speakers(nlp, text)[-2:] == ["Kim Holm", "Pieter Dorn"]


def test_mrs_beside_a_namesake_known_to_be_a_man_is_the_other_one(nlp: Any) -> None:
    text = (
        "Pieter Holm and Kim Holm opened the museum on Monday. Mrs. Holm cut the ribbon. "
        "“We will win,” Kim Holm said.\n\n“The tolls will fall,” he said."
    )
    assert _speakers(nlp, text)[-1] == "Pieter Holm"


def test_he_and_she_go_to_nobody_rather_than_a_person_of_unknown_gender(nlp: Any) -> None:
    """Past the last speaker, a person known to be of the pronoun's gender named shortly before, or one of
    unknown gender in its sentence or the one before: `my mother` is nobody named, not Mayor Dorn two
    sentences back (PolNeAR gave such a `she` to Barack Obama), while Kim Varn (`Kim` tells nothing) one
    sentence back is."""
    text = (
        "Like Mayor Dorn, I believe in the harbour. My father died years ago. My mother has softened with age, but "
        "even now she says that the tolls are too high."
    )
    assert _speakers(nlp, text)[-1] is None
    near = "Pieter Dorn was joined on the call by Kim Varn, the harbour master. She said that the tolls are too high."
    assert _speakers(nlp, near)[-1] == "Kim Varn"


def test_a_last_speaker_of_unknown_gender_gives_way_to_a_person_of_the_pronouns(nlp: Any) -> None:
    text = (
        "“We will win,” Dorn said. The pact was signed by Anneke Holm before the vote.\n\n"
        "“The tolls will fall,” she said."
    )
    assert _speakers(nlp, text) == ["Dorn", "Anneke Holm"]


def test_an_organisations_word_before_of_or_a_slash_types_an_organisation() -> None:
    """PolNeAR typed `Department of Justice`, `Bank of Japan` and a poll's `Washington Post/ABC` persons, which
    `he` and `she` could then stand for (fictional names but the first)."""
    assert speaker_kind("Department of Justice") == ORGANISATION
    assert speaker_kind("Harbour Board of Velmora") == ORGANISATION
    assert speaker_kind("Velmora Times/Harbour News") == ORGANISATION
    assert speaker_kind("Lidia Varn of Velmora") == PERSON  # a person of a place


def test_the_bare_surname_is_only_its_one_persons_not_a_namesake_the_recogniser_missed(nlp: Any) -> None:
    """`Mr. Holm` is the article's one Pieter Holm, not an Anneke Holm it names without a PERSON entity (PolNeAR:
    Ivanka Trump, unread, took Donald Trump's `Mr.`, so `She has pushed back` was nobody's)."""
    text = "Pieter Holm opened the harbour. Mr. Holm spoke at noon."
    doc = nlp(text)
    mentions = [doc.char_span(text.index("Pieter Holm"), text.index(" opened"), label="PERSON")]
    mentions.append(doc.char_span(text.index("Holm spoke"), text.index(" spoke"), label="PERSON"))
    people = People(text, mentions)
    assert people.gender_of("Pieter Holm") == "male"
    assert people.gender_of("Anneke Holm") == "female"  # her given name's, not Mr. Holm's
