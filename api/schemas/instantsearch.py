"""Request and response shapes of the InstantSearch-compatible search endpoints (Algolia's REST protocol).

A query's parameters arrive either as fields of the request object (the v5 API clients) or as a
URL-encoded `params` string whose list values are JSON (`facetFilters=%5B%22brand%3AAcme%22%5D`, the v4
clients and most integrations); both end up in `SearchParams`, validated like every request body
(`RequestModel`: control characters and non-finite numbers are a 422 naming the field, also inside
`params`). Algolia's other search parameters (`IGNORED`: typo tolerance, `analyticsTags`,
`maxValuesPerFacet`, ...) are accepted and ignored so stock front ends work unchanged; the ones that would
change the answer and are not supported are refused by name, and a name Algolia does not have (a typo
such as `hitPerPage`) is refused like an unknown field anywhere else.
"""

from __future__ import annotations

import json
from typing import Any, Literal
from urllib.parse import parse_qsl

from pydantic import BaseModel, Field, field_validator, model_validator

from api.schemas.common import RequestModel

FilterList = str | list[str | list[str]]

# Parameters whose meaning the gateway cannot honour: answering while ignoring them would be wrong.
UNSUPPORTED = (
    "filters",
    "optionalFilters",
    "tagFilters",
    "aroundLatLng",
    "insideBoundingBox",
    "insidePolygon",
)

# Algolia search parameters that are accepted and set aside: they tune Algolia's own engine (typos, rules,
# personalisation), label its analytics or shape its response; this gateway answers as it always
# does. Parameters whose absence would give a wrong answer (`offset`/`length` paging) are not listed here,
# so they are refused as unknown.
IGNORED = frozenset(
    {
        "advancedSyntax",
        "advancedSyntaxFeatures",
        "allowTyposOnNumericTokens",
        "alternativesAsExact",
        "analyticsTags",
        "aroundLatLngViaIP",
        "aroundPrecision",
        "aroundRadius",
        "attributeCriteriaComputedByMinProximity",
        "attributesToRetrieve",
        "decompoundQuery",
        "disableExactOnAttributes",
        "disableTypoToleranceOnAttributes",
        "enableABTest",
        "enablePersonalization",
        "enableReRanking",
        "enableRules",
        "exactOnSingleWordQuery",
        "explain",
        "facetingAfterDistinct",
        "getRankingInfo",
        "ignorePlurals",
        "maxFacetHits",
        "maxValuesPerFacet",
        "minimumAroundRadius",
        "minProximity",
        "minWordSizefor1Typo",
        "minWordSizefor2Typos",
        "mode",
        "naturalLanguages",
        "optionalWords",
        "percentileComputation",
        "personalizationImpact",
        "queryLanguages",
        "reRankingApplyFilter",
        "relevancyStrictness",
        "removeStopWords",
        "removeWordsIfNoResults",
        "renderingContent",
        "replaceSynonymsInHighlight",
        "responseFields",
        "restrictHighlightAndSnippetArrays",
        "restrictSearchableAttributes",
        "ruleContexts",
        "semanticSearch",
        "similarQuery",
        "sortFacetValuesBy",
        "sumOrFiltersScores",
        "synonyms",
        "typoTolerance",
    }
)


def parse_params(params: str) -> dict[str, Any]:
    """A URL-encoded Algolia parameter string -> field values (JSON lists and objects decoded)."""
    values: dict[str, Any] = {}
    for name, raw in parse_qsl(params, keep_blank_values=True):
        value: Any = raw
        if name != "query" and raw[:1] in ("[", "{"):
            try:
                value = json.loads(raw)
            except json.JSONDecodeError:
                raise ValueError(f"params: {name} is not valid JSON") from None
        values[name] = value
    return values


