"""The tuning app: marketers move sliders, every view shows at once what the change does.

Widgets bind, the engine computes: each callback builds the next model
(``model.with_points`` …), calls :func:`workbench.score_totals` on signals computed once,
hands small aggregates to the chart builders and tables. Sliders report on release
(``continuous_update=False``), which debounces a drag into one re-score.
"""

from __future__ import annotations

import html
from pathlib import Path

import altair as alt
import ipywidgets as w
import numpy as np
import pandas as pd

from workbench.analysis import metrics
from workbench.analysis.hypothetical import score_hypothetical
from workbench.analysis.sales import lead_names
from workbench.engine.reasons import reasons_table, word_reasons
from workbench.engine.scoring import Totals, contributions, score_totals
from workbench.engine.signals import Signals, refresh_signals, rules_key
from workbench.errors import WorkbenchError
from workbench.learning.calibration import MIN_CLASS, Calibration, calibrate
from workbench.model.diff import model_changes
from workbench.model.points import criterion_points_rows
from workbench.model.spec import Model
from workbench.model.versioning import SavedVersion, VersionExists, save_version, version_path
from workbench.text import number_text, percent
from workbench.ui.calibration_charts import suggestion_charts
from workbench.ui.charts import distribution_template, waterfall_chart, with_datasets
from workbench.ui.errors import app_or_error
from workbench.ui.inputs import next_version_path, resolve_inputs, store_folder
from workbench.ui.offline import enable_offline_charts
from workbench.ui.tuning_publish import PublishPanel
from workbench.ui.widgets import WidthWatcher

STYLE = """<style>
.wb-tune { width: 100%; max-width: 100%; box-sizing: border-box; }
.wb-tune .wb-panels { display: flex; flex-flow: row wrap; align-items: flex-start;
  gap: 12px 20px; width: 100%; overflow: visible; }
.wb-tune .wb-controls { flex: 1 1 400px; max-width: 460px; min-width: 0; overflow: visible; }
.wb-tune .wb-views { flex: 999 1 500px; min-width: 0; overflow: visible; }
.wb-tune .wb-row { display: flex; flex-flow: row wrap; align-items: flex-start;
  gap: 8px 28px; max-width: 100%; overflow: visible; }
.wb-tune .wb-row > * { min-width: 0; max-width: 100%; }
.wb-tune .wb-fill { width: 100%; max-width: 100%; min-width: 0; }
.wb-tune .wb-chart { width: 100%; min-width: 0; }
.wb-tune .widget-hslider .widget-label, .wb-tune .widget-toggle-buttons .widget-label {
  white-space: normal; line-height: 15px; height: auto; min-height: 28px;
  display: flex; align-items: center; justify-content: flex-end; }
.wb-tune .widget-hslider { height: auto; min-height: 28px; }
.wb-tune .wb-hint { color: #666; font-weight: normal; font-size: 12px; }
.wb-tune .widget-html-content { line-height: 1.45; }
.wb-tune h3 { margin: 14px 0 4px 0; } .wb-tune h4 { margin: 8px 0 4px 0; }
.wb-tune .wb-table { border-collapse: collapse; font-size: 13px;
  font-variant-numeric: tabular-nums; }
.wb-tune .wb-table th, .wb-tune .wb-table td { padding: 3px 10px; text-align: right;
  white-space: nowrap; border-bottom: 1px solid #eee; }
.wb-tune .wb-table thead th { border-bottom: 1px solid #bbb; }
.wb-tune .wb-table tbody th { text-align: left; }
.wb-tune .wb-moves { margin: 6px 0 0 0; padding-left: 18px; color: #333; }
.wb-tune .wb-scroll { overflow-x: auto; max-width: 100%; }
</style>"""
"""The app's layout, added once with the app: side by side where the app has room for a
~400 px controls column and ~500 px of views (JupyterLab at 1366 px with the file browser
open), stacked (controls above views) below that; the wrap is flex's, so it follows the
width the app is given, not the window's. Every width is a share of the parent: nothing
needs a horizontal scrollbar, and a table wider than its column scrolls by itself."""

DESCRIPTION_WIDTH = "150px"
"""Slider labels: long ones wrap onto a second line, and show their whole text on hover."""


def _table(frame: pd.DataFrame, index: bool = True) -> str:
    """A small table (a few dozen cells) as HTML: counts with thousands separators."""
    frame = frame.set_axis(frame.index.astype(object))  # plain labels render much faster
    for c, dtype in frame.dtypes.items():
        if pd.api.types.is_integer_dtype(dtype):
            frame[c] = frame[c].map("{:,}".format)
    table = frame.to_html(index=index, border=0, classes="wb-table", float_format="{:,.3g}".format)
    return f"<div class='wb-scroll'>{table}</div>"


