"""Two small browser widgets the stock ipywidgets lack: a clickable table and a download.

Both are anywidgets with their JavaScript inline, so Voilà serves them from the kernel
with no CDN. Cell text is set with ``textContent``: a lead named ``<script>`` stays text.
"""

from __future__ import annotations

from collections.abc import Callable

import anywidget
import traitlets

_TABLE_ESM = """
function render({ model, el }) {
  function draw() {
    const columns = model.get("columns");
    const selected = model.get("selected");
    const table = document.createElement("table");
    table.className = "wb-queue";
    const head = table.createTHead().insertRow();
    for (const c of columns) {
      const th = document.createElement("th");
      th.textContent = c.title;
      if (c.numeric) th.className = "wb-num";
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const row of model.get("rows")) {
      const tr = body.insertRow();
      tr.dataset.lead = row.lead_id;
      if (row.lead_id === selected) tr.classList.add("wb-selected");
      for (const c of columns) {
        const td = tr.insertCell();
        const value = row[c.key];
        const text = value === null || value === undefined ? "" : String(value);
        if (c.link && text) {
          // tel:/mailto: links; a click calls or writes, and does not also open the card
          const a = document.createElement("a");
          a.href = c.link + ":" + (c.link === "tel" ? text.replace(/[^+0-9]/g, "") : text);
          a.textContent = text;
          a.addEventListener("click", (e) => e.stopPropagation());
          td.appendChild(a);
        } else {
          td.textContent = text;
        }
        for (const sub of c.sub || []) {
          // a second line in the same cell (company under a name, email under a phone)
          const line = row[sub.key];
          if (!line) continue;
          const div = document.createElement(sub.link ? "a" : "div");
          div.className = "wb-sub";
          div.textContent = String(line);
          if (sub.link) {
            div.href = sub.link + ":" + String(line);
            div.style.display = "block";
            div.addEventListener("click", (e) => e.stopPropagation());
          }
          td.appendChild(div);
        }
        td.title = td.textContent;  // the whole text on hover, where a cell is cut short
        if (c.numeric) td.classList.add("wb-num");
        if (c.wrap) td.classList.add("wb-wrap");
        if (c.badge) td.classList.add("wb-badge", "wb-badge-" + String(value).replace(/\\W/g, "_"));
      }
      tr.addEventListener("click", () => {
        model.set("selected", row.lead_id);
        model.save_changes();
      });
    }
    if (!model.get("rows").length) {
      const td = body.insertRow().insertCell();
      td.colSpan = columns.length;
      td.className = "wb-empty";
      td.textContent = model.get("empty_text");
    }
    el.style.overflowX = "auto";  // a narrow screen scrolls the table, never clips it
    el.style.maxWidth = "100%";
    el.replaceChildren(table);
  }
  draw();
  model.on("change:rows", draw);
  model.on("change:columns", draw);
  model.on("change:selected", draw);
}
export default { render };
"""

_TABLE_CSS = """
.wb-queue { border-collapse: collapse; width: 100%; font-size: 13px; }
.wb-queue th { text-align: left; border-bottom: 2px solid #ccc; padding: 4px 6px; }
.wb-queue td { border-bottom: 1px solid #eee; padding: 4px 6px; white-space: nowrap;
  max-width: 360px; overflow: hidden; text-overflow: ellipsis; }
.wb-queue td.wb-wrap { white-space: normal; min-width: 220px; max-width: 420px; }
.wb-queue tbody tr { cursor: pointer; }
.wb-queue tbody tr:hover { background: #f3f7fb; }
.wb-queue tr.wb-selected { background: #dbe9f7; }
.wb-queue .wb-num { text-align: right; font-variant-numeric: tabular-nums; }
.wb-queue .wb-sub { color: #555; font-size: 12px; overflow: hidden; text-overflow: ellipsis; }
.wb-queue a, .wb-queue a.wb-sub { color: #1f5fa8; text-decoration: none; }
.wb-queue a:hover { text-decoration: underline; }
.wb-queue .wb-empty { color: #666; font-style: italic; cursor: default; }
.wb-badge { font-weight: 600; }
.wb-badge-A { color: #1a7f37; } .wb-badge-B { color: #b35c00; } .wb-badge-C { color: #666; }
"""

