/* The widget's colour theme: one accent colour in (embed.js data-color, or /widget?accent=), every colour the widget
 * uses derived from it so that text keeps a WCAG contrast of at least 4.5:1 whatever colour an integrator picks.
 *
 *   --wj-accent       fills: header, primary buttons, selected tab underline, user bubbles (darkened if needed)
 *   --wj-on-accent    text on those fills (white, or near-black on light colours)
 *   --wj-accent-ink   accent-coloured text and borders on white and on --wj-accent-soft (links, tabs, chips)
 *   --wj-accent-soft  light backgrounds (chips, the selected option)
 */
(function () {
  "use strict";
  var WHITE = [255, 255, 255], BLACK = [0, 0, 0], DARK = [17, 24, 39];
  var MIN = 4.5;

  function rgb(color) {
    if (!color || !window.CSS || !CSS.supports("color", color)) return null;
    var probe = document.createElement("span");
    probe.style.color = color;
    probe.style.display = "none";
    document.documentElement.appendChild(probe);
    var value = getComputedStyle(probe).color;
    probe.remove();
    var parts = value.match(/[\d.]+/g);
    if (!parts || parts.length < 3 || (parts.length > 3 && Number(parts[3]) < 1)) return null;  /* no transparency */
    return parts.slice(0, 3).map(function (v) { return Math.round(Number(v)); });
  }
  function luminance(c) {
    var l = c.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  }
  function contrast(a, b) {
    var x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  function mix(a, b, t) {
    return a.map(function (v, i) { return Math.round(v * (1 - t) + b[i] * t); });
  }
  function towards(color, target, against) {  /* the least change of `color` towards `target` that reads on `against` */
    for (var t = 0; t <= 1.0001; t += 0.05) {
      var c = mix(color, target, t);
      if (contrast(c, against) >= MIN) return c;
    }
    return target;
  }
  function css(c) { return "rgb(" + c.join(", ") + ")"; }

  function derive(color) {
    var base = rgb(color);
    if (!base) return null;
    var on = contrast(WHITE, base) >= contrast(DARK, base) ? WHITE : DARK;
    var fill = contrast(on, base) >= MIN ? base : towards(base, on === WHITE ? BLACK : WHITE, on);
    var soft = mix(base, WHITE, 0.9);
    var ink = towards(base, BLACK, soft);
    return {accent: css(fill), on: css(on), ink: css(ink), soft: css(soft),
            contrast: {on: contrast(on, fill), ink: contrast(ink, WHITE), inkOnSoft: contrast(ink, soft)}};
  }
  function apply(root, color) {
    var colors = derive(color);
    if (!colors) return null;
    root.style.setProperty("--wj-accent", colors.accent);
    root.style.setProperty("--wj-on-accent", colors.on);
    root.style.setProperty("--wj-accent-ink", colors.ink);
    root.style.setProperty("--wj-accent-soft", colors.soft);
    return colors;
  }
  window.WangjiaoTheme = {derive: derive, apply: apply, contrast: contrast, rgb: rgb};
})();
