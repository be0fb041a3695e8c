"""Charts the console draws on the server as inline SVG (no script, no inline style: presentation
comes from classes in ``console.css``). Each module is a pure function from plain values, already
worded in the viewer's language, to SVG markup; every chart carries ``role="img"`` with a title and
a description, and the page beside it states the same facts as text.
"""
