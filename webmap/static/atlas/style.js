/* planmap atlas, style: how a feature, a basemap role and a legend swatch look.
 *
 * Every rule and colour comes from the page config, `cfg.styles` (webmap.maps.map_styles: the
 * precision looks and basemap roles of layers.styles.browser_config, plus the screen-only looks
 * of webmap.maps); this module only turns them into Leaflet path options. So "approximate and
 * schematic are dashed, area-only is a thin outline" is the same rule here as in the figures.
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util;

  Planmap.module('style', function (state) {
    var conf = state.cfg.styles;

    function lineColour(style) { return U.colour(style.color, conf.default_colour); }
    function fillColour(style) { return U.colour(style.fill_color, lineColour(style)); }
    function look(props) { return conf.precision[(props || {}).precision] || {}; }

    // A layer's style, changed as the feature's precision asks.
    function feature(style, props) {
      var l = look(props);
      var s = {
        color: lineColour(style), weight: l.weight == null ? style.weight : l.weight,
        fillColor: fillColour(style), fillOpacity: l.outline_only ? 0 : style.fill_opacity,
        opacity: conf.line_opacity
      };
      if (l.dashed) { s.dashArray = style.dash_array || conf.default_dash; }
      return s;
    }

    // A point: a disc in the layer's colour with a ring (the precision still sets the dash).
    function point(style, props) {
      var s = feature(style, props), p = conf.point;
      s.radius = p.radius;
      s.weight = p.weight;
      s.color = U.colour(p.color, s.color);
      s.fillColor = lineColour(style);
      s.fillOpacity = p.fill_opacity;
      return s;
    }

    // A basemap role (city, district, haidian, water, rail, road); an unknown role is a district.
    function base(role) {
      var b = conf.basemap[role] || conf.basemap.district;
      return {
        stroke: !!b.color && b.weight > 0, color: b.color || undefined, weight: b.weight,
        fill: !!b.fill_color, fillColor: b.fill_color || undefined, fillOpacity: b.fill_opacity,
        dashArray: b.dash_array || null
      };
    }

    // A water or rail feature known only as a point: a small dot in its role's colours.
    function basePoint(role) {
      var b = base(role), p = conf.base_point;
      return {radius: p.radius, weight: p.weight, color: b.color, fillColor: b.fillColor || b.color,
        fillOpacity: p.fill_opacity};
    }

    function swatch(style, extraClass) {
      var span = U.el('span', {'class': 'pm-swatch' + (extraClass ? ' ' + extraClass : '')});
      span.style.borderColor = lineColour(style);
      span.style.background = fillColour(style);
      return span;
    }

    // The same swatch as HTML text, for the layer control (which takes labels as HTML).
    function swatchHtml(style) {
      return '<span class="pm-swatch" style="border-color:' + lineColour(style) +
        ';background:' + fillColour(style) + '"></span>';
    }

    state.style = {
      feature: feature, point: point, base: base, basePoint: basePoint, swatch: swatch,
      swatchHtml: swatchHtml, place: conf.place,
      minorZoom: conf.minor_zoom
    };
  });
}(window.Planmap));
