"""Reading Haidian's plans and placing what they name: corpus, reader, gazetteer, finder, CRS.

This package knows nothing of Flask or Folium; `layers` and `webmap` build on it.
"""
