"""Ticimax's XML feed (`indexer.ticimax_feed`): each `<Secenek>` read as a product of its card's family
with the card's name, category path, brand, pictures and technical details, its own id, stock code,
barcode, stock, options and price as a shopper sees it (VAT added where the feed writes it without,
the discounted price a sale); the shop's purchase price and supplier never kept; a card that cannot be
read reported by the line its variant starts on, one without a price listed without one."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import InvalidInput
from engine.product_schema import Limits
from indexer.loading import LoadedCatalog, load_catalog

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<Root>
<Urunler>
<Urun>
<UrunKartiID>4</UrunKartiID>
<UrunAdi>BAMBU BORNOZ</UrunAdi>
<OnYazi><![CDATA[ ]]></OnYazi>
<Aciklama><![CDATA[ <p>Denizli'nin <b>en yumuşak</b> bornozu</p> ]]></Aciklama>
<Marka>Ege Çeyiz</Marka>
<Tedarikci>Dokuma A.Ş.</Tedarikci>
<SatisBirimi/>
<KategoriID>19</KategoriID>
<Kategori>Bornoz</Kategori>
<KategoriTree>Banyo/Bornoz</KategoriTree>
<UrunUrl>https://shop.example/bambu-bornoz-4</UrunUrl>
<Resimler><Resim>https://shop.example/1.jpg</Resim><Resim>https://shop.example/2.jpg</Resim></Resimler>
<UrunSecenek>
<Secenek>
<VaryasyonID>41</VaryasyonID><StokKodu>EGC-BRN-S</StokKodu><Barkod>8682983104849</Barkod>
<StokAdedi>3</StokAdedi><AlisFiyati>400,00</AlisFiyati><SatisFiyati>1.000,00</SatisFiyati>
<IndirimliFiyat>899,90</IndirimliFiyat><KDVDahil>false</KDVDahil><KdvOrani>20</KdvOrani>
<ParaBirimi>TL</ParaBirimi><ParaBirimiKodu>TRY</ParaBirimiKodu><Desi>1</Desi>
<EkSecenekOzellik><Ozellik Tanim="Renk" Deger="Beyaz">Beyaz</Ozellik><Ozellik Tanim="Beden">S</Ozellik>
</EkSecenekOzellik>
</Secenek>
<Secenek>
<VaryasyonID>42</VaryasyonID><StokKodu>EGC-BRN-M</StokKodu><StokAdedi>0</StokAdedi>
<SatisFiyati>1.299,90</SatisFiyati><IndirimliFiyat>0,00</IndirimliFiyat><KDVDahil>true</KDVDahil>
<KdvOrani>20</KdvOrani><ParaBirimi>TL</ParaBirimi>
<EkSecenekOzellik><Ozellik Tanim="Renk" Deger="Beyaz">Beyaz</Ozellik>
<Ozellik Tanim="Beden" Deger="M">M</Ozellik></EkSecenekOzellik>
</Secenek>
</UrunSecenek>
<TeknikDetaylar>
<TeknikDetay><OzellikTanim>Malzeme</OzellikTanim><DegerTanim>Bambu</DegerTanim></TeknikDetay>
<TeknikDetay><OzellikTanim>Malzeme</OzellikTanim><DegerTanim>Pamuk</DegerTanim></TeknikDetay>
<TeknikDetay><Ozellik>Menşei</Ozellik><Deger>Türkiye</Deger></TeknikDetay>
</TeknikDetaylar>
</Urun>
<Urun><UrunKartiID>5</UrunKartiID><UrunAdi>Keten Masa Örtüsü</UrunAdi><Kategori>Masa Örtüsü</Kategori>
<UrunSecenek><Secenek><VaryasyonID>51</VaryasyonID><SatisFiyati>349,90</SatisFiyati>
<ParaBirimiKodu>TRY</ParaBirimiKodu><EkSecenekOzellik/></Secenek></UrunSecenek></Urun>
<Urun><UrunKartiID>6</UrunKartiID>
<UrunSecenek><Secenek><VaryasyonID>61</VaryasyonID><SatisFiyati>10,00</SatisFiyati></Secenek></UrunSecenek>
</Urun>
<Urun><UrunKartiID>7</UrunKartiID><UrunAdi>Pike</UrunAdi>
<UrunSecenek><Secenek><VaryasyonID>71</VaryasyonID><SatisFiyati/></Secenek></UrunSecenek></Urun>
</Urunler>
</Root>
"""


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedCatalog:
    path = tmp_path / "ticimax.xml"
    path.write_text(FEED, encoding="utf-8")
    return load_catalog(path, Limits.for_shop("TRY"))


def test_each_variant_reads_as_a_product_of_its_card(loaded: LoadedCatalog) -> None:
    small, medium, cloth, _ = (p.to_dict() for p in loaded.products)
    assert (small["id"], small["title"], small["brand"]) == ("41", "BAMBU BORNOZ", "Ege Çeyiz")
    assert small["category"] == ["Banyo", "Bornoz"] and small["image"] == "https://shop.example/1.jpg"
    assert small["description"] == "Denizli'nin en yumuşak bornozu"
    attributes = small["attributes"]
    assert (attributes["group"], medium["attributes"]["group"]) == ("4", "4")
    assert (attributes["sku"], attributes["barcode"], attributes["stock"]) == (
        "EGC-BRN-S",
        "8682983104849",
        "3",
    )
    assert (attributes["Renk"], attributes["Beden"], attributes["variant"]) == ("Beyaz", "S", "Beyaz / S")
    assert medium["attributes"]["variant"] == "Beyaz / M" and medium["availability"] == "out_of_stock"
    assert attributes["Malzeme"] == ["Bambu", "Pamuk"] and attributes["Menşei"] == "Türkiye"
    assert cloth["category"] == ["Masa Örtüsü"] and "variant" not in cloth["attributes"]


def test_prices_read_as_a_shopper_sees_them(loaded: LoadedCatalog) -> None:
    small, medium, cloth, _ = (p.to_dict() for p in loaded.products)
    # written before VAT (KDVDahil false, 20%): 1.000,00 is 1200, the discounted 899,90 is 1079.88
    assert (small["price"], small["attributes"]["regular_price"]) == (1079.88, 1200.0)
    assert (medium["price"], medium["currency"]) == (1299.9, "TRY")  # "TL" is TRY; 0,00 is no discount
    assert "regular_price" not in medium["attributes"] and cloth["price"] == 349.9


def test_the_shops_own_business_is_never_kept(loaded: LoadedCatalog) -> None:
    for product in loaded.products:
        kept = set(product.attributes)
        assert not kept & {"AlisFiyati", "Tedarikci", "Desi", "KdvOrani", "KDVDahil", "KategoriID"}


def test_a_card_that_cannot_be_read_is_reported_by_its_line(loaded: LoadedCatalog) -> None:
    line = (
        FEED.splitlines().index(
            "<UrunSecenek><Secenek><VaryasyonID>61</VaryasyonID><SatisFiyati>10,00</SatisFiyati></Secenek></UrunSecenek>"
        )
        + 1
    )
    assert [(p.line, p.product_id, p.message) for p in loaded.problems] == [(line, "61", "title: required")]
    pike = loaded.products[-1]
    assert (pike.id, pike.price) == ("71", None)  # no price given: listed without one, as in every format


def test_a_feed_cut_short_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "ticimax.xml"
    path.write_text(FEED[: FEED.index("<Urun><UrunKartiID>5")] + "<Urun><UrunAdi>", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"ticimax.xml:\d+: not well-formed XML"):
        load_catalog(path, Limits.for_shop("TRY"))
