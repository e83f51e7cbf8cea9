"""Map layers: places + their policy text, grouped, built and exported.

`definitions` (data/layers.toml, validated), `store` (LayerStore: the one object the web atlas,
the OGC API and the figures read), `build` (`planmap build`), `export` (`planmap export`),
`cli` (argparse wiring); `query`, `synthetic` (OGC API feature store) and `render` (figures)
build on the store. Depends on `geo` only; nothing here knows about Flask or Folium.
"""
