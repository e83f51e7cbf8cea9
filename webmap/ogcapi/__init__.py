"""OGC API – Features for planmap's layers, mounted at /ogcapi.

`core` is framework-free (pygeoapi-style endpoint functions returning status, headers and body);
`flask_adapter.blueprint` is the thin Flask face that `webmap.app` registers.
"""

from webmap.ogcapi.flask_adapter import blueprint

__all__ = ["blueprint"]
