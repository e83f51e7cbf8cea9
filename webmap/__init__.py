"""The planmap web service: Flask app factory, pages, JSON API and OGC API – Features."""

from webmap.app import create_app

__all__ = ["create_app"]
