/* Coding screen: select a passage, choose a code, save with fetch; highlights per coder.
 *
 * The text block holds the transcript as plain text; highlights are spans whose concatenated text is the
 * same text, so character offsets computed from a DOM Range equal offsets in the pseudonymised text the
 * server stores. Without JavaScript the same form works with typed offsets.
 *
 * A long transcript comes in pages (issue 17): the block holds characters data-offset onwards, codings
 * keep absolute positions, a coding crossing a page cut is drawn clipped to the page (with a dotted edge
 * where it goes on), and a selection is sent as data-offset plus its place in the page. Offsets count
 * Unicode code points, as the server does, not UTF-16 units.
 */
(function () {
  "use strict";
  const box = document.getElementById("transcript-text");
  if (!box) return;
  const chars = Array.from(box.textContent);  // code points: the server's offsets
  const offset = Number(box.dataset.offset || 0);
  const length = chars.length;
  const local = (position) => Math.min(Math.max(position - offset, 0), length);
  const dataNode = document.getElementById("codings-data");
  let codings = dataNode ? JSON.parse(dataNode.textContent) : [];
  const form = document.getElementById("coding-form");
  const status = document.getElementById("coding-status");
  const preview = document.getElementById("selection-preview");
  const table = document.getElementById("codings-table");
  const me = box.dataset.me ? Number(box.dataset.me) : null;

  function shownCoders() {
    const boxes = document.querySelectorAll(".coder-filter");
    if (!boxes.length) return null;
    return new Set(Array.from(boxes).filter((b) => b.checked).map((b) => Number(b.value)));
  }

  function render() {
    const coders = shownCoders();
    const visible = codings.filter((c) => coders === null || coders.has(c.coder) || !knownCoder(c.coder));
    const cuts = new Set([0, length]);
    visible.forEach((c) => { cuts.add(local(c.start)); cuts.add(local(c.end)); });
    const points = Array.from(cuts).sort((a, b) => a - b);
    const fragment = document.createDocumentFragment();
    for (let i = 0; i < points.length - 1; i++) {
      const a = points[i], b = points[i + 1];
      const piece = chars.slice(a, b).join("");
      const over = visible.filter((c) => local(c.start) <= a && local(c.end) >= b && c.end > c.start);
      if (!over.length) { fragment.appendChild(document.createTextNode(piece)); continue; }
      const mark = document.createElement("mark");
      mark.className = "iv-hl" + (over.length > 1 ? " iv-hl-multi" : "");
      if (a === 0 && over.some((c) => c.start < offset)) mark.classList.add("iv-hl-cut-before");
      if (b === length && over.some((c) => c.end > offset + length)) mark.classList.add("iv-hl-cut-after");
      mark.style.backgroundColor = over[0].colour;
      mark.title = over.map((c) => c.code_name + " · " + c.coder_name).join("\n");
      mark.textContent = piece;
      fragment.appendChild(mark);
    }
    box.replaceChildren(fragment);
  }

  function knownCoder(id) {
    return Array.from(document.querySelectorAll(".coder-filter")).some((b) => Number(b.value) === id);
  }

  function offsetIn(node, offset) {
    const range = document.createRange();
    range.selectNodeContents(box);
    range.setEnd(node, offset);
    return Array.from(range.toString()).length;
  }

  function readSelection() {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    if (!box.contains(range.startContainer) || !box.contains(range.endContainer)) return;
    let start = offsetIn(range.startContainer, range.startOffset);
    let end = offsetIn(range.endContainer, range.endOffset);
    while (start < end && /\s/.test(chars[start])) start++;  // trim spaces the mouse catches
    while (end > start && /\s/.test(chars[end - 1])) end--;
    if (end <= start || !form) return;
    form.elements.start.value = offset + start;  // absolute, whatever the page
    form.elements.end.value = offset + end;
    const quote = chars.slice(start, end).join("");
    preview.textContent = "« " + (quote.length > 160 ? quote.slice(0, 160) + "…" : quote) + " » (" + (offset + start) + "–" + (offset + end) + ")";
  }

  function addCoderFilter(id, name) {
    const holder = document.getElementById("coder-filters");
    if (!holder || knownCoder(id)) return;
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox"; input.className = "coder-filter"; input.value = id; input.checked = true;
    input.addEventListener("change", render);
    label.append(input, " " + name + " ");
    holder.appendChild(label);
  }

  function renderTable() {
    if (!table) return;
    const body = table.tBodies[0];
    const token = form ? form.elements.csrfmiddlewaretoken.value : "";
    const rows = codings.map((c) => {
      const tr = document.createElement("tr");
      tr.dataset.coding = c.id;
      [c.code_name, c.coder_name, c.start + "–" + c.end, c.quote.length > 200 ? c.quote.slice(0, 199) + "…" : c.quote]
        .forEach((value, index) => {
          const td = document.createElement("td");
          td.textContent = value;
          if (index === 3 && box.lang) td.lang = box.lang;  // the quote, in the transcript's language
          tr.appendChild(td);
        });
      const td = document.createElement("td");
      const may = table.dataset.canDelete === "all" || (table.dataset.canDelete === "own" && c.coder === me);
      if (may) {
        const f = document.createElement("form");
        f.method = "post";
        f.action = table.dataset.deleteUrl.replace("/0/", "/" + c.id + "/");
        const hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = "csrfmiddlewaretoken"; hidden.value = token;
        const page = document.createElement("input");
        page.type = "hidden"; page.name = "page"; page.value = box.dataset.page || "1";
        const button = document.createElement("button");
        button.type = "submit"; button.className = "secondary"; button.textContent = table.dataset.removeLabel || "×";
        f.append(hidden, page, button);
        td.appendChild(f);
      }
      tr.appendChild(td);
      return tr;
    });
    if (!rows.length && table.dataset.empty) {
      const tr = document.createElement("tr");
      const td = document.createElement("td");
      td.colSpan = 5;
      td.textContent = table.dataset.empty;
      tr.appendChild(td);
      rows.push(tr);
    }
    body.replaceChildren(...rows);
  }

  // The legend's counts follow each coding added or removed (the server sends the codes with their counts).
  function renderLegend(codes) {
    const legend = document.getElementById("code-legend");
    if (!legend || !codes) return;
    codes.forEach((c) => {
      let item = legend.querySelector('li[data-code="' + c.id + '"]');
      if (!item) {
        item = document.createElement("li");
        item.dataset.code = c.id;
        item.style.marginLeft = (c.depth || 0) + "rem";
        const swatch = document.createElement("span");
        swatch.className = "iv-swatch";
        const name = document.createElement("span");
        name.className = "iv-code-name";
        const count = document.createElement("small");
        count.className = "iv-count";
        item.append(swatch, " ", name, " ", count);
        legend.appendChild(item);
      }
      item.querySelector(".iv-swatch").style.background = c.colour;
      item.querySelector(".iv-code-name").textContent = c.name;
      item.querySelector(".iv-count").textContent = "(" + c.count + ")";
    });
  }

  // Removing a coding from the table: the same form, sent with fetch so the page is not reloaded.
  if (table) {
    table.addEventListener("submit", async (event) => {
      const target = event.target;
      if (!(target instanceof HTMLFormElement)) return;
      event.preventDefault();
      let response;
      try {
        response = await fetch(target.action, {
          method: "POST",
          body: new FormData(target),
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
      } catch (error) {
        if (status) status.textContent = String(error);
        return;
      }
      if (!response.ok) { target.submit(); return; }  // let the server say why, as without JavaScript
      const data = await response.json();
      codings = data.codings;
      render();
      renderTable();
      renderLegend(data.codes);
      if (status) { status.classList.remove("iv-error"); status.textContent = status.dataset.removed || "✓"; }
    });
  }

  document.addEventListener("selectionchange", () => { if (document.activeElement === box || box.contains(window.getSelection().anchorNode)) readSelection(); });
  box.addEventListener("mouseup", readSelection);
  box.addEventListener("keyup", readSelection);
  document.querySelectorAll(".coder-filter").forEach((b) => b.addEventListener("change", render));

  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      status.textContent = "…";
      let response;
      try {
        response = await fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
      } catch (error) {
        status.textContent = String(error);
        return;
      }
      const data = await response.json();
      if (!response.ok) { status.textContent = data.error; status.classList.add("iv-error"); return; }
      status.classList.remove("iv-error");
      codings = data.codings;
      const added = codings.find((c) => c.id === data.coding);
      if (added) {
        addCoderFilter(added.coder, added.coder_name);
        status.textContent = form.dataset.saved ? form.dataset.saved.replace("%s", added.code_name) : "✓ " + added.code_name;
      }
      const select = form.elements.code;
      data.codes.forEach((c) => {
        if (!Array.from(select.options).some((o) => Number(o.value) === c.id)) select.add(new Option(c.name, c.id));
      });
      if (form.elements.new_code.value && added) { select.value = String(added.code); form.elements.new_code.value = ""; }
      form.elements.memo.value = "";
      render();
      renderTable();
      renderLegend(data.codes);
    });
  }
  render();
})();