_DOWNLOAD_ESM = """
function render({ model, el }) {
  const button = document.createElement("button");
  button.className = "jupyter-button wb-download";
  function sync() {
    button.textContent = model.get("label");
    button.disabled = model.get("disabled");
  }
  sync();
  model.on("change:label", sync);
  model.on("change:disabled", sync);
  button.addEventListener("click", () => model.send({ event: "download" }));
  model.on("msg:custom", (msg, buffers) => {
    if (msg.event !== "file") return;
    const blob = new Blob([buffers[0]], { type: msg.mime });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = msg.filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  });
  el.appendChild(button);
}
export default { render };
"""


class RowTable(anywidget.AnyWidget):
    """A table of a few dozen rows; clicking a row sets ``selected`` to its ``lead_id``.

    ``columns``: ``[{"key", "title", "numeric"?, "badge"?, "wrap"?, "link"?, "sub"?}]``:
    ``link`` is ``"tel"`` or ``"mailto"``; ``sub`` lists ``{"key", "link"?}`` shown as
    further lines of the cell. ``rows``: JSON-safe dicts.
    """

    _esm = _TABLE_ESM
    _css = _TABLE_CSS
    columns = traitlets.List().tag(sync=True)
    rows = traitlets.List().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    empty_text = traitlets.Unicode("No leads match these filters.").tag(sync=True)


_URL_ESM = """
function render({ model, el }) {
  const keys = model.get("names");
  const start = {};
  const url = new URL(window.location.href);
  for (const k of keys) {
    const v = url.searchParams.get(k);
    if (v) start[k] = v;
  }
  if (Object.keys(start).length) {
    model.set("params", start);
    model.save_changes();
  }
  model.on("change:params", () => {
    const u = new URL(window.location.href);
    const p = model.get("params");
    for (const k of keys) {
      if (p[k]) u.searchParams.set(k, p[k]);
      else u.searchParams.delete(k);
    }
    window.history.replaceState(window.history.state, "", u);
  });
  el.style.display = "none";
}
export default { render };
"""


class UrlState(anywidget.AnyWidget):
    """The page URL's query parameters ``names``, both ways: the page opened with
    ``?owner=Dana`` sets ``params`` once it renders; setting ``params`` rewrites the URL
    (other parameters, such as a token, are kept). So a bookmark or a shared link opens the
    same view."""

    _esm = _URL_ESM
    names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    params = traitlets.Dict().tag(sync=True)


class DownloadButton(anywidget.AnyWidget):
    """A button that downloads a file the kernel makes when it is clicked.

    ``make`` returns ``(filename, bytes, mime)``. The bytes travel as one binary buffer
    over the widget channel and are saved by the browser: no file is written on the server.
    """

    _esm = _DOWNLOAD_ESM
    label = traitlets.Unicode("Download").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)

    def __init__(self, make: Callable[[], tuple[str, bytes, str]], **kwargs):
        super().__init__(**kwargs)
        self._make = make
        self.on_msg(self._on_click)

    def _on_click(self, _widget, content, _buffers) -> None:
        if content.get("event") == "download":
            filename, data, mime = self._make()
            self.send({"event": "file", "filename": filename, "mime": mime}, [data])


_RESIZE_ESM = """
function render({ model, el }) {
  el.style.display = "none";
  let observer = null, last = -1, frame = 0;
  function watch() {
    const root = el.closest("." + model.get("root_class"));
    if (!root) {  // not in the page yet (JupyterLab renders a view before attaching it)
      frame = requestAnimationFrame(watch);
      return;
    }
    observer = new ResizeObserver(() => {
      if (root.clientWidth === last) return;
      last = root.clientWidth;
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => window.dispatchEvent(new Event("resize")));
    });
    observer.observe(root);
  }
  watch();
  return () => { cancelAnimationFrame(frame); if (observer) observer.disconnect(); };
}
export default { render };
"""


class WidthWatcher(anywidget.AnyWidget):
    """Tells the page's charts when the element of class ``root_class`` changes width.

    A chart with ``width="container"`` measures its element when drawn and again on a window
    resize, but JupyterLab draws an output before it is in the page (width 0: an empty
    chart) and opening or closing its file browser changes the width without a window
    resize. This invisible widget watches the element and sends one resize event per change.
    """

    _esm = _RESIZE_ESM
    root_class = traitlets.Unicode("wb-tune").tag(sync=True)
