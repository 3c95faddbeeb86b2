"""The render stage: the model -> HTML, through one set of Jinja2 templates for both formats."""

from pipeline.render.html import Renderer

__all__ = ["Renderer"]
