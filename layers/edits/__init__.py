"""Corrections to the gazetteer as revisions: propose, approve, reject, revert.

`changes` says what a revision does to a place (pure functions over GeoJSON features, checked by
the gazetteer's own rules); `service.Edits` runs each action as one database transaction with its
audit entry; `views` shapes revisions for the API; `patch` writes approved corrections back into
data/gazetteer/ files. Nothing here knows about HTTP: refusals are typed errors
(`layers.db.errors`) carrying the status an adapter answers with.
"""
