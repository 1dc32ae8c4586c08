"""All tables, imported together so Alembic, the mapper and the tests see one metadata."""

from app.models.agencies import Agency, ApiClient
from app.models.audit import AuditChainHead, AuditEvent
from app.models.events import Event, EventAudience
from app.models.idempotency import IdempotencyKey
from app.models.operations import RescueOperation, RescueOperationParticipant
from app.models.ratelimit import rate_counters
from app.models.referrals import (
    Decision,
    ReconsiderationRequest,
    Referral,
    ReferralStatusChange,
)
from app.models.victims import Consent, ConsentWithdrawal, Victim
from app.models.webhooks import WebhookDelivery, WebhookSubscription

__all__ = [
    "Agency",
    "ApiClient",
    "AuditChainHead",
    "AuditEvent",
    "Consent",
    "ConsentWithdrawal",
    "Decision",
    "Event",
    "EventAudience",
    "IdempotencyKey",
    "ReconsiderationRequest",
    "Referral",
    "ReferralStatusChange",
    "RescueOperation",
    "RescueOperationParticipant",
    "Victim",
    "WebhookDelivery",
    "WebhookSubscription",
    "rate_counters",
]
