"""Consent: a member who opted out, by flag, by status or by a STOP reply, is never qualified or queued again."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cucu_pipeline.campaign.publishing.records import cooldown_review, message_key
from cucu_pipeline.profiles.consent import OPT_OUT_KEYWORDS
from cucu_pipeline_tests.conftest import member
from cucu_pipeline_tests.profiles.test_eligibility import reason_for, reasons_for

DATES = st.dates(dt.date(2023, 2, 1), dt.date(2027, 12, 31))


def _spelled(word: str) -> st.SearchStrategy[str]:
    """A keyword as a member might type it: any case, surrounding spaces, a trailing full stop or exclamation."""
    return st.tuples(
        st.sampled_from([word, word.upper(), word.title()]),
        st.sampled_from(["", " ", "\n"]),
        st.sampled_from(["", ".", "!"]),
    ).map(lambda parts: f"{parts[1]}{parts[0]}{parts[2]}{parts[1]}")


STOP_REPLY = (
    st.sampled_from(sorted(OPT_OUT_KEYWORDS))
    .flatmap(_spelled)
    .map(lambda text: {"message": text, "status": "received"})
)
OPT_OUT_STATUS = st.sampled_from(["opted_out", "Opted Out", "STOP", "unsubscribed"]).map(
    lambda status: {"status": status}
)


def _record(fields: dict, day: dt.date, record_id: str) -> dict:
    return {
        "id": record_id,
        "createdTime": f"{day}T18:00:00.000Z",
        "fields": {"user_id": "u1", "created_date": f"{day}T18:00:00Z", **fields},
    }


@pytest.mark.slow
@settings(max_examples=120, deadline=None)
@given(opt_out=st.one_of(STOP_REPLY, OPT_OUT_STATUS), recorded=DATES, campaign_date=DATES, rerun=st.booleans())
def test_an_opt_out_in_airtable_excludes_the_member_on_every_date_and_rerun(opt_out, recorded, campaign_date, rerun):
    """Before or after the opt-out, and when re-running a date whose text to the member is already queued."""
    records = [_record(opt_out, recorded, "recStop")]
    if rerun:
        own = {"status": "queued", "message_key": message_key(campaign_date, "u1"), "campaign_date": str(campaign_date)}
        records.append(_record(own, campaign_date, "recOwn"))
    assert reason_for(member("u1", "Ana", "Ruiz"), records, date=campaign_date) == "opted_out"
    queued = {"message_key": message_key(campaign_date, "u1"), "user_id": "u1", "campaign_date": str(campaign_date)}
    review = cooldown_review(records, [queued], campaign_date, cooldown_days=7)
    assert review.conflicts == {queued["message_key"]: "opted_out"}


@settings(max_examples=40, deadline=None)
@given(campaign_date=DATES)
def test_the_member_flag_excludes_the_member_on_every_date(campaign_date):
    assert reason_for(member("u1", "Ana", "Ruiz", smsOptOut=True), date=campaign_date) == "opted_out"


def test_only_a_bare_keyword_is_a_stop_reply():
    """Our own texts end with "Reply STOP to opt out" and a reply like "stop by later" is not a revocation."""
    for text in ("Cuculi: Hi Ana! Reply STOP to opt out", "stop by later?", "The end of summer supper"):
        assert (
            reason_for(
                member("u1", "Ana", "Ruiz"),
                [_record({"message": text, "status": "received"}, dt.date(2024, 1, 2), "r")],
            )
            is None
        )


def _reply(text: str, day: str, record: str = "recReply", **who) -> dict:
    """An inbound reply as Twilio records it: often only the sender's number."""
    fields = {"message": text, "status": "received", "created_date": f"{day}T18:00:00Z", **who}
    return {"id": record, "createdTime": f"{day}T18:00:00.000Z", "fields": fields}


ANA = member("u1", "Ana", "Ruiz", phone="+1 415-555-0101")


