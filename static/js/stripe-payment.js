// The Stripe pay page (templates/commerce/checkout/stripe_payment.html): Stripe's own card
// field, and confirmCardPayment, which also runs the bank's 3-D Secure step. The card goes
// from this page to Stripe only; the shop's server then reads the payment back at the
// return URL.
(function () {
  "use strict";
  var form = document.getElementById("stripe-payment");
  if (!form || typeof Stripe === "undefined") {
    return;
  }
  var stripe = Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card");
  var errors = document.getElementById("card-errors");
  var button = document.getElementById("pay-button");
  card.mount("#card-element");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errors.textContent = "";
    stripe
      .confirmCardPayment(form.dataset.clientSecret, { payment_method: { card: card } })
      .then(function (result) {
        if (result.error && result.error.type === "validation_error") {
          // Nothing was sent: the shopper corrects the card and tries again.
          errors.textContent = result.error.message;
          button.disabled = false;
          return;
        }
        // Paid, declined or not authenticated: the server reads the payment and says which.
        window.location.assign(form.dataset.returnUrl);
      });
  });
})();
