#!/usr/bin/env bash
# Several app processes for a big event: upgrade the database once, then one gunicorn per port
# (gevent worker, one worker each: Socket.IO keeps state per process). Put nginx (nginx.conf
# beside this file) in front. Needs DATABASE_URL (PostgreSQL), SOCKETIO_MESSAGE_QUEUE (Redis)
# and SECRET_KEY in the environment; PORTS overrides the ports.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL=postgresql+psycopg://...}"
: "${SOCKETIO_MESSAGE_QUEUE:?set SOCKETIO_MESSAGE_QUEUE=redis://...}"
: "${SECRET_KEY:?set SECRET_KEY to the same long random value for every process}"
# The processes listen on 127.0.0.1, behind nginx: trust its X-Forwarded-For, so that per-address
# rate limits count each client, not the proxy. Once nginx serves TLS, also PROXY_FIX_X_PROTO=1
# (cookies then go Secure) or PREFERRED_URL_SCHEME=https.
export PROXY_FIX_X_FOR="${PROXY_FIX_X_FOR:-1}"
.venv/bin/flask --app workshop db upgrade
for port in ${PORTS:-5001 5002 5003}; do
  .venv/bin/gunicorn --worker-class gevent --workers 1 --bind "127.0.0.1:$port" wsgi:app &
done
wait