def _rate_cells(t: pd.DataFrame, converted: bool = False) -> pd.DataFrame:
    """Leads, rate and 95 % interval of a conversion table as a reader sees them: percentages,
    never the fractions the engine computes in."""
    return pd.DataFrame(
        {
            "leads": t["leads"].map("{:,}".format),
            **({"converted": t["converted"].map("{:,}".format)} if converted else {}),
            "rate": t["rate"].map(percent),
            "95 % interval": [
                "—" if lo != lo else f"{percent(lo)}–{percent(hi)}"
                for lo, hi in zip(t["low"], t["high"], strict=True)
            ],
        },
        index=t.index,
    )


def _show(slider: w.IntSlider, value: float) -> None:
    """Put ``value`` on a slider, widening its range first (a slider clamps what it cannot show)."""
    v = round(value)
    slider.min, slider.max = min(slider.min, v), max(slider.max, v)
    slider.value = v


def _slider(
    value: float, description: str, lo: int = -50, hi: int = 50, tooltip: str = ""
) -> w.IntSlider:
    """A slider as wide as its column; ``tooltip`` (default: the description) on hover."""
    lo, hi = min(lo, int(np.floor(value))), max(hi, int(np.ceil(value)))
    return w.IntSlider(
        value=round(value),
        min=lo,
        max=hi,
        description=description,
        tooltip=tooltip or description,
        continuous_update=False,  # one re-score per release, not per pixel dragged
        style={"description_width": DESCRIPTION_WIDTH},
        layout=w.Layout(width="100%", max_width="460px"),
    )


def _row(*children: w.Widget) -> w.Box:
    """Children side by side, wrapping onto the next line where the column is too narrow."""
    box = w.Box(list(children))
    box.add_class("wb-row")
    return box


def _hover_shows_value(field: w.Text) -> None:
    """The field's whole value as its tooltip, kept current: a path longer than the field."""

    def update(_=None) -> None:
        field.tooltip = field.value

    update()
    field.observe(update, names="value")


def _suggestion_html(cal: Calibration) -> str:
    """Metrics before and after a suggestion, conversion per category, and the evidence."""
    m = cal.metrics
    metrics = pd.DataFrame(
        {
            "AUC": m["auc"].map("{:.3f}".format).to_numpy(),
            "top 10 % convert": m["top10"].map(percent).to_numpy(),
        },
        index=["before", "after"],
    )

    conv = pd.concat(
        {
            "before": _rate_cells(cal.conversion["current"]),
            "after": _rate_cells(cal.conversion["suggested"]),
        },
        axis=1,
    )
    t = cal.suggestion.table
    evidence = pd.DataFrame(
        {
            "criterion": t["label"] + t["level"].map(lambda lv: f": {lv}" if lv else ""),
            "before": t["current"],
            "after": t["suggested"],
            "leads": t["leads"].map("{:,}".format),
            **_rate_cells(t).drop(columns="leads"),
            "note": t["note"],
        }
    )
    verdict = f"<p><b>{html.escape(cal.verdict.text())}</b></p>" if cal.verdict is not None else ""
    return (
        verdict
        + f"<p>Fitted on {int(m.loc['current', 'leads']):,} leads with an outcome; the figures "
        "are on the same leads, so they flatter the suggestion (the command "
        "<code>workbench calibrate</code> also runs a backtest). Undo reverts.</p>"
        + _table(metrics)
        + "<h4>Conversion by category, before and after</h4>"
        + _table(conv)
        + "<h4>Evidence for each value</h4>"
        + _table(evidence, index=False)
    )


