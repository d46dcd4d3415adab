"""Response views of mail preferences."""

from __future__ import annotations

from collections.abc import Sequence

from timeward.config import ProcessorSettings
from timeward.mail.models import ProductNews
from timeward.mail.preferences import Choice
from timeward.mail.product_news import news_subject
from timeward.mail.schemas import MailChoiceView, ProductNewsView


def choice_views(choices: Sequence[Choice]) -> list[MailChoiceView]:
    return [MailChoiceView(c.topic, c.subscribed, c.chosen) for c in choices]


def product_news_view(news: ProductNews, processor: ProcessorSettings) -> ProductNewsView:
    return ProductNewsView(
        news.id,
        news_subject(processor, news.subject),
        news.created_at,
        news.recipients,
        news.sent_at,
    )
