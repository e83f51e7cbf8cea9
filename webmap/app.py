"""Flask application factory (minimal until the web atlas lands)."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify

from geo.corpus import default_corpus


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    if config:
        app.config.update(config)

    @app.get("/healthz")
    def healthz():
        corpus = default_corpus()
        return jsonify(
            status="ok",
            plans=[{"id": p.id, "title": p.title, "year": p.year} for p in corpus],
        )

    return app
