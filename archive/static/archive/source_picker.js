/* A text filter over the options of a source picker (forms.SourcePicker: a <select> with
 * data-source-picker). Progressive enhancement: without this script the select works as
 * it is. Loaded as a static file (the form's media), never as inline script.
 *
 * Typing keeps the options whose text holds every word typed (case and accents ignored);
 * the empty choice and the chosen source always stay. A status line says how many match.
 */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function enhance(select, index) {
    var id = (select.id || "source-picker-" + index) + "-filter";
    // What the select holds, in order: loose options and groups with their options.
    var blocks = Array.prototype.map.call(select.children, function (node) {
      var options = node.tagName === "OPTGROUP" ? Array.prototype.slice.call(node.children) : [node];
      return { group: node.tagName === "OPTGROUP" ? node : null, options: options };
    });
    var total = 0;
    blocks.forEach(function (block) {
      block.options.forEach(function (option) {
        option.dataset.filterText = fold(option.textContent);
        if (option.value) total += 1;
      });
    });

    var box = document.createElement("div");
    // Its own line under the select, aligned with it as the admin aligns help text.
    box.className = "help source-filter";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = "Filter sources:";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.setAttribute("aria-controls", select.id);
    var status = document.createElement("span");
    status.id = id + "-status";
    status.setAttribute("role", "status");
    input.setAttribute("aria-describedby", status.id);
    box.appendChild(label);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(input);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(status);
    var row = select.closest(".flex-container") || select;
    row.parentNode.insertBefore(box, row.nextSibling);

    function filter() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var chosen = select.value;
      var shown = 0;
      while (select.firstChild) select.removeChild(select.firstChild);
      blocks.forEach(function (block) {
        var kept = block.options.filter(function (option) {
          var text = option.dataset.filterText;
          return (
            !option.value ||
            option.value === chosen ||
            words.every(function (word) {
              return text.indexOf(word) !== -1;
            })
          );
        });
        shown += kept.filter(function (option) {
          return option.value;
        }).length;
        if (block.group) {
          while (block.group.firstChild) block.group.removeChild(block.group.firstChild);
          kept.forEach(function (option) {
            block.group.appendChild(option);
          });
          if (kept.length) select.appendChild(block.group);
        } else if (kept.length) {
          select.appendChild(kept[0]);
        }
      });
      select.value = chosen;
      status.textContent = words.length ? shown + " of " + total + " sources shown" : "";
    }

    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (event) {
      // Enter in the filter goes to the list, not to submitting the form.
      if (event.key === "Enter") {
        event.preventDefault();
        select.focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-source-picker]").forEach(enhance);
  });
})();
