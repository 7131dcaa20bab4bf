"""The columns of every asset, with their types and meaning, shown in the UI as `dagster/column_schema`.

A test materializes the graph and checks each table has exactly these columns, so this page cannot drift.
"""

from __future__ import annotations

import dagster as dg

from cucu_pipeline.defs.source_columns import RAW_EVENTS, RAW_USERS, SOURCE_COLUMNS
from cucu_pipeline.profiles.message_history import AS_OF_COLUMNS

_MESSAGE = {
    "user_id": ("string", "Member id."),
    "event_id": ("string", "Matched event id."),
    "campaign": ("string", "`Return to Table`, `Seat The Newcomer` or `Fill the Table`."),
    "message": ("string", "The SMS, brand to booking link."),
    "skip_reason": ("string", "Why nothing was sent, when nothing was."),
}

_HISTORY = {
    **SOURCE_COLUMNS["raw_messages"],
    "person_id": ("string", "The person the message is about: by member id, else email, else phone."),
    "sent_date": ("datetime", "When the team sent it, if before the reference instant."),
    "status_as_of": (
        "string",
        "`sent`, `queued` (pending at the reference instant), `held_out` or `other`, as of the campaign date.",
    ),
    "contact_day": ("datetime", "The Pacific day the person was contacted (sent, else queued for)."),
}

COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    **SOURCE_COLUMNS,
    "qualified_users": {
        **RAW_USERS,
        "person_id": (
            "string",
            "The person the record belongs to (records sharing a phone or email): the smallest id.",
        ),
    },
    "qualified_events": RAW_EVENTS,
    "people": {
        "id": ("string", "Member id."),
        "mongo_id": ("string", "MongoDB `_id` (hosts and old records may name a member by it)."),
        "person_id": (
            "string",
            "The person the record belongs to (records sharing a phone or email, transitively): the smallest id.",
        ),
        "last_active": (
            "datetime",
            "Latest sign-up, attended event or order before the reference instant: a person is texted from the "
            "most recently active of their records that qualify.",
        ),
    },
    "message_history": {name: _HISTORY[name] for name in AS_OF_COLUMNS},
    "person_standing": {
        "person_id": ("string", "Person with a history or a consent event on the date."),
        "queued_message_count": ("int", "Texts pending at the reference instant."),
        "total_messages_sent": ("int", "Texts sent before the reference instant."),
        "last_message_sent_date": ("datetime", "Day of the last text sent."),
        "last_contact_day": ("datetime", "Day of the last text or holdout."),
        "unanswered_streak": ("int", "Texts and holdouts since the last one a booking answered."),
        "contacts_in_cap_window": ("int", "Texts and holdouts in the last 30 days (the monthly cap)."),
        "recent_texts": ("list<string>", "The last three texts, newest first: the next must not echo them."),
        "opt_out_source": ("string", "How the person revoked consent (`status`, `keyword_reply`...), else empty."),
        "cooldown_days": ("int", "The cooldown now applying: 7, doubling after each unanswered text, up to 56."),
    },
    "enriched_users": {
        "id": ("string", "Member id."),
        "person_id": (
            "string",
            "The person the record belongs to; history, consent and the contact policy are theirs.",
        ),
        "name": ("string", "Full name."),
        "first_name": ("string", "First name."),
        "email": ("string", "Email. Masked in previews; never sent to Claude."),
        "phone": ("string", "Phone in E.164. Masked in previews; never sent to Claude."),
        "interests": ("list<string>", "Interests."),
        "cuisine_preferences": ("list<string>", "Cuisines the member likes."),
        "dietary_restrictions": ("list<string>", "Allergies and diets; the matcher avoids conflicting events."),
        "table_type_preference": ("string", "Preferred table."),
        "relationship_status": ("string", "Relationship status."),
        "occupation": ("string", "Occupation."),
        "gender": ("string", "Gender."),
        "home_neighborhood": ("string", "Home neighborhood."),
        "work_neighborhood": ("string", "Work neighborhood."),
        "role": ("string", "`USER` or `POTENTIAL`."),
        "age": ("int", "Age on the campaign date."),
        "event_count": ("int", "Events attended before the reference instant (not canceled)."),
        "last_event_date": ("datetime", "Start of the last attended event."),
        "days_since_last_event": ("int", "Pacific calendar days since the last attended event."),
        "days_since_signup": ("int", "Pacific calendar days since sign-up."),
        "historical_event_names": ("list<string>", "Names of attended events, most recent first."),
        "event_history": (
            "json",
            "Attended events (listed or paid for), most recent first: id, name, date, venue, host, categories, "
            "features.",
        ),
        "venue_history": ("list<string>", "Venues visited."),
        "event_hosts": ("list<string>", "Hosts met, most often first."),
        "favorite_event_types": ("list<string>", "Top three categories attended."),
        "average_events_per_month": ("float", "Events attended per month since sign-up."),
        "invited_event_names": ("list<string>", "Upcoming events the member is invited to."),
        "friends": ("list<string>", "Members who shared two or more past events, most shared first."),
        "total_orders": ("int", "Paid orders before the reference instant."),
        "total_spend": ("float", "Dollars paid in those orders."),
        "last_order_date": ("datetime", "Last paid order."),
        "events_hosted": (
            "int",
            "Events the person hosted (`ownerId`) before the reference instant; a host is never a newcomer.",
        ),
        "hosted_event_names": ("list<string>", "Names of the events the person hosted, most recent first."),
        "has_queued_messages": ("bool", "A text is still queued as of the date."),
        "queued_message_count": ("int", "Texts still queued as of the date."),
        "has_sent_messages": ("bool", "The member was ever texted before the date."),
        "total_messages_sent": ("int", "Texts sent before the reference instant."),
        "last_message_sent_date": ("date", "Pacific day of the last text sent or queued."),
        "days_since_last_message": ("int", "Days since that text; 30+ or none adds `Reply STOP to opt out`."),
        "recent_texts": ("list<string>", "The person's last three texts, newest first: the next must not echo them."),
        "can_send_new_message": ("bool", "No pending text, outside the cooldown, not opted out."),
        "is_new_user": ("bool", "Signed up 30 days ago or less."),
        "has_never_attended_events": ("bool", "No attended event."),
        "hasnt_attended_in_60_days": ("bool", "Last event more than 60 days ago."),
        "signed_up_online": ("bool", "Role `POTENTIAL`."),
        "recently_attended_last_week": ("bool", "Attended within 7 days."),
        "is_on_team": ("bool", "A Cuculi team member (never texted)."),
        "primary_status": (
            "string",
            "First match of new_user, signed_up_online, never_attended, dormant_60_days, "
            "active_recent, active_regular.",
        ),
        "engagement_tier": ("string", "`high`, `medium` or `low`."),
        "user_segment": ("string", "new_online_signup, new_app_user, churned, dormant, first_timer or active_regular."),
        "personalization_score": ("int", "0–100: how much a copywriter can use."),
        "has_enough_fields_to_personalize": ("bool", "Three of interests, cuisines, age and occupation are known."),
        "should_request_more_details": ("bool", "Cuisine preferences or birthday missing."),
        "summary": ("string", "Profile in prose for the writer: no phone, no email."),
    },
    "enriched_events": {
        "id": ("string", "Event id."),
        "name": ("string", "Event name."),
        "start_date": ("datetime", "Start instant."),
        "end_date": ("datetime", "End instant."),
        "day_of_week": ("string", "Pacific weekday of the start."),
        "venue_name": ("string", "Venue."),
        "neighborhood": ("string", "Neighborhood."),
        "categories": ("list<string>", "Categories."),
        "features": ("list<string>", "Features."),
        "max_participants": ("int", "Seats."),
        "participant_count": ("int", "Guests who joined."),
        "spots_left": ("int", "Seats left."),
        "fill_rate": ("float", "Guests / seats, 0–1."),
        "description": ("string", "Description with markup removed."),
        "host_name": ("string", "Host's name."),
        "common_occupations": ("list<string>", "Top five occupations of the guests."),
        "common_interests": ("list<string>", "Top five interests of the guests."),
        "average_age": ("int", "Average age of the guests."),
        "has_low_occupancy": ("bool", "Under 30% full, or under 3 guests at a table of 10 or more."),
        "participant_names": ("list<string>", "First names of the guests."),
        "summary": ("string", "Event in prose for the writer."),
    },
    "event_matches": {
        "user_id": ("string", "Member id."),
        "event_id": ("string", "The event allocated under the caps; empty when skipped."),
        "campaign": ("string", "Campaign of the pick (Return > Newcomer > Fill)."),
        "reasoning": ("string", "Why this event, in a sentence."),
        "confidence": ("int", "Score of the pick, 0–100."),
        "skip_reason": (
            "string",
            "`no_eligible_event`, `no_low_occupancy_event` or `event_capacity_reached` when skipped.",
        ),
        "candidates": (
            "list<string>",
            "Event ids the writer may pick from: the allocated one first, then short-listed ones with room left.",
        ),
        "candidate_scores": ("list<float>", "Their scores."),
        "candidate_caps": ("list<int>", "Their caps for the date (seats left × invites per seat, less outstanding)."),
    },
    "matched_messages": {
        **{name: _MESSAGE[name] for name in ("user_id", "event_id", "campaign")},
        "arm": ("string", "The member's arm of the experiment: `holdout` (recorded, never texted) or a variant."),
        "when": (
            "string",
            "When the event is, as the text says it: `tonight at 7pm`, `Friday at 7pm`, `Sat Jun 21 at 7pm`.",
        ),
        "message": _MESSAGE["message"],
        "segments": ("int", "SMS segments: 1, or 2 when the bare facts cannot fit one."),
        "encoding": ("string", "`GSM-7` or `UCS-2`."),
        "check_results": ("json", "Rule -> `ok` or what failed."),
        "warnings": ("list<string>", "Soft rules that failed (e.g. a mention of wine)."),
        "status": ("string", "`ready` (writer's text passed), `fallback` (template), `skipped` or `holdout`."),
        "skip_reason": _MESSAGE["skip_reason"],
        "attempts": ("int", "1 first draft, 2 regenerated, 3 template."),
        "writer_unavailable": ("bool", "Claude could not be reached for this member: the template wrote the text."),
        "writer_error": ("string", "The writer's last error for this member (e.g. `OverloadedError: 529`), if any."),
        "needs_opt_out": ("bool", "No text in 30 days: the text carries `Reply STOP to opt out`."),
        "model": ("string", "Claude model id, or `template`."),
        "reasoning": (
            "string",
            "The writer's reason for the pick (the template's: the campaign and every reason's evidence).",
        ),
        "reasons": ("json", "Why this member would go, strongest first: `kind: evidence` (docs/quality.md: Reasons)."),
        "lead_reason": ("string", "The kind of reason the text leads with (`last_seats`, `taste`, ...)."),
        "line": ("string", "The copy library line the template wrote it from; empty for Claude's own words."),
        "confidence": ("int", "The writer's confidence, 0–100."),
        "calls": ("int", "Claude calls for this member."),
        "input_tokens": ("int", "Input tokens (uncached)."),
        "output_tokens": ("int", "Output tokens."),
        "cache_read_tokens": ("int", "Input tokens read from the prompt cache."),
        "cache_write_tokens": ("int", "Input tokens written to the prompt cache."),
        "cost_usd": ("float", "Estimated cost in dollars (writing and judging)."),
        "quality_score": (
            "float",
            "The judge's mean score, 1-5 (docs/quality.md); empty for a skipped or held-out row.",
        ),
        "quality_scores": ("json", "The judge's score per criterion: tone, personal, natural, call_to_action, fit."),
        "quality_issues": ("list<string>", "What the judge found wrong, each prefixed by its criterion."),
        "needs_review": (
            "bool",
            "No version reached the threshold: the template text went, for the team to read first.",
        ),
        "judge_unavailable": (
            "bool",
            "Claude's judge could not answer for this text: the local judge's score stood in.",
        ),
        "judge_calls": ("int", "Judge calls for this member (included in `calls`)."),
        "judge_cost_usd": ("float", "What judging cost (included in `cost_usd`)."),
        "send_timezone": ("string", "Member's time zone, from the phone's area code (Pacific when unknown)."),
        "send_after": ("datetime", "Send no earlier than 10:00 local on the campaign date (ISO, local offset)."),
        "send_before": (
            "datetime",
            "Send no later than 20:00 local, or an hour before a same-day event (ISO, local offset).",
        ),
    },
    "published_messages": {
        "message_key": ("string", "`{campaign_date}:{user_id}`, the upsert key in Airtable."),
        "campaign_date": ("date", "Campaign date."),
        **{name: _MESSAGE[name] for name in ("user_id", "event_id", "message")},
        "airtable_record_id": ("string", "Airtable record id written or kept."),
        "outcome": ("string", "`created`, `updated` or `skipped`."),
        "skip_reason": (
            "string",
            "When skipped: `cooldown_conflict`, `later_text` (a text dated after this date), `opted_out` or "
            "`already_sent`.",
        ),
    },
    "arm_allocation": {
        "campaign": ("string", "`Return to Table`, `Seat The Newcomer` or `Fill the Table`."),
        "arm": ("string", "`holdout` or a variant of `CUCU_EXPERIMENT`."),
        "texts": ("int", "Texts of the variant sent on the closed dates pooled (empty for the holdout)."),
        "bookings": ("int", "Of those, the members who booked the invited event in the window."),
        "posterior_mean": ("float", "Mean of the variant's Beta(1 + bookings, 1 + texts - bookings) booking rate."),
        "posterior_low": ("float", "2.5th percentile of that posterior."),
        "posterior_high": ("float", "97.5th percentile of that posterior."),
        "p_best": ("float", "Probability the variant's booking rate is the campaign's best."),
        "share": ("float", "Share of the campaign's members the date assigns to the arm."),
        "learning": ("bool", "Whether the variants' shares follow `p_best` (`CUCU_LEARNING`)."),
    },
    "campaign_outcomes": {
        "campaign_date": ("date", "Campaign date the member was assigned on."),
        "user_id": ("string", "Member id."),
        "experiment": ("string", "Experiment name (`CUCU_EXPERIMENT`)."),
        "arm": ("string", "`holdout` (recorded, never texted) or the message variant."),
        "campaign": ("string", "Campaign of the match."),
        "event_id": ("string", "The event the member was (or, held out, would have been) invited to."),
        "user_segment": ("string", "The member's segment on the campaign date."),
        "lead_reason": ("string", "The kind of reason the text led with; empty for a holdout or an older record."),
        "line": ("string", "The copy library's line that wrote the text, or `claude`; empty for a holdout."),
        "sent": ("bool", "The team marked the text sent (never for a holdout)."),
        "booked_invited_event": ("bool", "A paid order for the invited event within the attribution window."),
        "booked_any_event": ("bool", "A paid order for any event within the attribution window."),
        "days_to_booking": ("float", "Days from the reference instant to the first paid order in the window."),
        "opted_out": ("bool", "A STOP recorded within the attribution window."),
        "cost_usd": ("float", "What the text cost: writing it, and its SMS segments when sent."),
        "window_closed": (
            "bool",
            "The attribution window had closed when this was counted: final, and the weekly read uses it as stored.",
        ),
    },
    "campaign_performance": {
        "campaign_date": ("date", "One of the 28 pooled campaign dates."),
        "members": ("int", "Members the experiment assigned on the date."),
        "texts_sent": ("int", "Texts the team sent."),
        "cost_usd": ("float", "What the date's texts cost (SMS and Claude)."),
        "lift_to_date": ("float", "Booking rate (any event) of the variants minus the holdout's, dates so far pooled."),
        "lift_to_date_low": ("float", "Lower end of its 95% Newcombe interval."),
        "lift_to_date_high": ("float", "Upper end of its 95% Newcombe interval."),
    },
}


def column_schema(asset: str) -> dict[str, dg.TableSchemaMetadataValue]:
    """Definition metadata for `asset`: its columns, so the UI shows them before the first run."""
    columns = [dg.TableColumn(name, kind, description) for name, (kind, description) in COLUMNS[asset].items()]
    return {"dagster/column_schema": dg.MetadataValue.table_schema(dg.TableSchema(columns=columns))}
