"""Cash on delivery: the courier collects the money."""

from commerce.payments.gateways import PaymentGateway, PaymentResult
from commerce.payments.models import PaymentMethod, PaymentStatus


class CashOnDelivery(PaymentGateway):
    """Nothing to authorise: the courier collects the money; the payment stays pending."""

    method = PaymentMethod.CASH_ON_DELIVERY
    label = "Cash on delivery"
    calls_provider = False

    def authorise(self, amount, reference, card=None):
        return PaymentResult(status=PaymentStatus.PENDING)

    def refund(self, token, amount, idempotency_key):
        """Nothing was taken through a gateway: cash collected is handed back by staff."""
        return ""
