// The admin page's synonym sets: one set per line, entries separated by commas ("sofa, couch, settee").
// Saving replaces the whole list; the server validates it (a 422 names the set and entry, e.g.
// `synonyms[1][0]`, shown here as the line) and stores nothing of a refused list.

import { api } from "./api.js";

const $ = (id) => document.getElementById(id);
const PATH = "/v1/admin/synonyms";

// "sofa, couch\n\ntv, television" -> [["sofa", "couch"], ["tv", "television"]] (blank lines skipped)
export function parseSets(text) {
  return text.split("\n").map((line) => line.split(",").map((s) => s.trim()).filter(Boolean))
    .filter((entries) => entries.length);
}

// "synonyms[1][0]: ..." -> "line 2, entry 1: ..." (the sets are the non-blank lines, in order)
function onLines(message, text) {
  const lines = text.split("\n").map((line, i) => [line, i + 1]).filter(([line]) => line.split(",").some((s) => s.trim()));
  return message.replace(/synonyms\[(\d+)\](?:\[(\d+)\])?/, (whole, set, entry) => {
    const line = lines[Number(set)];
    if (!line) return whole;
    return entry === undefined ? `line ${line[1]}` : `line ${line[1]}, entry ${Number(entry) + 1}`;
  });
}

export function attachSynonyms({ getKey, notice }) {
  function render(data) {
    $("synonym-sets").value = data.synonyms.map((entries) => entries.join(", ")).join("\n");
    $("synonym-count").textContent = `${data.synonyms.length} set${data.synonyms.length === 1 ? "" : "s"}`;
  }

  $("synonym-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("synonym-sets").value;
    try {
      render(await api(PATH, { method: "PUT", body: { synonyms: parseSets(text) }, key: getKey() }));
      notice("Synonyms saved: searches use them within a second.");
    } catch (err) {
      notice(`Not saved: ${onLines(err.message, text)}`, true);
    }
  });

  return async function load(key) {
    render(await api(PATH, { key }));
  };
}
