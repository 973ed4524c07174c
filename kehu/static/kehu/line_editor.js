// The line editor of a form marked `data-line-editor` (quotes, opportunities): add and remove line rows (a
// Django formset), fill a row from the chosen product, show the price that applies as a hint, and an
// estimate of the totals. The saved totals come from the server. No inline scripts (CSP); works again after
// htmx swaps the form (#form-card).
//
// The form holds: rows `[data-lines] [data-line]` whose inputs carry `data-line-field` ("product", "name",
// and optionally "unit", "quantity", "unit_price", "discount_percent", "tax_rate"), a
// `<template data-line-template>` with the formset's empty form, a `[data-line-add]` button, optionally a
// `[data-line-totals]` box with any of `[data-total="subtotal|discount|tax|total"]`, a price list select
// `[data-price-list]` and the price hints as JSON (`json_script`, an id ending in "price-hints").
(function () {
  "use strict";

  function field(row, name) {
    return row.querySelector('[data-line-field="' + name + '"]');
  }

  function number(input, fallback) {
    var raw = input && input.value.trim() !== "" ? input.value : fallback;
    var value = parseFloat(String(raw === undefined || raw === null ? "" : raw).replace(",", "."));
    return isFinite(value) ? value : 0;
  }

  function hints(form) {
    var el = form.querySelector('script[id$="price-hints"]');
    if (!el) return {};
    if (!el._parsed) el._parsed = JSON.parse(el.textContent || "{}");
    return el._parsed;
  }

  function priceListId(form) {
    var select = form.querySelector("[data-price-list]");
    return select ? select.value : "";
  }

  // The chosen product's option, or null for a free-text line.
  function productOption(row) {
    var select = field(row, "product");
    if (!select || !select.value) return null;
    return select.options[select.selectedIndex];
  }

  function hintedPrice(form, row) {
    var option = productOption(row);
    if (!option) return "";
    var byList = hints(form)[priceListId(form)] || {};
    return byList[option.value] || option.dataset.price || "";
  }

  function showHints(form, row) {
    var option = productOption(row);
    var price = field(row, "unit_price");
    var tax = field(row, "tax_rate");
    if (price) {
      if (!price.dataset.defaultPlaceholder) price.dataset.defaultPlaceholder = price.placeholder;
      price.placeholder = option ? hintedPrice(form, row) : price.dataset.defaultPlaceholder;
    }
    if (tax) {
      if (!tax.dataset.defaultPlaceholder) tax.dataset.defaultPlaceholder = tax.placeholder;
      tax.placeholder = option ? option.dataset.tax || "" : tax.dataset.defaultPlaceholder;
    }
  }

  // Fill the description and unit from the product, unless the user typed their own.
  function fillFromProduct(form, row) {
    var option = productOption(row);
    ["name", "unit"].forEach(function (name) {
      var input = field(row, name);
      if (!input) return;
      var auto = input.dataset.autoValue;
      if (input.value === "" || input.value === auto) {
        input.value = option ? option.dataset[name] || "" : "";
        input.dataset.autoValue = input.value;
      }
    });
    showHints(form, row);
  }

  function isRemoved(row) {
    var box = row.querySelector("[data-line-delete] input[type=checkbox]");
    return box ? box.checked : false;
  }

  function rows(form) {
    return Array.prototype.slice.call(form.querySelectorAll("[data-lines] [data-line]"));
  }

  function money(value) {
    return value.toLocaleString("en-US", {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
  }

  function cents(value) {
    return Math.round(value * 100) / 100;
  }

  // An estimate, as the server computes it (totals.py): line amounts, total discount, tax by rate.
  function updateTotals(form) {
    var box = form.querySelector("[data-line-totals]");
    if (!box) return;
    var totalDiscount = number(form.querySelector('[name="discount_percent"]'), 0);
    var subtotal = 0;
    var byRate = {};
    rows(form).forEach(function (row) {
      if (isRemoved(row)) return;
      var option = productOption(row);
      var name = field(row, "name");
      if (!option && !(name && name.value.trim())) return;
      var taxInput = field(row, "tax_rate");
      var defaultTax = taxInput ? taxInput.dataset.defaultPlaceholder || taxInput.placeholder : 0;
      var price = number(field(row, "unit_price"), hintedPrice(form, row));
      var amount = cents(number(field(row, "quantity"), 0) * price * (100 - number(field(row, "discount_percent"), 0)) / 100);
      var rate = taxInput ? number(taxInput, option ? option.dataset.tax : defaultTax) : 0; // no tax field: no tax
      subtotal += amount;
      byRate[rate] = (byRate[rate] || 0) + amount;
    });
    var discount = cents(subtotal * totalDiscount / 100);
    var tax = 0;
    Object.keys(byRate).forEach(function (rate) {
      tax += cents(byRate[rate] * (100 - totalDiscount) / 100 * parseFloat(rate) / 100);
    });
    var values = { subtotal: subtotal, discount: discount ? -discount : 0, tax: tax, total: subtotal - discount + tax };
    Object.keys(values).forEach(function (key) {
      var cell = box.querySelector('[data-total="' + key + '"]');
      if (cell) cell.textContent = money(cents(values[key]));
    });
  }

  function addRow(form) {
    var template = form.querySelector("template[data-line-template]");
    var total = form.querySelector('input[name$="-TOTAL_FORMS"]');
    var max = form.querySelector('input[name$="-MAX_NUM_FORMS"]');
    if (!template || !total) return;
    var index = parseInt(total.value, 10) || 0;
    if (max && index >= parseInt(max.value, 10)) return;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    form.querySelector("[data-lines]").appendChild(row);
    total.value = String(index + 1);
    init(form);
    var select = field(row, "product");
    if (select) select.focus();
  }

  function removeRow(form, row) {
    var box = row.querySelector("[data-line-delete] input[type=checkbox]");
    if (box) box.checked = true;
    row.classList.add("d-none");
    row.setAttribute("data-removed", "");
    updateTotals(form);
  }

  function init(form) {
    form.querySelectorAll("[data-line-add], [data-line-totals]").forEach(function (el) {
      el.classList.remove("d-none");
    });
    rows(form).forEach(function (row) {
      var remove = row.querySelector("[data-line-remove]");
      var check = row.querySelector("[data-line-delete]");
      if (remove) remove.classList.remove("d-none");
      if (check) check.classList.add("d-none");
      if (isRemoved(row)) row.classList.add("d-none");
      ["name", "unit"].forEach(function (name) {
        var input = field(row, name);
        var option = productOption(row);
        if (input && option && input.dataset.autoValue === undefined && input.value === option.dataset[name]) {
          input.dataset.autoValue = input.value;
        }
      });
      showHints(form, row);
    });
    updateTotals(form);
  }

  function formOf(el) {
    return el.closest ? el.closest("form[data-line-editor]") : null;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-line-add], [data-line-remove]");
    var form = button && formOf(button);
    if (!form) return;
    event.preventDefault();
    if (button.hasAttribute("data-line-add")) addRow(form);
    else removeRow(form, button.closest("[data-line]"));
  });

  document.addEventListener("change", function (event) {
    var form = formOf(event.target);
    if (!form) return;
    if (event.target.matches('[data-line-field="product"]')) fillFromProduct(form, event.target.closest("[data-line]"));
    if (event.target.matches("[data-price-list]")) rows(form).forEach(function (row) { showHints(form, row); });
    updateTotals(form);
  });

  document.addEventListener("input", function (event) {
    var form = formOf(event.target);
    if (form) updateTotals(form);
  });

  function initAll() {
    document.querySelectorAll("form[data-line-editor]").forEach(init);
  }

  document.addEventListener("DOMContentLoaded", initAll);
  document.addEventListener("htmx:afterSettle", initAll);
})();