@pytest.mark.parametrize(
    "text",
    [
        "STOP", "stop.", " S T O P ", "Stop!!!", "OptOut", "opt-out", "Revoke", "stop all", "UNSUBSCRIBE",
        # Plain words a person uses to revoke consent (47 CFR 64.1200(a)(10): "any reasonable means").
        "stop please", "Please stop", "please stop texting me", "Stop messaging me!", "stop sending these texts",
        "opt out", "Opt me out", "I want to opt out", "remove me", "Remove me from this list", "unsubscribe me",
        "no more texts", "No more messages please", "leave me alone", "Don't text me again", "do not contact me",
        "take me off your list", "wrong number", "not interested", "STOP STOP STOP", "stop it",
        # Normalized before matching: full-width letters (NFKC), a trailing signature line.
        "ＳＴＯＰ", "Ｓｔｏｐ ｐｌｅａｓｅ", "Stop\n-- Sent from my iPhone", "STOP\nAna Ruiz",
        "stop\r\n\r\nThanks, Ana",
        # Every word the FCC names for revoking consent, in a phrase (April 2025).
        "Quit texting me", "quit sending me these", "Please end these texts", "cancel the messages", "End texts",
        "revoke my consent", "Revoke consent", "unsubscribe from this please", "opt out pls",
        # "remove" alone or with "me".
        "REMOVE", "Remove.", "remove me please",
        # The common Spanish opt-outs.
        "ALTO", "Alto por favor", "Parar", "BAJA", "baja por favor", "Cancelar", "detener", "No más mensajes",
        "no quiero más mensajes", "Quiero darme de baja", "dejen de enviarme mensajes",
    ],
)  # fmt: skip
def test_a_reply_asking_to_stop_in_any_words_opts_the_person_out(text):
    assert reason_for(ANA, [_reply(text, "2024-01-05", user_phone="(415) 555 0101")]) == "opted_out"


@pytest.mark.parametrize(
    "text",
    ["stop by later?", "Can't wait, see you there", "yes please, one seat", "What time does it end?", "Thanks!",
     "cancel my booking for Friday please", "Is there parking?", "The end of summer supper was great",
     "Remove the onions from my order please", "para mi esposa también?", "¿Hay estacionamiento?", "Ｔｈａｎｋｓ！",
     "See you there\n-- Sent from my iPhone", "I'll quit my job for this dinner", "Can I cancel and rebook?"],
)  # fmt: skip
def test_a_reply_that_does_not_ask_to_stop_keeps_consent(text):
    assert reason_for(ANA, [_reply(text, "2024-01-05", user_phone="(415) 555 0101")]) is None


@pytest.mark.parametrize("who", [{"user_phone": "(415) 555 0101"}, {"user_phone": "+14155550101"},
                                 {"user_email": " Ana.Ruiz@Email.com "}, {"user_id": "u1"}])  # fmt: skip
def test_a_reply_is_tied_to_its_person_by_phone_email_or_id(who):
    assert reason_for(ANA, [_reply("STOP", "2024-01-05", **who)]) == "opted_out"


@pytest.mark.parametrize("word", ["START", "unstop", "Yes"])
def test_start_unstop_or_yes_after_an_opt_out_restores_consent_from_that_reply_on(word):
    stop = _reply("stop please", "2024-01-05", "recStop", user_phone="(415) 555 0101")
    again = _reply(word, "2024-01-06", "recStart", user_phone="(415) 555 0101")
    assert reason_for(ANA, [stop, again]) is None
    # The latest reply wins, whatever order the table lists them in; a STOP after the START opts out again.
    assert reason_for(ANA, [again, stop]) is None
    later_stop = _reply("STOP", "2024-01-07", "recStop2", user_phone="(415) 555 0101")
    assert reason_for(ANA, [stop, again, later_stop]) == "opted_out"


def test_yes_without_an_earlier_opt_out_changes_nothing_and_never_lifts_the_app_flag():
    assert reason_for(ANA, [_reply("YES", "2024-01-05", user_id="u1")]) is None
    flagged = member("u1", "Ana", "Ruiz", phone="+1 415-555-0101", smsOptOut=True)
    assert reason_for(flagged, [_reply("START", "2024-01-05", user_id="u1")]) == "opted_out"


def test_a_stop_from_one_record_opts_out_every_record_of_the_person():
    work = member("u2", "Ana", "Ruiz", phone="(415) 555 0101", email="ana@work.example")
    reasons = reasons_for([ANA, work], [_reply("STOP", "2024-01-05", user_email="ana@work.example")])
    assert reasons.to_dict() == {"u1": "opted_out", "u2": "opted_out"}


def test_an_opt_out_by_phone_holds_back_publishing_too():
    stop = _reply("remove me", "2024-01-05", user_phone="(415) 555-0101")
    queued = {"message_key": message_key(dt.date(2024, 2, 10), "u1"), "user_id": "u1", "user_phone": "+14155550101"}
    review = cooldown_review([stop], [queued], dt.date(2024, 2, 10), cooldown_days=7)
    assert review.conflicts == {queued["message_key"]: "opted_out"}
