"""`flask --app workshop send-reminders`: the reminders due now, for cron or a systemd timer (see README).
Running it again sends nothing that was sent; it exits non-zero when mail is not set up or a reminder failed."""
from datetime import date

import click

from .mail import MailUnavailable
from .services import LEAD_DAYS, send_reminders

# How each outcome reads, one line per city and check-in.
LINES = {
    "sent": "reminded",
    "would_send": "would remind (dry run)",
    "already_sent": "already reminded",
    "no_contact": "skipped: no contact email",
    "failed": "FAILED",
}


@click.command("send-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Act as if today were this date (YYYY-MM-DD).")
@click.option("--lead-days", type=click.IntRange(0, 366), default=LEAD_DAYS, show_default=True,
              help="Remind of check-ins due from today to this many days ahead.")
@click.option("--dry-run", is_flag=True, help="Say whom it would remind; send and record nothing.")
def send_reminders_command(today, lead_days, dry_run):
    """Email each city with a final commitment once before each check-in."""
    today = today.date() if today else date.today()
    try:
        outcomes = send_reminders(today, lead_days, dry_run=dry_run)
    except MailUnavailable as error:
        raise click.ClickException(str(error)) from None
    for outcome in outcomes:
        detail = f" <{outcome.recipient}>" if outcome.recipient else ""
        error = f": {outcome.error}" if outcome.error else ""
        click.echo(f"{outcome.check_in.workshop.title} / check-in {outcome.check_in.due_on.isoformat()} / "
                   f"{outcome.city}{detail}: {LINES[outcome.state]}{error}")
    counts = {state: sum(1 for outcome in outcomes if outcome.state == state) for state in LINES}
    verb = "would remind" if dry_run else "reminded"
    click.echo(f"{counts['would_send'] if dry_run else counts['sent']} {verb}, {counts['already_sent']} already reminded, "
               f"{counts['no_contact']} without a contact email, {counts['failed']} failed "
               f"(check-ins from {today.isoformat()} to {lead_days} days ahead).")
    if not dry_run and counts["sent"] == 0 and counts["failed"] == 0:
        click.echo("Nothing to send.")
    if counts["failed"]:
        raise click.ClickException(f"{counts['failed']} reminder(s) could not be sent; they will be tried again on the next run.")
