"""The staff console: a Gradio app mounted at ``/staff`` behind a login.

Layout only, plus thin handlers over the knowledge base, the assistant, the insights and the
evals. Every handler is wrapped by :func:`staff_only`, which checks the logged-in user itself:
each one is an HTTP endpoint, whatever the page shows. Changes go to the audit log under
that user's name. Nothing the console does is exposed through the patient app.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import gradio as gr

from chatbot.assistant import Assistant
from chatbot.settings import Settings
from chatbot.staff import render
from chatbot.staff.access import staff_name, staff_only
from chatbot.staff.auth import StaffAuth
from chatbot.staff.clinic_tab import build_clinic_tab
from chatbot.staff.evals import UPLOADED, last_view, run_console_eval, shipped_suites
from chatbot.staff.insights import PatientInsights, activity_figure
from chatbot.web.format import format_reply
from knowledge_base.loaders import SUPPORTED
from knowledge_base.service import KnowledgeBase, UnknownArticle

FILE_TYPES = sorted(SUPPORTED)
PERIODS = {"Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90}
CONSOLE_CONCURRENCY = 2


def _paths(files: Any) -> list[Path]:
    """Gradio gives a path, a list of paths, or file objects with ``.name``; None when nothing is chosen."""
    if not files:
        return []
    items = files if isinstance(files, list) else [files]
    return [Path(str(getattr(f, "name", f))) for f in items if f is not None]


def _date(text: str | None, label: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{label} must be a date like 2027-03-31 (or empty)") from None


_status = render.status


def build_console(
    settings: Settings, *, assistant: Assistant, kb: KnowledgeBase, insights: PatientInsights, auth: StaffAuth,
) -> gr.Blocks:
    clinic = assistant.clinic.current()  # the settings with the staff-edited clinic.yaml laid over them
    conversations = assistant.conversations
    staff = staff_only(auth)
    exports = Path(tempfile.mkdtemp(prefix="uplifted-exports-"))
    started = datetime.now(UTC)  # refusals are counted in memory, since this server started

    # --- articles ---------------------------------------------------------------------------------
    def article_list(selected: str | None = None) -> tuple[str, Any]:
        records = kb.articles()
        ids = {r.id for r in records}
        return render.articles_table(records), gr.Dropdown(
            choices=render.article_choices(records), value=selected if selected in ids else None)

    @staff
    def load_page(request: gr.Request) -> tuple[str, Any, str, Any]:
        user = staff_name(request, auth)
        table, picker = article_list()
        notice = auth.take_notice(user)  # failed logins for this name since the last login, shown once
        shown = gr.Markdown(f"**Login security:** {render.esc(notice)}" if notice else "", visible=bool(notice))
        return f"Logged in as **{render.esc(user)}**", shown, table, picker

    @staff
    def refresh_articles(selected: str | None, request: gr.Request) -> tuple[str, Any]:
        return article_list(selected)

    @staff
    def open_article(article_id: str | None, request: gr.Request) -> tuple[str, str, str, str, str, str]:
        record = kb.article(article_id or "")
        if record is None:
            return "<p>Pick an article to see its text and history.</p>", "", "", "", "", ""
        detail = render.article_detail(record, kb.article_text(record.id), kb.audit_log(record.id))
        return (detail, record.title, record.url or "", ", ".join(record.tags),
                record.reviewed_on.isoformat() if record.reviewed_on else "",
                record.review_due.isoformat() if record.review_due else "")

    @staff
    def save_details(article_id: str | None, title: str, url: str, tags: str, reviewed_on: str, review_due: str,
                     request: gr.Request) -> tuple[str, str, Any, str]:
        user = staff_name(request, auth)
        try:
            if not article_id:
                raise ValueError("pick an article first")
            report = kb.update_metadata(
                article_id, by=user, title=title, url=url.strip(),
                tags=[t for t in (tags or "").split(",") if t.strip()],
                reviewed_on=_date(reviewed_on, "Reviewed on"), review_due=_date(review_due, "Review due"),
            )
            status = _status(True, "No change." if article_id in report.unchanged else "Details saved.")
        except (ValueError, UnknownArticle) as exc:
            status = _status(False, str(exc))
        table, picker = article_list(article_id)
        return status, table, picker, open_article(article_id, request=request)[0]

    @staff
    def check_replacement(article_id: str | None, file: Any, request: gr.Request) -> str:
        paths = _paths(file)
        if not article_id or not paths:
            return _status(False, "Pick an article and a file first.", "Not checked")
        try:
            return render.staged_report([kb.stage_replace(article_id, paths[0])])
        except UnknownArticle as exc:
            return _status(False, str(exc), "Not checked")

    @staff
    def replace_article(article_id: str | None, file: Any, request: gr.Request) -> tuple[str, str, Any, str]:
        user = staff_name(request, auth)
        paths = _paths(file)
        if not article_id or not paths:
            status = _status(False, "Pick an article and a file first.")
        else:
            try:
                report = kb.replace(article_id, paths[0], by=user)
                status = render.publish_summary(report)
            except UnknownArticle as exc:
                status = _status(False, str(exc))
        table, picker = article_list(article_id)
        return status, table, picker, open_article(article_id, request=request)[0]

    @staff
    def remove_article(article_id: str | None, confirmed: bool, request: gr.Request) -> tuple[str, str, Any, str, bool]:
        user = staff_name(request, auth)
        if not article_id:
            status = _status(False, "Pick an article first.")
        elif confirmed is not True:
            status = _status(False, "Tick the box to confirm: a removed article is never shown to patients again.")
        else:
            try:
                record = kb.article(article_id)
                title = record.title if record else article_id
                kb.remove([article_id], by=user)
                status = f"<p><span class='badge ok'>Removed</span> {render.esc(title)} ({render.esc(article_id)})</p>"
            except UnknownArticle as exc:
                status = _status(False, str(exc))
        table, picker = article_list()
        return status, table, picker, open_article(None, request=request)[0], False

    # --- uploads ----------------------------------------------------------------------------------
    @staff
    def check_files(files: Any, request: gr.Request) -> str:
        return render.staged_report(kb.stage(_paths(files)))

    @staff
    def publish_files(files: Any, request: gr.Request) -> tuple[str, str, Any]:
        user = staff_name(request, auth)
        paths = _paths(files)
        status = render.publish_summary(kb.add(paths, by=user)) if paths else _status(False, "Choose files first.")
        table, picker = article_list()
        return status, table, picker

    # --- preview ----------------------------------------------------------------------------------
    @staff
    def preview(question: str, request: gr.Request) -> tuple[str, str, list[list[Any]]]:
        reply = assistant.preview(question or "")
        return render.route_line(reply), format_reply(reply), render.passage_rows(reply)

    # --- what patients ask ------------------------------------------------------------------------
    @staff
    def patient_questions(period: str, request: gr.Request) -> tuple[Any, str, str, str]:
        days = PERIODS.get(period, 30)
        figure = activity_figure(insights.activity(days))
        common = render.question_groups(insights.common_questions(days=days), backlog=False)
        backlog = render.question_groups(insights.backlog(days=days), backlog=True)
        return figure, common, backlog, render.refusals(assistant.metrics.refusals(), started)

    @staff
    def export_csv(period: str, request: gr.Request) -> list[str]:
        days = PERIODS.get(period, 30)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        for old in exports.iterdir():  # redacted, but still patients' words: keep only the newest export
            shutil.rmtree(old, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(dir=exports))
        talks, backlog = folder / f"conversations-{stamp}.csv", folder / f"content-backlog-{stamp}.csv"
        insights.write_conversations_csv(talks, days=days)
        insights.write_backlog_csv(insights.backlog(days=days), backlog)
        return [str(talks), str(backlog)]

    # --- booking requests -------------------------------------------------------------------------
    @staff
    def bookings(include_handled: bool, request: gr.Request) -> list[list[Any]]:
        return render.booking_rows(conversations.booking_requests(include_handled=include_handled))

    @staff
    def pick_booking(rows: Any, picked: gr.SelectData, request: gr.Request) -> Any:
        row = picked.row_value if isinstance(picked.row_value, list) else None
        return int(row[0]) if row else gr.skip()

    @staff
    def mark_handled(
        booking_id: float | None, include_handled: bool, request: gr.Request
    ) -> tuple[str, list[list[Any]]]:
        try:
            if booking_id is None:
                raise KeyError("pick a request first (click its row)")
            conversations.mark_handled(int(booking_id), by=staff_name(request, auth))
            status = _status(True, f"Request {int(booking_id)} marked handled.")
        except KeyError as exc:
            status = _status(False, str(exc.args[0]))
        return status, render.booking_rows(conversations.booking_requests(include_handled=include_handled))

    # --- evals ------------------------------------------------------------------------------------
    @staff
    def show_last_run(choice: str, request: gr.Request) -> tuple[str, str, list[str], list[list[Any]]]:
        last = last_view(settings, choice)
        if last is None:
            return "No run of this suite from the console yet.", "", [], []
        return last.summary, last.comparison, last.plots, last.failed

    @staff
    def run_evals(choice: str, uploaded: Any, request: gr.Request,
                  progress: gr.Progress = gr.Progress()) -> tuple[str, str, list[str], list[list[Any]]]:
        user = staff_name(request, auth)
        paths = _paths(uploaded)
        if choice == UPLOADED and not paths:
            return _status(False, "Upload a suite file first.", "Not run"), "", [], []
        try:
            shown = run_console_eval(settings, kb, choice, str(paths[0]) if choice == UPLOADED else None, by=user,
                                     on_progress=lambda done, total: progress((done, total), desc="Running cases",
                                                                              unit="cases"))
        except Exception as exc:  # a bad suite file (CaseError, YAML) is the staff's to fix: say why
            return _status(False, f"The eval could not run: {exc}", "Not run"), "", [], []
        return shown.summary, shown.comparison, shown.plots, shown.failed

    # Uploads and downloads (CSV exports hold patients' redacted questions) leave Gradio's cache within 2 hours.
    with gr.Blocks(title=f"{clinic.name} staff console", analytics_enabled=False,
                   delete_cache=(3600, 3600)) as console:
        with gr.Row(elem_id="console-header"):
            gr.Markdown(f"# {render.esc(clinic.name)} staff console", min_height=0)
            with gr.Column(scale=0, min_width=180, elem_id="user-box"):
                user_line = gr.Markdown(elem_id="user-line", min_height=0)
                # Relative, so it stays under the console's own path (Gradio's /logout for this app).
                gr.Button("Log out", link="logout", link_target="_self", size="sm", elem_id="log-out")
        login_notice = gr.Markdown(visible=False, elem_id="login-notice", min_height=0)
        with gr.Tabs():
            with gr.Tab("Articles", id="articles", elem_id="tab-articles"):
                articles_html = gr.HTML(elem_id="articles-table")
                refresh = gr.Button("Refresh list", size="sm")
                picker = gr.Dropdown(label="Open an article", choices=[], elem_id="article-picker",
                                     allow_custom_value=True)
                detail = gr.HTML(elem_id="article-detail")
                with gr.Accordion("Edit details (no new file needed)", open=False):
                    e_title = gr.Textbox(label="Title", max_length=200)
                    e_url = gr.Textbox(label="Link on the clinic's website")
                    e_tags = gr.Textbox(label="Tags, separated by commas")
                    with gr.Row():
                        e_reviewed = gr.Textbox(label="Reviewed on (YYYY-MM-DD)")
                        e_due = gr.Textbox(label="Review due (YYYY-MM-DD)")
                    save = gr.Button("Save details", variant="primary")
                    save_status = gr.HTML()
                with gr.Accordion("Replace with a new file", open=False):
                    new_file = gr.File(label="New version", file_types=FILE_TYPES, file_count="single")
                    with gr.Row():
                        check_new = gr.Button("Check file")
                        replace = gr.Button("Replace article", variant="primary")
                    replace_status = gr.HTML()
                with gr.Accordion("Remove", open=False):
                    confirm = gr.Checkbox(label="Yes, remove this article: patients will no longer get answers from it")
                    remove = gr.Button("Remove article", variant="stop")
                    remove_status = gr.HTML()
            with gr.Tab("Add articles", id="upload", elem_id="tab-upload"):
                gr.Markdown(f"Markdown, text, HTML or PDF, up to {settings.max_article_bytes // 1_000_000} MB each. "
                            "Check the files first: you'll see how each is split and any passage that reads "
                            "like instructions to an AI (it is never quoted to patients).")
                files = gr.File(label="Article files", file_types=FILE_TYPES, file_count="multiple",
                                elem_id="upload-files")
                with gr.Row():
                    check = gr.Button("Check files", elem_id="check-files")
                    publish = gr.Button("Publish", variant="primary", elem_id="publish-files")
                staged = gr.HTML(render.staged_report([]), elem_id="staged")
                publish_status = gr.HTML(elem_id="publish-status")
            with gr.Tab("Try a question", id="preview", elem_id="tab-preview"):
                question = gr.Textbox(label="A patient's question", placeholder="Why does hip mobility matter?",
                                      max_length=settings.max_message_chars, elem_id="preview-question")
                ask = gr.Button("Show the reply", variant="primary", elem_id="preview-ask")
                route = gr.HTML(elem_id="preview-route")
                answer = gr.Markdown(elem_id="preview-answer", sanitize_html=True)
                passages = gr.Dataframe(headers=["Rank", "Score", "Article", "Passage", "Flagged"],
                                        label="Passages retrieved", wrap=True, interactive=False,
                                        column_widths=["7%", "8%", "25%", "52%", "8%"])
            with gr.Tab("What patients ask", id="insights", elem_id="tab-insights") as insights_tab:
                with gr.Row():
                    period = gr.Radio(list(PERIODS), value="Last 30 days", label="Period")
                    refresh_insights = gr.Button("Refresh", size="sm")
                plot = gr.Plot(label="Conversations and replies by route")
                refused_md = gr.Markdown(elem_id="refused")
                with gr.Row():
                    with gr.Column():
                        gr.Markdown("### Content backlog: questions without a good answer")
                        backlog_html = gr.HTML(elem_id="backlog")
                    with gr.Column():
                        gr.Markdown("### Most common questions")
                        common_html = gr.HTML(elem_id="common")
                export = gr.Button("Export conversations and backlog (CSV)")
                downloads = gr.File(label="Downloads", file_count="multiple", interactive=False)
            with gr.Tab("Booking requests", id="bookings", elem_id="tab-bookings") as bookings_tab:
                show_handled = gr.Checkbox(label="Show handled requests too", value=True)
                booking_table = gr.Dataframe(headers=["ID", "Asked (UTC)", "Name", "Phone", "Note", "Handled"],
                                             interactive=False, wrap=True, label="Newest first",
                                             elem_id="bookings-table")
                with gr.Row():
                    booking_id = gr.Number(label="Request ID (click a row)", precision=0, value=None)
                    handled = gr.Button("Mark handled", variant="primary")
                booking_status = gr.HTML()
            build_clinic_tab(settings, assistant=assistant, kb=kb, auth=auth)
            with gr.Tab("Evals", id="evals", elem_id="tab-evals") as evals_tab:
                with gr.Row():
                    suite = gr.Dropdown([*shipped_suites(), UPLOADED], value=shipped_suites()[0], label="Suite",
                                        elem_id="eval-suite")
                    suite_file = gr.File(label="Or upload a suite (.yaml)", file_types=[".yaml", ".yml"])
                run = gr.Button("Run evals on the current articles", variant="primary", elem_id="run-evals")
                eval_summary = gr.Markdown(elem_id="eval-summary")
                eval_comparison = gr.Markdown()
                eval_plots = gr.Gallery(label="Plots", columns=2, height="auto")
                eval_failed = gr.Dataframe(headers=["Case", "Tags", "Question", "Expected", "Got", "Why"],
                                           label="Failed cases", wrap=True, interactive=False)

        reopen = [detail, e_title, e_url, e_tags, e_reviewed, e_due]
        console.load(load_page, None, [user_line, login_notice, articles_html, picker], api_name="load")
        refresh.click(refresh_articles, picker, [articles_html, picker], api_name="articles")
        picker.change(open_article, picker, reopen, api_name="open_article")
        save.click(save_details, [picker, e_title, e_url, e_tags, e_reviewed, e_due],
                   [save_status, articles_html, picker, detail], api_name="save_details")
        check_new.click(check_replacement, [picker, new_file], replace_status, api_name="check_replacement")
        replace.click(replace_article, [picker, new_file], [replace_status, articles_html, picker, detail],
                      api_name="replace")
        remove.click(remove_article, [picker, confirm], [remove_status, articles_html, picker, detail, confirm],
                     api_name="remove")
        check.click(check_files, files, staged, api_name="check_files")
        publish.click(publish_files, files, [publish_status, articles_html, picker], api_name="publish")
        gr.on([ask.click, question.submit], preview, question, [route, answer, passages], api_name="preview")
        gr.on([insights_tab.select, refresh_insights.click, period.change], patient_questions, period,
              [plot, common_html, backlog_html, refused_md], api_name="patient_questions")
        export.click(export_csv, period, downloads, api_name="export_csv")
        gr.on([bookings_tab.select, show_handled.change], bookings, show_handled, booking_table, api_name="bookings")
        booking_table.select(pick_booking, booking_table, booking_id, api_visibility="private")
        handled.click(mark_handled, [booking_id, show_handled], [booking_status, booking_table],
                      api_name="mark_handled")
        gr.on([evals_tab.select, suite.change], show_last_run, suite,
              [eval_summary, eval_comparison, eval_plots, eval_failed], api_name="last_eval")
        run.click(run_evals, [suite, suite_file], [eval_summary, eval_comparison, eval_plots, eval_failed],
                  api_name="run_evals", concurrency_limit=1, concurrency_id="evals")
    return console.queue(default_concurrency_limit=CONSOLE_CONCURRENCY, max_size=32, api_open=False)