class SearchParams(RequestModel):
    """The parameters of one query; names and meanings as in Algolia's search API (`page` is 0-based)."""

    query: str = ""
    page: int = Field(0, ge=0, le=999)
    hitsPerPage: int = Field(20, ge=0, le=100)
    facets: list[str] | str = Field(default_factory=list)
    facetFilters: FilterList = Field(default_factory=list)
    numericFilters: FilterList = Field(default_factory=list)
    clickAnalytics: bool = False
    analytics: bool = True
    userToken: str | None = Field(None, max_length=256)
    filters: str = ""
    optionalFilters: FilterList = Field(default_factory=list)
    tagFilters: FilterList = Field(default_factory=list)
    aroundLatLng: str = ""
    insideBoundingBox: Any = None
    insidePolygon: Any = None
    highlightPreTag: str = Field("<em>", max_length=64, description="Put before each matched word.")
    highlightPostTag: str = Field("</em>", max_length=64, description="Put after each matched word.")
    attributesToHighlight: list[str] | str | None = Field(
        None, description="Attributes in `_highlightResult`; default the text fields, `*` every field."
    )
    attributesToSnippet: list[str] | str | None = Field(
        None, description='`_snippetResult` of these attributes, e.g. `["description:12"]` (words).'
    )
    snippetEllipsisText: str = Field("…", max_length=32)
    distinct: bool | None = Field(
        None,
        description="true or 1: each product family (sizes, colours: the products naming one `group`) "
        "once, false or 0: every product; default AISLE_DISTINCT_FAMILIES. A family shows one product.",
    )
    queryType: Literal["prefixLast", "prefixAll", "prefixNone"] = Field(
        "prefixLast",
        description="`prefixNone`: whole words only; `prefixLast` (and `prefixAll`, served the same way): "
        "the last word also matches the words it begins.",
    )

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        """Merge a `params` string (or object) into the fields (explicit fields win), and set the
        ignored parameters aside."""
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        if "params" in data:
            params = merged.pop("params")
            if isinstance(params, str):
                merged = {**parse_params(params), **merged}
            elif isinstance(params, dict):
                merged = {**params, **merged}
            else:
                raise ValueError("params must be a URL-encoded string or an object")
        return {name: value for name, value in merged.items() if name not in IGNORED}

    @field_validator("distinct", mode="before")
    @classmethod
    def _one_per_family(cls, value: Any) -> Any:
        """Algolia's `distinct` may ask for N products per family; this gateway shows one."""
        if (
            isinstance(value, (int, str))
            and not isinstance(value, bool)
            and str(value).strip() not in ("0", "1", "true", "false")
        ):
            raise ValueError("distinct shows one product per family: send true, false, 0 or 1")
        return value

    def facet_names(self) -> list[str]:
        return [self.facets] if isinstance(self.facets, str) else list(self.facets)

    def unsupported(self) -> list[str]:
        """Names of the given parameters that the gateway cannot honour."""
        return [name for name in UNSUPPORTED if getattr(self, name)]


class IndexQuery(SearchParams):
    """One entry of a multi-query request: an index name plus its parameters."""

    indexName: str = Field(min_length=1, max_length=256)
    type: str = "default"
    facet: str | None = Field(None, description="With type `facet` (refused: no facet value search).")
    facetQuery: str | None = None


class MultiQueryRequest(RequestModel):
    requests: list[IndexQuery] = Field(min_length=1, max_length=50)
    strategy: str = "none"


class IndexResult(BaseModel):
    """One query's answer, field for field what InstantSearch reads."""

    hits: list[dict[str, Any]]
    nbHits: int
    page: int
    nbPages: int
    hitsPerPage: int
    facets: dict[str, dict[str, int]] = Field(default_factory=dict)
    exhaustiveNbHits: bool = Field(
        True,
        description="False for text searches: nbHits and the facet counts describe the ranked candidate "
        "list (a few hundred products), not every product that shares a word with the query.",
    )
    exhaustiveFacetsCount: bool = True
    query: str
    params: str
    index: str
    processingTimeMS: int
    queryID: str | None = Field(
        None, description="With clickAnalytics: quote it in Insights events to tie them to this list."
    )
    renderingContent: dict[str, Any] = Field(default_factory=dict)


class MultiQueryResponse(BaseModel):
    results: list[IndexResult]
