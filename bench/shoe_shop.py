"""A Porto Alegre shoe and clothing shop, made up whole, that sells on Nuvemshop and exports its catalog
as Nuvemshop's product spreadsheet.

The shop, Passo Largo, sells trainers, boots, sandals, flip-flops, clothes and bags in reais, in
Brazilian Portuguese (`bench.shoe_catalog`). Its export (`produtos.csv`) is written as a Brazilian
spreadsheet saves one: semicolons between cells, decimal commas ("299,90"), the columns named in
Portuguese (`EXPORT_FIELDS`): `Identificador URL` (the product's page name, shared by its variants'
rows), `Nome`, `Categorias`, the variant pairs `Nome da variação 1` / `Valor da variação 1` (up to
three: "Cor" / "Preto", "Tamanho" / "42"), `Preço`, `Preço promocional` (a sale), `Estoque`, `SKU`,
`Código de barras`, `Exibir na loja` (SIM or NÃO), `Descrição` (HTML), `Marca`, `MPN`, `Sexo`, and the
shop system's bookkeeping (weights and sizes for shipping, cost, SEO texts). A variant's row holds its
page name, its options, price, stock, SKU and barcode; the product's fields are on its first row. The
shop gives SKUs to the models it buys by code, and none to its own basic lines (the flip-flops and the
basic T-shirt): those rows have no SKU. This writes such a file (a hidden product, a row without a
name, a price with a minus), the catalog as `indexer build` reads it with `COLUMNS`, and queries judged
by what a shopper asking them wants (`bench.shop_judging`).

    python -m bench.shoe_shop --out var/shops/shoe
    AISLE_CURRENCY=BRL AISLE_CATALOG_LANGUAGE=portuguese \\
    AISLE_SEARCH_FIELDS="$(cat var/shops/shoe/search-fields.json)" \\
    python -m bench.relevance --products var/shops/shoe/products.jsonl \\
        --queries var/shops/shoe/queries.tsv --qrels var/shops/shoe/qrels.tsv \\
        --synonyms var/shops/shoe/synonyms.json --methods bm25,dense,full
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench.shoe_catalog import DEPARTMENT, FAMILIES, JUDGED, SINGLES, Family
from bench.shop_judging import ExportRows, ean13, fold, shop_main, write_csv_shop
from engine.schema_checks import Limits
from indexer.readers import FeedFormat

SEED = 29
FILE = "produtos.csv"
GS1_PREFIX = "7894561"  # Brazil's 789, then the shop's company number
EXPORT_FIELDS = ["Identificador URL", "Nome", "Categorias"]
EXPORT_FIELDS += [f"{part} da variação {n}" for n in (1, 2, 3) for part in ("Nome", "Valor")]
EXPORT_FIELDS += ["Preço", "Preço promocional", "Peso (kg)", "Altura (cm)", "Largura (cm)"]
EXPORT_FIELDS += ["Comprimento (cm)", "Estoque", "SKU", "Código de barras", "Exibir na loja"]
EXPORT_FIELDS += ["Frete gratis", "Descrição", "Tags", "Título para SEO", "Descrição para SEO", "Marca"]
EXPORT_FIELDS += [
    "Produto Físico",
    "MPN (Cód. Exclusivo, Modelo Fabricante)",
    "Sexo",
    "Faixa etária",
    "Custo",
]
# The export's columns as the schema's (what the shop sets in AISLE_CATALOG_COLUMNS; docs/ingest.md).
COLUMNS: dict[str, str | None] = {"Identificador URL": "group", "Nome": "title", "Categorias": "category"}
COLUMNS |= {f"Nome da variação {n}": f"Option{n} Name" for n in (1, 2, 3)}
COLUMNS |= {f"Valor da variação {n}": f"Option{n} Value" for n in (1, 2, 3)}
COLUMNS |= {"Preço": "price", "Preço promocional": "sale_price", "Estoque": "stock", "SKU": "id"}
COLUMNS |= {"Código de barras": "gtin", "Exibir na loja": "published", "Descrição": "description"}
COLUMNS |= {"Marca": "brand", "MPN (Cód. Exclusivo, Modelo Fabricante)": "mpn", "Tags": "tags"}
# Shipping sizes, the cost price, SEO texts and flags: the shop system's bookkeeping, left out.
COLUMNS |= {name: None for name in ("Peso (kg)", "Altura (cm)", "Largura (cm)", "Comprimento (cm)")}
COLUMNS |= {
    name: None for name in ("Frete gratis", "Título para SEO", "Descrição para SEO", "Produto Físico")
}
COLUMNS |= {"Custo": None}
SEARCH_FIELDS = {"title": 3.0, "description": 1.0, "brand": 2.0, "category": 1.0, "attr.variant": 2.0}
SEARCH_FIELDS |= {"attr.Sexo": 1.0}
SYNONYMS = [["chinelo", "sandália de dedo"], ["moletom", "blusa de frio"], ["rasteira", "rasteirinha"]]
SYNONYMS += [["bermuda", "short"], ["tênis", "sapatênis"]]
HIDDEN = "Tênis de Corrida Passo Firme Veloz Edição Limitada"


def slug(name: str) -> str:
    """A product's page name as Nuvemshop makes it: lowercase, plain letters, words hyphened."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


