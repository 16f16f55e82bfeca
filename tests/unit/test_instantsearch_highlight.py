"""`_highlightResult` and `_snippetResult` on InstantSearch hits: the query's words wrapped in the
request's tags (Algolia's defaults otherwise), per attribute, with Algolia's match levels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from api.highlight import Highlighter
from api.main import create_app
from tests.unit.gateway_fakes import make_services

MULTI = "/1/indexes/*/queries"
PRE, POST = "__ais-highlight__", "__/ais-highlight__"  # what InstantSearch.js sends


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    services = make_services(tmp_path)
    with TestClient(create_app(services)) as test_client:
        yield test_client
    services.close()


def hits(client: TestClient, **values: object) -> list[dict]:
    response = client.post(MULTI, json={"requests": [{"indexName": "products", **values}]})
    assert response.status_code == 200, response.text
    return response.json()["results"][0]["hits"]


def by_id(found: list[dict]) -> dict[str, dict]:
    return {hit["objectID"]: hit for hit in found}


def test_query_words_are_wrapped_in_the_requested_tags(client: TestClient) -> None:
    found = by_id(hits(client, query="running shoes", highlightPreTag=PRE, highlightPostTag=POST))
    title = found["p1"]["_highlightResult"]["title"]
    assert title == {
        "value": f"Red {PRE}running{POST} {PRE}shoes{POST}",
        "matchLevel": "full",
        "matchedWords": ["running", "shoes"],
        "fullyHighlighted": False,
    }
    assert found["p1"]["title"] == "Red running shoes"  # the record itself is unchanged
    # Each attribute is marked with the query words it holds (the product matches across fields).
    jacket = by_id(hits(client, query="running waterproof", highlightPreTag=PRE, highlightPostTag=POST))[
        "p3"
    ]["_highlightResult"]
    assert jacket["title"]["matchLevel"] == "partial" and jacket["title"]["matchedWords"] == ["running"]
    assert jacket["description"] == {
        "value": f"{PRE}Waterproof{POST} jacket",
        "matchLevel": "partial",
        "matchedWords": ["waterproof"],
        "fullyHighlighted": False,
    }
    assert jacket["brand"]["matchLevel"] == "none" and jacket["brand"]["matchedWords"] == []
    assert {"title", "brand", "description", "category", "categories"} <= set(jacket)


def test_algolia_default_tags_and_the_params_string_form(client: TestClient) -> None:
    default = by_id(hits(client, query="knife"))
    assert default["p4"]["_highlightResult"]["title"]["value"] == "Chef <em>knife</em>"
    encoded = urlencode({"query": "KNIFE", "highlightPreTag": "<b>", "highlightPostTag": "</b>"})
    found = by_id(hits(client, params=encoded))
    assert found["p5"]["_highlightResult"]["description"]["value"] == "Serrated <b>knife</b> for bread"


def test_attributes_to_highlight_chooses_the_attributes(client: TestClient) -> None:
    found = hits(client, query="knife", attributesToHighlight=["title"])
    assert found and all(set(hit["_highlightResult"]) == {"title"} for hit in found)
    assert all("_highlightResult" not in hit for hit in hits(client, query="knife", attributesToHighlight=[]))


def test_snippets_cut_around_the_first_match(client: TestClient) -> None:
    found = by_id(
        hits(client, query="trail", attributesToSnippet=["description:2"], snippetEllipsisText="...")
    )
    # "Cushioned shoes for trail running": two words from the match
    assert found["p2"]["_snippetResult"] == {
        "description": {"value": "...<em>trail</em> running", "matchLevel": "full"}
    }
    three = by_id(hits(client, query="trail", attributesToSnippet="description:3,title:1"))["p2"]
    assert three["_snippetResult"]["description"]["value"] == "…for <em>trail</em> running"
    assert three["_snippetResult"]["title"] == {"value": "Blue…", "matchLevel": "none"}
    assert "_snippetResult" not in by_id(hits(client, query="trail"))["p2"]


def test_a_bad_snippet_word_count_is_422_naming_the_parameter(client: TestClient) -> None:
    body = {"requests": [{"indexName": "products", "query": "knife", "attributesToSnippet": ["title:0"]}]}
    response = client.post(MULTI, json=body)
    assert response.status_code == 422
    assert "attributesToSnippet" in response.json()["error"]["message"]


def test_the_last_word_matches_as_a_prefix_and_accents_are_ignored() -> None:
    typing = Highlighter.of("run")
    assert typing.highlight("Trail running")["value"] == "Trail <em>run</em>ning"
    assert Highlighter.of("run ").highlight("Trail running")["matchLevel"] == "none"  # a finished word
    assert Highlighter.of("creme").highlight("Crème brûlée")["value"] == "<em>Crème</em> brûlée"
    both = Highlighter.of("shoes shoes").highlight("shoes")
    assert both["matchLevel"] == "full" and both["matchedWords"] == ["shoes"] and both["fullyHighlighted"]
