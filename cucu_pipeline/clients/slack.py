"""Where alerts go: Slack's Web API through `dagster-slack`, or the log when no channel is configured."""

from __future__ import annotations

import logging

import dagster as dg
from dagster_slack import SlackResource
from slack_sdk.web.client import WebClient

SLACK_API_URL = "https://slack.com/api/"
logger = logging.getLogger(__name__)


class AlertChannel(dg.ConfigurableResource):
    """The `alerts` resource; sensors depend on this interface only."""

    def post(self, text: str) -> None:
        raise NotImplementedError

    def share(self, text: str) -> bool:
        """A report for the team (the weekly read), not an alert: posted where there is a channel; whether it was."""
        return False


class SlackAlerts(SlackResource, AlertChannel):
    """Posts to `channel` as the bot whose token is `SLACK_BOT_TOKEN`."""

    channel: str
    api_url: str = SLACK_API_URL

    def get_client(self) -> WebClient:
        return WebClient(self.token, base_url=self.api_url, timeout=10)

    def post(self, text: str) -> None:
        self.get_client().chat_postMessage(channel=self.channel, text=text)

    def share(self, text: str) -> bool:
        self.post(text)
        return True


class LoggedAlerts(AlertChannel):
    """Without a Slack channel, the alert is a warning in the sensor's log."""

    def post(self, text: str) -> None:
        logger.warning(text)
