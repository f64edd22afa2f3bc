"""Entry point. `python wsgi.py` serves the app on HOST:PORT (default 127.0.0.1:5000), bringing the
database up to date and seeding the demo workshop on first start.

gevent must patch the standard library before anything imports `socket`, `ssl` or `threading`:
hence the first two lines.
"""
from gevent import monkey

monkey.patch_all()

import os  # noqa: E402

from flask_migrate import upgrade  # noqa: E402

from workshop import create_app  # noqa: E402
from workshop.extensions import socketio  # noqa: E402
from workshop.workshops import cli as demo  # noqa: E402

app = create_app()


def serve(host, port):
    with app.app_context():
        upgrade()
        if demo.database_is_empty():
            workshop = demo.seed_demo_workshop()
            print(f'Seeded the demo workshop "{workshop.title}" (join code {workshop.join_code}).', flush=True)
        url = f"http://{host}:{port}/"
        print(f"The co-creation workshop app is on {url}", flush=True)
        if demo.demo_login_works():
            print(f"Facilitators: log in at {url}login as {demo.DEMO_EMAIL} / {demo.DEMO_PASSWORD}", flush=True)
        print(f"Participants: open {url} and type the workshop's join code.", flush=True)
    socketio.run(app, host=host, port=port)


if __name__ == "__main__":
    serve(os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "5000")))
