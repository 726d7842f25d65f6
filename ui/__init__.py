"""The browser-facing parts: the Gradio app (`ui.app`), its HTML fragments (`ui.render`) and the widget files in static/."""
