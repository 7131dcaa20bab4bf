"""Consent: a member who opted out, by flag, by status or by a STOP reply, is never qualified or queued again."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from cucu_pipeline.campaign.publishing import cooldown_review, message_key
from cucu_pipeline.profiles.message_history import OPT_OUT_REPLIES
from cucu_pipeline_tests.conftest import member
from cucu_pipeline_tests.profiles.test_eligibility import reason_for

DATES = st.dates(dt.date(2023, 2, 1), dt.date(2027, 12, 31))


def _spelled(word: str) -> st.SearchStrategy[str]:
    """A keyword as a member might type it: any case, surrounding spaces, a trailing full stop or exclamation."""
    return st.tuples(
        st.sampled_from([word, word.upper(), word.title()]),
        st.sampled_from(["", " ", "\n"]),
        st.sampled_from(["", ".", "!"]),
    ).map(lambda parts: f"{parts[1]}{parts[0]}{parts[2]}{parts[1]}")


STOP_REPLY = (
    st.sampled_from(sorted(OPT_OUT_REPLIES)).flatmap(_spelled).map(lambda text: {"message": text, "status": "received"})
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
