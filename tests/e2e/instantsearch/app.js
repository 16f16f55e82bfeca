// The stock InstantSearch.js set-up a shop already has, with one change: the search client's and the
// insights client's host point at the Aisle gateway (here the page's own origin).
const { liteClient } = window["algoliasearch/lite"];
const aa = window.aa;  // search-insights, installed by the loader in index.html

const gateway = { url: location.host, protocol: location.protocol.replace(":", ""), accept: "readWrite" };
// The client gives up on a host after 2 s by default; a busy two-core test machine can take longer for the
// first searches while Triton warms up, so this page allows more.
const timeouts = { connect: 5000, read: 30000, write: 30000 };
const searchClient = liteClient("aisle", "search-only-key", { hosts: [gateway], timeouts });
aa("init", { appId: "aisle", apiKey: "search-only-key", host: location.origin, userToken: "e2e-shopper" });

const search = instantsearch({ indexName: "products", searchClient });
search.use(instantsearch.middlewares.createInsightsMiddleware({ insightsClient: aa }));
search.addWidgets([
  instantsearch.widgets.configure({ hitsPerPage: 4 }),
  instantsearch.widgets.searchBox({ container: "#searchbox", placeholder: "Search products", showLoadingIndicator: false }),
  instantsearch.widgets.stats({ container: "#stats" }),
  instantsearch.widgets.refinementList({ container: "#brands", attribute: "brand", limit: 8 }),
  instantsearch.widgets.hits({
    container: "#hits",
    templates: {
      item: (hit, { html, components, sendEvent }) => html`
        <article class="hit" data-id=${hit.objectID} data-brand=${hit.brand}
                 onClick=${() => sendEvent("click", hit, "Product Clicked")}>
          ${hit.image ? html`<img src=${`/v1/products/${encodeURIComponent(hit.objectID)}/image`} alt="" />` : html`<div class="no-image"></div>`}
          <h3>${components.Highlight({ hit, attribute: "title" })}</h3>
          <p>${hit.brand} · ${hit.price == null ? "" : `$${hit.price.toFixed(2)}`}</p>
        </article>`,
    },
  }),
  instantsearch.widgets.pagination({ container: "#pagination", padding: 2 }),
]);
search.start();
window.aisleSearch = search;
