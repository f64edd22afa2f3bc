"""`flask --app workshop create-facilitator`: an account made by the server's admin."""
import click
from flask import current_app
from werkzeug.datastructures import MultiDict

from ..errors import Refused
from . import services
from .forms import SignupForm


@click.command("create-facilitator")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option(help="Asked for twice when not given.")
def create_facilitator(email, name, password):
    """Create a facilitator account."""
    # The sign-up form's own rules, so an admin cannot make an account the web would refuse.
    with current_app.test_request_context():
        data = MultiDict({"email": email, "name": name, "password": password, "confirm": password})
        form = SignupForm(formdata=data, meta={"csrf": False})
        if not form.validate():
            raise click.ClickException(" ".join(str(error) for errors in form.errors.values() for error in errors))
    try:
        facilitator = services.sign_up(form.email.data, form.name.data, password)
    except Refused as refusal:
        raise click.ClickException(str(refusal.message)) from refusal
    click.echo(f"Created facilitator {facilitator.name} <{facilitator.email}>.")
