"""A search hit's snippet written in one string (`snippet_html`) is what search.html's loop over its pieces
printed: each piece escaped as Jinja2's autoescape escapes it, each word found in <mark>."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import Environment

from newstrace.serve.app import snippet_html

_LOOP = (  # the loop search.html had
    "{% for piece in pieces %}{% if piece.found %}<mark>{{ piece.text }}</mark>{% else %}{{ piece.text }}{% endif %}"
    "{% endfor %}"
)
_WRITTEN = Environment(autoescape=True).from_string("<p>{{ snippet_html(pieces) }}</p>")
_LOOPED = Environment(autoescape=True).from_string(f"<p>{_LOOP}</p>")
_PIECES = st.lists(
    st.fixed_dictionaries({"text": st.text(alphabet=st.sampled_from("ab <>&\"'…\u202e")), "found": st.booleans()}),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(_PIECES)
def test_a_snippet_in_one_string_is_the_template_loop_over_its_pieces(pieces: list[dict[str, object]]) -> None:
    assert _WRITTEN.render(snippet_html=snippet_html, pieces=pieces) == _LOOPED.render(pieces=pieces)
