"""A Japanese kitchen and household shop, made up whole, that exports its catalog as its own CSV.

Japanese shop systems and spreadsheets write Shift_JIS (Windows' cp932), Japanese column names
("商品名", "販売価格"), prices in yen with a comma grouping thousands ("3,980", "2,480円", "￥9,900", and
"¥3,980" with the sign as Shift_JIS's byte 0x5C), stock counts, JAN codes (the Japanese name of the EAN)
and model numbers; products entered on an older system keep half-width katakana ("ﾃﾌﾛﾝ加工 ﾌﾗｲﾊﾟﾝ").
Shoppers type words apart or run together, with the ideographic space, sometimes in half-width katakana.
This writes such an export (48 products, three bad rows: "オープン価格", a name left out, "要問合せ"), the
catalog as `indexer build` reads it with the settings below (JSON Lines), and 47 queries judged by what
a shopper asking them wants (`bench.kitchen_catalog`, `bench.shop_judging`).

    python -m bench.kitchen_shop --out var/shops/kitchen
    AISLE_CURRENCY=JPY python -m bench.relevance \\
        --products var/shops/kitchen/products.jsonl --queries var/shops/kitchen/queries.tsv \\
        --qrels var/shops/kitchen/qrels.tsv --methods bm25,dense,full

The export itself (shohin.csv) is read by `indexer build` with `AISLE_CATALOG_COLUMNS` set to `COLUMNS`,
`AISLE_CATALOG_ENCODING=cp932` and `AISLE_CURRENCY=JPY`.
"""

from __future__ import annotations

from pathlib import Path

from bench.kitchen_catalog import JUDGED, ROWS
from bench.shop_judging import ExportRows, shop_main, write_csv_shop
from indexer.readers import FeedFormat

SEED = 23
COLUMNS = {
    "商品番号": "id", "商品名": "title", "商品説明": "description", "メーカー": "brand",
    "カテゴリ": "category", "販売価格": "price", "在庫数": "stock", "JANコード": "jan", "型番": "model",
    "カラー": "color",
}  # fmt: skip
ENCODING = "cp932"
KNOWN_JAN = {"k-101": "4901601284526"}  # the one a judged query types


def yen(amount: int, style: int) -> str:
    """A price as the shop's systems write it, one of four ways: "3,980", "3,980円", "￥3,980", and
    "¥3,980" as Shift_JIS stores that sign, byte 0x5C, which cp932 reads as a backslash."""
    number = f"{amount:,}"
    return (number, f"{number}円", f"￥{number}", f"\\{number}")[style % 4]


class Export(ExportRows):
    """The export's rows, Japanese column names first."""

    def products(self) -> None:
        for n, (pid, title, text, maker, category, price, stock, model, colour) in enumerate(ROWS):
            self.rows.append({
                "商品番号": pid, "商品名": title, "商品説明": text, "メーカー": maker, "カテゴリ": category,
                "販売価格": yen(price, n), "在庫数": str(stock),
                "JANコード": KNOWN_JAN.get(pid) or self.ean(), "型番": model, "カラー": colour,
            })  # fmt: skip

    def bad_rows(self) -> None:
        """An "open price" (the maker sets none), a row without a name, a price "on request"."""
        first = {name: "" for name in COLUMNS}
        self.rows.append(
            first | {"商品番号": "z-1", "商品名": "南部鉄器 鉄瓶 1.2L", "販売価格": "オープン価格"}
        )
        self.rows.append(first | {"商品番号": "z-2", "商品説明": "名前のない商品。", "販売価格": "500"})
        self.rows.append(first | {"商品番号": "z-3", "商品名": "特注 銅製 卵焼き器", "販売価格": "要問合せ"})


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write shohin.csv, products.jsonl, queries.tsv and qrels.tsv under `out`; their counts."""
    export = Export(seed)
    export.products()
    export.bad_rows()
    feed = FeedFormat(COLUMNS, ENCODING)
    return write_csv_shop(out, export, "shohin.csv", feed, "JPY", JUDGED, "jpk")


def main(argv: list[str] | None = None) -> int:
    return shop_main("bench.kitchen_shop", __doc__ or "", write, SEED, argv, "var/shops/kitchen")


if __name__ == "__main__":
    raise SystemExit(main())
