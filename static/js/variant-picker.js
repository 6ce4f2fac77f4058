// The variant picker of a product page (templates/products/includes/variant_picker.html).
// Without this script each choice is a link to the page with ?variant=SKU. With it, the same
// page is fetched and its picture and summary (price, picker, stock state, add-to-cart form)
// are swapped in, so the choice changes in place and the address still names the variant.
(function () {
  "use strict";
  var regions = ["product-media", "product-summary"];

  function swap(html, url) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    regions.forEach(function (id) {
      var current = document.getElementById(id);
      var replacement = fresh.getElementById(id);
      if (current && replacement) {
        current.replaceWith(replacement);
      }
    });
    history.replaceState(null, "", url);
    var picker = document.querySelector("[data-variant-picker]");
    var chosen = picker && picker.querySelector("[aria-current]");
    if (chosen) {
      chosen.setAttribute("tabindex", "-1");
      chosen.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-variant-picker] a.variant-choice");
    if (!link || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    fetch(link.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.statusText);
        }
        return response.text();
      })
      .then(function (html) {
        swap(html, link.href);
      })
      .catch(function () {
        window.location.href = link.href; // let the server render it
      });
  });
})();
