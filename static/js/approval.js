/* The approval page's running totals (issue 12 §7): as units are ticked, add up their seats,
   area, rent and internet from the data attributes the server rendered on each checkbox, and
   say it in the totals panel (aria-live). Progressive enhancement: without it the panel shows
   the totals of the last post, and the server checks everything when approving.
   Money and area are added in hundredths as whole numbers, never as floats. */
(function () {
  "use strict";

  var form = document.querySelector("[data-approval-form]");
  if (!form) {
    return;
  }
  var boxes = Array.prototype.slice.call(
    form.querySelectorAll("input[type=checkbox][data-seats]")
  );

  function hundredths(text) {
    var parts = String(text || "0").split(".");
    var whole = parseInt(parts[0], 10) || 0;
    var fraction = ((parts[1] || "") + "00").slice(0, 2);
    var sign = whole < 0 || parts[0].charAt(0) === "-" ? -1 : 1;
    return whole * 100 + sign * parseInt(fraction, 10);
  }

  function grouped(whole) {
    return String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function money(cents) {
    var whole = Math.floor(cents / 100);
    var rest = String(cents % 100);
    return grouped(whole) + "." + (rest.length < 2 ? "0" + rest : rest);
  }

  function show(name, text) {
    var node = form.querySelector('[data-total="' + name + '"]');
    if (node) {
      node.textContent = text;
    }
  }

  function update() {
    var units = 0;
    var seats = 0;
    var area = 0;
    var rent = 0;
    var internet = 0;
    boxes.forEach(function (box) {
      if (!box.checked) {
        return;
      }
      units += 1;
      seats += parseInt(box.getAttribute("data-seats"), 10) || 0;
      area += hundredths(box.getAttribute("data-area"));
      rent += hundredths(box.getAttribute("data-rent"));
      internet += hundredths(box.getAttribute("data-internet"));
    });
    show("units", String(units));
    show("seats", grouped(seats));
    show("area", money(area));
    show("rent", money(rent));
    show("internet", money(internet));
  }

  boxes.forEach(function (box) {
    box.addEventListener("change", update);
  });
  update();
})();