class TuningApp:
    """Interactive tuning of ``model`` over precomputed ``signals``.

    ``model_file`` is the file ``model`` was read from: what *Publish* publishes once it is
    signed off (after a save, the saved file). ``store`` is where (default
    :func:`~workbench.ui.inputs.store_folder`).

    >>> app = TuningApp(model, signals)  # doctest: +SKIP
    >>> app.widget  # display in a notebook  # doctest: +SKIP
    """

    def __init__(
        self,
        model: Model,
        signals: Signals,
        *,
        save_path: str | Path | None = None,
        model_file: str | Path | None = None,
        store: str | Path | None = None,
    ):
        self.signals = signals
        self.model_file = Path(model_file) if model_file else None
        self.publisher = PublishPanel(
            signals.data.files, Path(store or store_folder(model_file)), signals.n_leads
        )
        self._signal_cache = {signals.key: signals}
        self.saved_model = model
        self.model = model
        self.history: list[Model] = []
        self.last_save: SavedVersion | None = None
        self.save_path = Path(save_path) if save_path else None
        self.outcome = metrics.outcome_array(signals)
        self.saved_totals = score_totals(model, signals)
        self.saved_hist = self._histogram(self.saved_totals)
        self.totals: Totals = self.saved_totals
        self.calibration: Calibration | None = None
        self._syncing = False
        self._build_controls()
        self._build_views()
        self.refresh()

    # --- edits (the programmatic API the widgets call; tests call it too) -------------------

    def apply(self, new_model: Model) -> None:
        """Make ``new_model`` current (undoable) and update every view."""
        self.history.append(self.model)
        self.model = new_model
        self.message.value = ""
        self.refresh()

    def set_points(self, criterion_id: str, value) -> None:
        self.apply(self.model.with_points({criterion_id: value}))

    def undo(self) -> None:
        if self.history:
            self.model = self.history.pop()
            self.refresh()

    def reset(self) -> None:
        if self.model != self.saved_model:
            self.apply(self.saved_model)

    def suggest_unavailable(self) -> str:
        """Why "Suggest from data" cannot run on this data ('' when it can)."""
        col = self.signals.data.mapping.outcome
        if self.outcome is None:
            return f"The leads have no outcome column ('{col}'): there is nothing to learn from."
        known = self.outcome[~np.isnan(self.outcome)]
        pos = int((known > 0.5).sum())
        if pos < MIN_CLASS or len(known) - pos < MIN_CLASS:
            return (
                f"Too few outcomes to learn from: {pos:,} of {len(known):,} leads converted "
                f"(at least {MIN_CLASS} converted and {MIN_CLASS} not converted are needed)."
            )
        return ""

    def suggest(self) -> Calibration | None:
        """Calibrate the current model on the app's signals and apply it (one undo step)."""
        reason = self.suggest_unavailable()
        if reason:
            self.suggest_view.value = f"<i>{html.escape(reason)}</i>"
            return None
        cal = calibrate(self.model, self.signals, self.outcome, keep_star_signs=True)
        self.calibration = cal
        self.apply(cal.suggested)
        self.suggest_view.value = _suggestion_html(cal)
        charts = suggestion_charts(cal.gains, cal.conversion)
        if self.suggest_chart is None:  # made on first use: no empty chart on the page
            self.suggest_chart = alt.JupyterChart(charts)
            self.suggest_box.children = [self.suggest_chart]
        else:
            self.suggest_chart.chart = charts
        return cal

    def save(self, path: str | Path | None = None, author: str = "", note: str = "") -> Path:
        """Write the current model as the next version: sign-off cleared, changelog entry
        with the changes in words, and never over an existing file.

        With no ``path``, the proposed one (``save_path``) or a folder, the next free
        version file is written (``b2b_model_v3.yaml`` taken: ``b2b_model_v4.yaml``, and
        the message says so). A file name typed by the user is written as given, or
        refused if it exists (:class:`~workbench.model.versioning.VersionExists` names the
        next free one). The file is the text of the version it was made from with only the
        changed values edited, so a diff of the two shows just those.
        """
        if self.model == self.saved_model:
            raise WorkbenchError(
                f"no changes since version {self.saved_model.version}: nothing to save "
                "(a new version would only clear its sign-off)"
            )
        given = Path(path).expanduser() if path else None
        next_free = given is None or given == self.save_path or given.is_dir()
        target = given if given is not None and not given.is_dir() else self.save_path
        if given is not None and given.is_dir():
            stem = self.save_path or self.model_file or Path("model.yaml")
            target = given / stem.name
        if target is None:
            raise WorkbenchError("give a file to save to")
        saved = save_version(
            self.saved_model,
            self.model,
            target,
            parent=self.model_file,
            next_free=next_free,
            author=author,
            note=note,
        )
        self.last_save = saved
        self.model_file = saved.path  # the version Publish offers once it is signed off
        self.saved_model = self.model = saved.model
        self.save_path = version_path(saved.path, saved.model.version + 1)
        self.path.value = str(self.save_path)
        self.history.clear()
        self.saved_totals = self.totals
        self.saved_hist = self._histogram(self.saved_totals)
        self.note.value = ""  # the note was this version's; the next one gets its own
        self.refresh()
        self.message.value = html.escape(saved.summary())
        return saved.path

    def publish_problem(self) -> str | None:
        """What is missing before *Publish* (None: the saved, signed-off file is ready)."""
        return self.publisher.show(self.model, self.saved_model, self.model_file)

    def publish(self):
        """Publish the saved, signed-off file of the version shown (never slider state)
        into the store; returns the run's manifest, or None with the reason shown."""
        return self.publisher.publish(
            self.model, self.saved_model, self.model_file, by=self.author.value
        )

    # --- what the views show (plain data, so tests need no browser) ----------------------

    def category_counts(self) -> pd.DataFrame:
        saved = metrics.category_counts(self.saved_totals)
        now = metrics.category_counts(self.totals)
        return pd.DataFrame({"saved": saved, "current": now, "change": now - saved})

    def shift(self) -> pd.DataFrame:
        return metrics.category_shift(self.saved_totals, self.totals)

    def shift_sentences(self, limit: int = 4) -> list[str]:
        return metrics.move_sentences(self.shift(), limit)

    def fit_matrix(self) -> pd.DataFrame:
        t = self.totals
        if t.grade is None or t.level is None:
            return pd.DataFrame()
        k = len(t.level_names)
        cells = np.bincount(
            t.grade.astype(np.int64) * k + t.level, minlength=len(t.grade_names) * k
        )
        return pd.DataFrame(
            cells.reshape(len(t.grade_names), k),
            index=pd.Index(t.grade_names, name="fit grade"),
            columns=pd.Index(t.level_names, name="engagement"),
        )

    def conversion(self) -> dict | None:
        if self.outcome is None or np.isnan(self.outcome).all():
            return None
        y = self.outcome
        if getattr(self, "_saved_metrics_for", None) is not self.saved_totals:
            self._saved_metrics = (
                metrics.auc(self.saved_totals.score, y),
                metrics.top_share_conversion(self.saved_totals.score, y, 0.1),
            )
            self._saved_metrics_for = self.saved_totals
        return {
            "table": metrics.conversion_by_category(self.totals, y),
            "auc": metrics.auc(self.totals.score, y),
            "auc_saved": self._saved_metrics[0],
            "top10": metrics.top_share_conversion(self.totals.score, y, 0.1),
            "top10_saved": self._saved_metrics[1],
        }

    def movers(self, n: int = 10) -> pd.DataFrame:
        """Leads whose category moved furthest, then whose score moved most, with their name
        and company (where the leads file has them) so a marketer sees who moved."""
        cat_move = self.totals.category.astype(int) - self.saved_totals.category.astype(int)
        delta = self.totals.score - self.saved_totals.score
        key = np.abs(cat_move) * 1000 + np.abs(delta)
        top = (
            np.argpartition(-key, min(n, len(key) - 1))[:n] if len(key) > n else np.arange(len(key))
        )
        top = top[np.argsort(-key[top], kind="stable")]
        top = top[key[top] > 0]
        names = np.array(self.totals.category_names, dtype=object)
        who = lead_names(self.signals, top)
        return pd.DataFrame(
            {
                **{c: who[c].to_numpy() for c in who.columns},
                "saved": self.saved_totals.score[top],
                "current": self.totals.score[top],
                "from": names[self.saved_totals.category[top]],
                "to": names[self.totals.category[top]],
            },
            index=pd.Index(self.signals.lead_ids[top], name="lead"),
        )

    def movers_html(self) -> str:
        """The movers table, or why it is empty (nothing edited yet, or no lead moved)."""
        moved = self.movers()
        if len(moved):
            return _table(moved)
        if self.model == self.saved_model:
            why = "No lead has moved yet: move a slider to see the leads whose score changes most."
        else:
            why = "No lead's score or category changed with these edits."
        return f"<i data-field='movers-empty'>{why}</i>"

    def pileup_warnings(self) -> list[str]:
        """Why the current scores tie at the ends of the scale, with the fix ([] if they do
        not): :func:`~workbench.analysis.metrics.scale_pileup` of what the sliders show."""
        return metrics.scale_pileup(self.totals, self.model)

    def find_lead(self, query: str) -> str | None:
        """A lead id from an id or a (part of a) name (the first match in file order)."""
        query = query.strip()
        if not query:
            return None
        if query in self.signals.lead_ids:
            return query
        leads = self.signals.data.leads
        cols = [c for c in self.signals.data.mapping.name if c in leads.columns]
        if not cols:
            return None
        full = leads[cols[0]].astype("str").fillna("")
        for c in cols[1:]:
            full = full + " " + leads[c].astype("str").fillna("")
        hit = full.str.contains(query, case=False, regex=False).to_numpy()
        return str(leads.index[hit][0]) if hit.any() else None

    def explain(self, lead_id: str) -> pd.DataFrame:
        rows = self.signals.rows_of([lead_id])
        return reasons_table(
            self.model, self.signals, contributions(self.model, self.signals, rows)
        )

    # --- widgets ---------------------------------------------------------------------------

    def _build_controls(self) -> None:
        self.point_controls: dict[str, list[w.Widget]] = {}
        per_star = number_text(self.model.points_per_star)
        groups = []
        for b in self.model.buckets:
            rows = []
            for c in (c for c in self.model.criteria if c.bucket == b.id):
                touches = self.signals.touches(c.id)
                title = f"{c.label} ({touches:,} leads)"
                if c.is_level:
                    sliders = [
                        _slider(
                            row.points, row.level_label, tooltip=f"{row.label}: {row.level_label}"
                        )
                        for row in criterion_points_rows(self.model, c)
                    ]
                    for s in sliders:
                        s.observe(self._on_level(c.id), names="value")
                    rows.append(w.VBox([w.HTML(f"<b>{html.escape(title)}</b>"), *sliders]))
                elif c.stars is not None:
                    ctrl = w.ToggleButtons(
                        options=[1, 2, 3, 4, 5] if c.stars > 0 else [-5, -4, -3, -2, -1],
                        value=c.stars,
                        tooltip=f"{title}: stars, {per_star} points each",
                        style={"button_width": "40px"},
                    )
                    ctrl.observe(self._on_stars(c.id), names="value")
                    sliders = [ctrl]
                    hint = f"stars, {per_star} points each"  # what a star is worth, at sight
                    rows.append(
                        w.VBox(
                            [
                                w.HTML(
                                    f"<b>{html.escape(title)}</b> "
                                    f"<span class='wb-hint'>{html.escape(hint)}</span>"
                                ),
                                ctrl,
                            ]
                        )
                    )
                else:
                    ctrl = _slider(self.model.criterion_points(c), title)
                    ctrl.observe(self._on_points(c.id), names="value")
                    sliders = [ctrl]
                    rows.append(ctrl)
                self.point_controls[c.id] = sliders
            groups.append((b, w.VBox(rows)))
        # the first bucket open: its points are on the first screen
        self.criteria_box = w.Accordion(
            children=[g for _, g in groups], selected_index=0 if groups else None
        )
        for i, (b, _) in enumerate(groups):
            self.criteria_box.set_title(i, b.label or b.id)

        self.weight_controls = {}
        for b in self.model.buckets:
            name = b.label or b.id
            s = _slider(b.weight, name, 0, 100, tooltip=f"Weight of {name} (%)")
            s.observe(self._on_weight(b.id), names="value")
            self.weight_controls[b.id] = s
        self.half_life_controls = {}
        for c in self.model.criteria:
            half_life = getattr(c.rule, "half_life_days", None)
            if half_life is not None:
                tip = f"{c.label}: half-life (days)"
                s = _slider(half_life, c.label, 1, 180, tooltip=tip)
                s.observe(self._on_half_life(c.id), names="value")
                self.half_life_controls[c.id] = s
        self.threshold_controls = {}
        scale = self.model.scale
        for t in self.model.categories[:-1]:
            s = _slider(t.min, f"{t.name} ({t.label}) from score", int(scale.min), int(scale.max))
            s.observe(self._on_threshold(t.name), names="value")
            self.threshold_controls[t.name] = s

        self.undo_button = w.Button(description="Undo", icon="undo")
        self.reset_button = w.Button(description="Reset to saved")
        self.undo_button.on_click(lambda _: self.undo())
        self.reset_button.on_click(lambda _: self.reset())
        reason = self.suggest_unavailable()
        self.suggest_button = w.Button(
            description="Suggest from data",
            icon="magic",
            disabled=bool(reason),
            tooltip=reason
            or "Fit points to the outcomes in the data (logistic regression); undo reverts",
        )
        self.suggest_button.on_click(lambda _: self.suggest())
        self.suggest_view = w.HTML(f"<i>{html.escape(reason)}</i>" if reason else "")
        wide = {"layout": w.Layout(width="100%"), "style": {"description_width": "70px"}}
        self.author = w.Text(description="Author", **wide)
        self.note = w.Text(description="Note", **wide)
        self.path = w.Text(
            description="Save to", value=str(self.save_path) if self.save_path else "", **wide
        )
        _hover_shows_value(self.path)  # a long path is cut in the field: whole on hover
        self.save_button = w.Button(description="Save new version", button_style="primary")
        self.save_button.on_click(lambda _: self._save_clicked())
        self.message = w.HTML()
        self.changes = w.HTML()
        self.publisher.store.layout = w.Layout(width="100%")
        self.publisher.store.style = {"description_width": "70px"}
        _hover_shows_value(self.publisher.store)
        self.publisher.button.on_click(lambda _: self.publish())
        self.publisher.check_button.on_click(lambda _: self.publish_problem())

    def _guard(self, make):
        """Run an edit from a widget; a rejected edit puts the widgets back and says why."""
        if self._syncing:
            return
        try:
            self.apply(make())
        except WorkbenchError as exc:
            self.message.value = f"<span style='color:#b00'>{html.escape(str(exc))}</span>"
            self._sync_controls()

    def _on_points(self, cid):
        return lambda ch: self._guard(lambda: self.model.with_points({cid: ch["new"]}))

    def _on_stars(self, cid):
        return lambda ch: self._guard(lambda: self.model.with_stars({cid: ch["new"]}))

    def _on_level(self, cid):
        def handler(_):
            values = [s.value for s in self.point_controls[cid]]
            self._guard(lambda: self.model.with_points({cid: values}))

        return handler

    def _on_weight(self, bid):
        return lambda ch: self._guard(lambda: self.model.with_weights({bid: ch["new"]}))

    def _on_half_life(self, cid):
        return lambda ch: self._guard(lambda: self.model.with_rule(cid, half_life_days=ch["new"]))

    def _on_threshold(self, name):
        return lambda ch: self._guard(lambda: self.model.with_thresholds({name: ch["new"]}))

    def _save_clicked(self) -> None:
        try:
            self.save(self.path.value.strip() or None, self.author.value, self.note.value)
        except VersionExists as exc:  # never overwritten: offer the next free name instead
            self.save_path = exc.free
            self.path.value = str(exc.free)
            self.message.value = (
                f"<span style='color:#b00'>{html.escape(str(exc))}</span> "
                "It is filled in: press <i>Save new version</i> again to save there."
            )
        except (WorkbenchError, OSError) as exc:
            self.message.value = f"<span style='color:#b00'>{html.escape(str(exc))}</span>"

    def _sync_controls(self) -> None:
        """Show the current model in the widgets without triggering their handlers."""
        self._syncing = True
        try:
            for c in self.model.criteria:
                ctrls = self.point_controls.get(c.id, [])
                if c.is_level:
                    for s, p in zip(ctrls, self.model.level_points(c), strict=True):
                        _show(s, p)
                elif c.stars is not None and isinstance(ctrls[0], w.ToggleButtons):
                    ctrls[0].value = c.stars
                elif isinstance(ctrls[0], w.IntSlider):
                    _show(ctrls[0], self.model.criterion_points(c))
            for b in self.model.buckets:
                self.weight_controls[b.id].value = round(b.weight)
            for t in self.model.categories[:-1]:
                self.threshold_controls[t.name].value = round(t.min)
            for cid, s in self.half_life_controls.items():
                s.value = round(self.model.criterion(cid).rule.half_life_days)
        finally:
            self._syncing = False

    def _build_views(self) -> None:
        enable_offline_charts()  # no CDN: the JavaScript ships with the page
        names = list(self.totals.category_names)
        scale = self.model.scale
        self._template = distribution_template(names, domain=(scale.min, scale.max))
        # SVG: crisp text, and the axis is in the page's DOM (a browser test reads its ticks)
        svg = {"renderer": "svg"}
        self.chart = alt.JupyterChart(
            alt.Chart(pd.DataFrame({"x": []})).mark_point(), embed_options=svg
        )
        self.chart.add_class("wb-chart")
        self.chart.add_class("wb-score-chart")
        self.pileup_view = w.HTML(layout=w.Layout(max_width="100%"))
        self.counts_view = w.HTML()
        self.shift_view = w.HTML()
        self.matrix_view = w.HTML()
        self.matrix_view.add_class("wb-matrix")
        self.conversion_view = w.HTML(layout=w.Layout(max_width="100%"))
        self.movers_view = w.HTML(layout=w.Layout(max_width="100%"))
        self.lead_query = w.Text(description="Lead", placeholder="id or name")
        self.lead_button = w.Button(description="Explain")
        self.lead_button.on_click(lambda _: self.show_lead(self.lead_query.value))
        self.lead_view = w.HTML(
            "<i>Type a lead's id or part of its name, then Explain.</i>",
            layout=w.Layout(max_width="100%"),
        )
        self.lead_chart = alt.JupyterChart(
            alt.Chart(pd.DataFrame({"x": []})).mark_point(), embed_options=svg
        )
        self.lead_chart.add_class("wb-chart")
        # gains and conversion before/after, shown once "Suggest from data" has run
        self.suggest_chart: alt.JupyterChart | None = None
        self.suggest_box = w.VBox([], layout=w.Layout(max_width="100%"))
        form = {"style": {"description_width": "70px"}}
        self.hypo_fields = w.Textarea(
            description="Lead",
            value="seniority: VP\nindustry: Software\ncompany_size: 500\nemail: vp@acme.com",
            layout=w.Layout(flex="1 1 300px", max_width="440px", height="110px"),
            **form,
        )
        self.hypo_events = w.Textarea(
            description="Activities",
            value="page_view /pricing 2\npage_view /pricing 5\ndemo_request - 3",
            placeholder="type detail days_ago",
            layout=w.Layout(flex="1 1 300px", max_width="440px", height="110px"),
            **form,
        )
        self.hypo_button = w.Button(description="Score this lead")
        self.hypo_button.on_click(lambda _: self.show_hypothetical())
        self.hypo_view = w.HTML(layout=w.Layout(max_width="100%"))
        hypothetical = w.VBox([_row(self.hypo_fields, self.hypo_events), self.hypo_button])
        hypothetical.add_class("wb-hypothetical")
        controls = w.VBox(
            [
                w.HTML("<h3>Criteria</h3>"),
                self.criteria_box,
                w.HTML("<h3>Bucket weights (%)</h3>"),
                *self.weight_controls.values(),
                w.HTML("<h3>Recency decay: half-life (days)</h3>"),
                *self.half_life_controls.values(),
                w.HTML("<h3>Thresholds</h3>"),
                *self.threshold_controls.values(),
                w.HBox([self.undo_button, self.reset_button]),
                w.HTML("<h3>Suggest from data</h3>"),
                self.suggest_button,
                self.suggest_view,
                self.suggest_box,
                w.HTML("<h3>Save</h3>"),
                self.author,
                self.note,
                self.path,
                self.save_button,
                self.message,
                self.changes,
                w.HTML(
                    "<h3>Publish</h3>Scores all leads with the saved, signed-off version "
                    "and makes the run the one sales sees."
                ),
                self.publisher.store,
                w.HBox([self.publisher.button, self.publisher.check_button]),
                self.publisher.status,
            ]
        )
        controls.add_class("wb-controls")
        views = w.VBox(
            [
                self.chart,
                self.pileup_view,
                _row(self.counts_view, self.shift_view, self.matrix_view),
                self.conversion_view,
                w.HTML("<h3>Leads that moved most</h3>"),
                self.movers_view,
                w.HTML("<h3>Lead drill-down</h3>"),
                _row(self.lead_query, self.lead_button),
                self.lead_view,
                self.lead_chart,
                w.HTML("<h3>Hypothetical lead</h3>"),
                hypothetical,
                self.hypo_view,
            ]
        )
        views.add_class("wb-views")
        panels = w.Box([controls, views])
        panels.add_class("wb-panels")
        # the style once with the app; container-sized charts re-measured as the app resizes
        self.widget = w.VBox([w.HTML(STYLE), WidthWatcher(root_class="wb-tune"), panels])
        self.widget.add_class("wb-tune")

    def _histogram(self, totals: Totals) -> pd.DataFrame:
        """Leads per score bin over the model's scale, so saved and current bars line up."""
        return metrics.score_histogram(totals, lo=self.model.scale.min, hi=self.model.scale.max)

    def _distribution(self) -> dict:
        """The chart spec for the current scores: ~200 aggregated rows, no lead rows."""
        current = self._histogram(self.totals)
        saved = self.saved_hist.groupby(["bin_start", "bin_end"], as_index=False)["leads"].sum()
        thresholds = pd.DataFrame(
            [{"name": t.name, "min": t.min} for t in self.model.categories[:-1]]
        )
        return with_datasets(self._template, current=current, saved=saved, thresholds=thresholds)

    def _signals_for(self, model: Model) -> Signals:
        """Signals matching ``model``'s rules: kept per rule set, so undo costs nothing."""
        key = rules_key(model)
        if key not in self._signal_cache:
            base = next(iter(self._signal_cache.values()))
            self._signal_cache[key] = refresh_signals(model, base)
            if len(self._signal_cache) > 4:
                self._signal_cache.pop(next(k for k in self._signal_cache if k != key))
        return self._signal_cache[key]

    def refresh(self) -> None:
        """Re-score and redraw: the one place every view is updated from."""
        self.signals = self._signals_for(self.model)
        self.totals = score_totals(self.model, self.signals)
        self._sync_controls()
        self.chart.spec = self._distribution()  # swap data only: no re-validation
        self.pileup_view.value = "".join(
            "<div data-field='pileup' style='background:#fff4e5;border-left:4px solid #e8a33d;"
            f"padding:4px 8px;margin:4px 0'>⚠ {html.escape(line)}</div>"
            for line in self.pileup_warnings()
        )
        self.counts_view.value = "<h4>Leads per category</h4>" + _table(self.category_counts())
        moves = self.shift_sentences()
        self.shift_view.value = (
            "<h4>Saved → current</h4>"
            + _table(self.shift().rename_axis(index="saved", columns="current"))
            + (
                "<ul class='wb-moves'>"
                + "".join(f"<li>{html.escape(m)}</li>" for m in moves)
                + "</ul>"
                if moves
                else ""
            )
        )
        fm = self.fit_matrix()
        self.matrix_view.value = "<h4>Fit × engagement</h4>" + (
            _table(fm)
            if len(fm)
            else "<i data-field='no-matrix'>Not shown: the model has no fit grade or no "
            "engagement levels (a bucket with id 'fit' and one with id 'engagement' get "
            "them by default; or set fit_grade and engagement_levels).</i>"
        )
        conv = self.conversion()
        if conv is None:
            self.conversion_view.value = "<i>No outcomes in the data: conversion not shown.</i>"
        else:
            self.conversion_view.value = (
                "<h4>Conversion by category</h4>"
                + _table(_rate_cells(conv["table"], converted=True))
                + f"<p>AUC {conv['auc']:.3f} (saved {conv['auc_saved']:.3f}); "
                f"top 10 % of leads convert at {percent(conv['top10'])} "
                f"(saved {percent(conv['top10_saved'])}).</p>"
            )
        self.movers_view.value = self.movers_html()
        lines = model_changes(self.saved_model, self.model)
        last = self.last_save
        if lines:
            self.changes.value = "<b>Changes since the saved version:</b><br>" + "<br>".join(
                map(html.escape, lines)
            )
        elif last is not None:  # what the save just written holds, not "no changes"
            self.changes.value = (
                f"<b>Saved version {last.model.version}</b> "
                f"({html.escape(last.path.name)}) with these changes:<br>"
                + "<br>".join(map(html.escape, last.changes or ("none to the rules",)))
            )
        else:
            self.changes.value = "No changes since the saved version."
        self.publish_problem()

    def show_lead(self, query: str) -> None:
        """The drill-down card: who the lead is, its score and each reason, and the
        waterfall. A search that finds nobody clears both, so no other lead's card stays
        beside the question it does not answer."""
        lead = self.find_lead(query)
        if lead is None:
            asked = query.strip()
            self.lead_view.value = (
                f"<i data-field='no-lead'>No lead matches '{html.escape(asked)}' "
                "(searched ids and names).</i>"
                if asked
                else "<i data-field='no-lead'>Type a lead's id or part of its name.</i>"
            )
            self.lead_chart.chart = alt.Chart(pd.DataFrame({"x": []})).mark_point()
            return
        row = self.signals.rows_of([lead])[0]
        table = self.explain(lead)
        t = self.totals
        who = lead_names(self.signals, [row]).iloc[0]
        name, company = who.get("name", ""), who.get("company", "")
        title = html.escape(name or lead) + (f" · {html.escape(company)}" if company else "")
        reasons = word_reasons(table["evidence"], table["points"])
        self.lead_view.value = (
            f"<b data-field='lead-name'>{title}</b>"
            + (f" ({html.escape(lead)})" if name else "")
            + f": score {t.score[row]:g}, category {t.category_names[t.category[row]]}"
            + (f", fit grade {t.grade_names[t.grade[row]]}" if t.grade is not None else "")
            + "<br>"
            + "<br>".join(map(html.escape, reasons))
        )
        self.lead_chart.chart = waterfall_chart(table)

    def show_hypothetical(self) -> None:
        fields = {}
        for line in self.hypo_fields.value.splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                fields[k.strip()] = v.strip()
        events = []
        for line in self.hypo_events.value.splitlines():
            parts = line.split()
            if len(parts) >= 3:
                detail = "" if parts[1] == "-" else parts[1]
                events.append({"type": parts[0], "detail": detail, "days_ago": float(parts[2])})
        try:
            row = score_hypothetical(self.model, fields, events, as_of=self.signals.as_of)
        except (WorkbenchError, ValueError) as exc:
            self.hypo_view.value = f"<span style='color:#b00'>{html.escape(str(exc))}</span>"
            return
        self.hypo_view.value = (
            f"Score <b>{row['score']:g}</b>, category <b>{row['category']}</b>"
            + (f", fit grade {row['grade']}" if "grade" in row else "")
            + f"<br>{html.escape(row['reasons'])}"
        )


def tuning_app(
    model_path: str | Path | None = None,
    leads: str | Path | None = None,
    activities: str | Path | None = None,
) -> TuningApp:
    """Load a model and data (default: the shipped sample) and return the app."""
    from workbench.data.loading import load_data
    from workbench.engine.signals import compute_signals
    from workbench.model.yaml_io import load_model

    files = resolve_inputs(model_path, leads, activities)
    model = load_model(files["model"])
    data = load_data(files["leads"], files["activities"], model=model)
    signals = compute_signals(model, data)
    target = next_version_path(files["model"], model.version + 1)
    return TuningApp(model, signals, save_path=target, model_file=files["model"])


def tuning_page(
    model_path: str | Path | None = None,
    leads: str | Path | None = None,
    activities: str | Path | None = None,
) -> w.Widget:
    """The tuning app's widget, or a readable error in its place: what ``workbench tune``
    serves, so a file that breaks after the server started never leaves a blank page."""
    return app_or_error(
        lambda: tuning_app(model_path, leads, activities).widget,
        command="workbench tune",
        what="The tuning app cannot open the model and leads",
    )