def reais(amount: float) -> str:
    return f"{amount:.2f}".replace(".", ",")


class Export(ExportRows):
    """Nuvemshop's rows, one family at a time: the first row of a family carries its fields."""

    def family(self, family: Family, shown: bool = True) -> None:
        name, maker, category, sex, colours, sizes, price, mpn = family
        page = slug(name)
        department = DEPARTMENT.get(category.split(" > ")[0], "Roupas")
        options = [(c, s) for c in colours or ("",) for s in sizes or ("",)]
        on_sale = self.rng.random() < 0.25
        for number, (colour, size) in enumerate(options):
            row = {"Identificador URL": page}
            if number == 0:
                row |= {"Nome": name, "Categorias": f"{department} > {category}", "Marca": maker}
                row |= {"Descrição": f"<p>{name}. Qualidade {maker}, entrega para todo o Brasil.</p>"}
                row |= {"Sexo": sex, "Faixa etária": "Infantil" if "Infantil" in name else "Adulto"}
                row |= {"Exibir na loja": "SIM" if shown else "NÃO", "Tags": f"{category.split(' > ')[0]}"}
                row |= {"Título para SEO": f"{name} | Passo Largo", "Produto Físico": "SIM"}
            pairs = [(label, value) for label, value in (("Cor", colour), ("Tamanho", size)) if value]
            for slot, (label, value) in enumerate(pairs, 1):
                row[f"Nome da variação {slot}"] = label
                row[f"Valor da variação {slot}"] = value
            row |= {"Preço": reais(price), "Preço promocional": reais(price * 0.8) if on_sale else ""}
            row |= {"Estoque": str(self.rng.choice([0, 2, 5, 10, 25])), "Peso (kg)": "0,60"}
            row |= {
                "Altura (cm)": "12",
                "Largura (cm)": "20",
                "Comprimento (cm)": "30",
                "Frete gratis": "NÃO",
            }
            row |= {"Custo": reais(price * 0.45), "SKU": f"{mpn}-{len(self.rows) + 1:03d}" if mpn else ""}
            row |= {"Código de barras": ean13(f"{GS1_PREFIX}{len(self.rows) + 1:05d}")}
            row |= {"MPN (Cód. Exclusivo, Modelo Fabricante)": mpn}
            self.rows.append(row)

    def single(self, name: str, maker: str, category: str, sex: str, price: float, mpn: str) -> None:
        self.family((name, maker, category, sex, (), (), price, mpn))


def fill(export: Export) -> None:
    for family in FAMILIES:
        export.family(family)
    for single in SINGLES:
        export.single(*single)


def bad_rows(export: Export) -> None:
    """A product the shop hides (left out, no bad record), then a row without a name, a price with a
    minus, and a second row with a SKU already written."""
    limited = (HIDDEN, "Passo Firme", "Tênis > Corrida", "Masculino", ("Preto",), ("41",), 399.90, "PF-LTD")
    export.family(limited, shown=False)
    good = dict(export.rows[0])
    export.rows.append({**good, "Identificador URL": "sem-nome", "Nome": "", "SKU": "SEM-NOME-1"})
    export.rows.append({**good, "Identificador URL": "preco", "Nome": "Boné preço errado", "Preço": "-59,90",
                        "SKU": "PRECO-1"})  # fmt: skip
    export.rows.append({**good, "Identificador URL": "repetido", "Nome": "Meia repetida"})


def judged_text(product: dict) -> str:
    """What the patterns read: title | variant | sex | maker | category | mpn=... | gtin=..."""
    attributes = product.get("attributes", {})
    category = " > ".join(product.get("category") or [])
    parts = [product["title"], str(attributes.get("variant", "")), str(attributes.get("Sexo", ""))]
    parts += [str(product.get("brand", "")), category, f"mpn={attributes.get('mpn', '')}"]
    parts.append(f"gtin={attributes.get('gtin', '')}")
    return " | ".join(parts)


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write produtos.csv, products.jsonl, queries.tsv, qrels.tsv, search-fields.json and synonyms.json
    under `out`; their counts."""
    export = Export(seed)
    fill(export)
    bad_rows(export)
    feed = FeedFormat(columns=COLUMNS)
    limits = Limits.for_shop("BRL")
    counts = write_csv_shop(
        out,
        export,
        FILE,
        feed,
        "BRL",
        JUDGED,
        "sho",
        ";",
        header=EXPORT_FIELDS,
        text=judged_text,
        limits=limits,
    )
    (out / "search-fields.json").write_text(json.dumps(SEARCH_FIELDS), encoding="utf-8")
    sets = json.dumps({"synonyms": SYNONYMS}, ensure_ascii=False)
    (out / "synonyms.json").write_text(sets, encoding="utf-8")
    (out / "columns.json").write_text(json.dumps(COLUMNS, ensure_ascii=False), encoding="utf-8")
    return {"export rows": counts.pop("rows"), **counts}


def main(argv: list[str] | None = None) -> int:
    return shop_main("bench.shoe_shop", __doc__ or "", write, SEED, argv, "var/shops/shoe")


if __name__ == "__main__":
    raise SystemExit(main())
