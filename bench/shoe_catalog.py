"""The Porto Alegre shoe and clothing shop's catalog and judged queries (`bench.shoe_shop`).

Passo Largo sells trainers, boots, sandals, flip-flops, shirts, jeans, sweatshirts and bags in reais, in
Brazilian Portuguese, under a few Brazilian makers' names and its own. Items are named as Brazilian shops
name them: the kind first, then what it is for and the line ("Tênis de Corrida Passo Firme Veloz",
"Calça Jeans Reta Masculina Gaúcho"); a family's colours and sizes are its variants (`Cor`, `Tamanho`):
shoes in Brazilian numbering (34-44), flip-flops in double sizes ("37/38"), clothes in P, M, G, GG,
jeans in 36-48. Shoppers type without accents ("tenis", "calca jeans", "bone"), in the plural, with the
colour agreeing with the noun ("camiseta preta" for the variant "Preto"), with a size ("tenis 42",
"camiseta gg", "chinelo 39/40"), for whom ("tenis feminino", "bota masculina"), a maker's code, a
barcode, typos and common misspellings ("moxila", "camizeta", "tenis corida"), and the words the shop's
synonyms hold ("chinelo" and "sandália de dedo", "moletom" and "blusa de frio"). Patterns
(`bench.shop_judging`) are matched against a product's title, variant, sex and category, lowercased and
without accents.
"""

from __future__ import annotations

from bench.shop_judging import Judged, folded

SHOES, CLOTHES, BAGS = "Calçados", "Roupas", "Acessórios"
SHOE_SIZES = {"m": ("39", "40", "41", "42", "43"), "f": ("34", "35", "36", "37", "38")}
CLOTHES_SIZES = ("P", "M", "G", "GG")

# (name, maker, category below its department, sex, colours, sizes, price, MPN; "" where none). A family
# is each colour in each size; the maker's code is the family's.
Family = tuple[str, str, str, str, tuple[str, ...], tuple[str, ...], float, str]
FAMILIES: list[Family] = [
    ("Tênis de Corrida Passo Firme Veloz", "Passo Firme", "Tênis > Corrida", "Masculino",
     ("Preto", "Azul"), SHOE_SIZES["m"], 299.90, "PF-VLZ-M"),
    ("Tênis de Corrida Passo Firme Veloz Feminino", "Passo Firme", "Tênis > Corrida", "Feminino",
     ("Rosa", "Branco"), SHOE_SIZES["f"], 299.90, "PF-VLZ-F"),
    ("Tênis Casual Rio Verde Urbano", "Rio Verde", "Tênis > Casual", "Unissex",
     ("Branco", "Preto"), ("37", "38", "39", "40", "41", "42"), 219.90, "RV-URB"),
    ("Tênis Infantil Rio Verde Kids com Velcro", "Rio Verde", "Tênis > Infantil", "Unissex",
     ("Azul", "Rosa"), ("26", "28", "30", "32"), 149.90, "RV-KID"),
    ("Sapatênis de Couro Gaúcho Classic", "Gaúcho", "Sapatênis", "Masculino",
     ("Marrom", "Preto"), SHOE_SIZES["m"], 259.90, "GA-SPT"),
    ("Bota Feminina Cano Curto de Couro Serra", "Serra", "Botas", "Feminino",
     ("Preto", "Caramelo"), SHOE_SIZES["f"], 349.90, "SE-CCF"),
    ("Bota Coturno Masculina Serra Trilha", "Serra", "Botas", "Masculino",
     ("Preto",), SHOE_SIZES["m"], 389.90, "SE-CTM"),
    ("Sandália Rasteira Feminina Brisa", "Brisa", "Sandálias", "Feminino",
     ("Dourado", "Prata"), SHOE_SIZES["f"], 89.90, "BR-RAS"),
    ("Sandália Papete Masculina Brisa Trekking", "Brisa", "Sandálias", "Masculino",
     ("Preto",), SHOE_SIZES["m"], 129.90, "BR-PAP"),
    ("Chinelo de Dedo Brisa Praia", "Brisa", "Chinelos", "Unissex",
     ("Azul", "Amarelo", "Preto"), ("35/36", "37/38", "39/40", "41/42"), 39.90, ""),
    ("Chinelo Slide Rio Verde", "Rio Verde", "Chinelos", "Unissex",
     ("Preto", "Branco"), ("37/38", "39/40", "41/42"), 69.90, "RV-SLD"),
    ("Sapatilha Feminina Bico Redondo Flor", "Flor de Lis", "Sapatilhas", "Feminino",
     ("Nude", "Preto"), SHOE_SIZES["f"], 119.90, "FL-SAP"),
    ("Scarpin Salto Alto Verniz Flor", "Flor de Lis", "Scarpins", "Feminino",
     ("Preto", "Vermelho"), SHOE_SIZES["f"], 229.90, "FL-SCA"),
    ("Chuteira Society Chute Certo Pro", "Chute Certo", "Chuteiras", "Masculino",
     ("Preto", "Laranja"), SHOE_SIZES["m"], 239.90, "CC-SOC"),
    ("Camiseta Básica de Algodão Rio Verde", "Rio Verde", "Camisetas", "Unissex",
     ("Branco", "Preto", "Azul-marinho"), CLOTHES_SIZES, 49.90, ""),
    ("Camiseta Dry Fit de Corrida Passo Firme", "Passo Firme", "Camisetas", "Masculino",
     ("Preto", "Verde"), CLOTHES_SIZES, 79.90, "PF-DRY"),
    ("Camisa Polo Piquet Gaúcho", "Gaúcho", "Camisas Polo", "Masculino",
     ("Branco", "Azul-marinho"), CLOTHES_SIZES, 119.90, "GA-POL"),
    ("Calça Jeans Skinny Feminina Flor", "Flor de Lis", "Calças", "Feminino",
     ("Azul",), ("36", "38", "40", "42", "44"), 169.90, "FL-SKN"),
    ("Calça Jeans Reta Masculina Gaúcho", "Gaúcho", "Calças", "Masculino",
     ("Azul",), ("38", "40", "42", "44", "46", "48"), 189.90, "GA-RET"),
    ("Bermuda de Sarja Masculina Rio Verde", "Rio Verde", "Bermudas", "Masculino",
     ("Bege", "Cinza"), ("38", "40", "42", "44", "46"), 109.90, "RV-BER"),
    ("Moletom com Capuz Canguru Rio Verde", "Rio Verde", "Moletons", "Unissex",
     ("Cinza", "Preto"), CLOTHES_SIZES, 199.90, "RV-MOL"),
    ("Jaqueta Corta-Vento Passo Firme", "Passo Firme", "Jaquetas", "Unissex",
     ("Preto", "Amarelo"), CLOTHES_SIZES, 249.90, "PF-JCV"),
    ("Vestido Midi Floral Flor", "Flor de Lis", "Vestidos", "Feminino",
     ("Estampado",), ("P", "M", "G"), 179.90, "FL-VES"),
    ("Legging Fitness Cintura Alta Passo Firme", "Passo Firme", "Leggings", "Feminino",
     ("Preto", "Vinho"), CLOTHES_SIZES, 99.90, "PF-LEG"),
    ("Short de Corrida Masculino Passo Firme", "Passo Firme", "Shorts", "Masculino",
     ("Preto",), CLOTHES_SIZES, 69.90, "PF-SHT"),
    ("Meia Esportiva Cano Médio Passo Firme Kit 3 Pares", "Passo Firme", "Meias", "Unissex",
     ("Branco", "Preto"), ("34-38", "39-43"), 39.90, "PF-MEI"),
    ("Cinto de Couro Masculino Gaúcho", "Gaúcho", "Cintos", "Masculino",
     ("Marrom", "Preto"), ("90 cm", "100 cm", "110 cm"), 89.90, "GA-CIN"),
    ("Mochila Escolar Rio Verde 20 Litros", "Rio Verde", "Mochilas", "Unissex",
     ("Preto", "Azul"), (), 159.90, "RV-ESC"),
    ("Boné Aba Curva Rio Verde", "Rio Verde", "Bonés", "Unissex",
     ("Preto", "Branco", "Verde"), (), 59.90, "RV-BON"),
    ("Bolsa Transversal Feminina Flor", "Flor de Lis", "Bolsas", "Feminino",
     ("Caramelo", "Preto"), (), 189.90, "FL-BOL"),
    ("Palmilha de Gel para Tênis Passo Firme", "Passo Firme", "Cuidados com calçados", "Unissex",
     (), ("35-38", "39-42"), 49.90, "PF-PAL"),
]  # fmt: skip
# (name, maker, category below its department, sex, price, MPN) of products without variants.
SINGLES: list[tuple[str, str, str, str, float, str]] = [
    ("Mochila para Notebook 15,6 Polegadas Urbano", "Rio Verde", "Mochilas", "Unissex", 229.90, "RV-NTB"),
    ("Carteira de Couro Slim Gaúcho", "Gaúcho", "Carteiras", "Masculino", 99.90, "GA-CAR"),
    ("Óculos de Sol Aviador Brisa", "Brisa", "Óculos", "Unissex", 149.90, "BR-OCU"),
    ("Cadarço Colorido para Tênis 120 cm", "Passo Firme", "Cuidados com calçados", "Unissex", 14.9, "PF-CAD"),
    ("Limpador de Tênis Espuma 200 ml", "Passo Firme", "Cuidados com calçados", "Unissex", 29.90, "PF-LIM"),
    ("Kit Limpeza para Calçados de Couro", "Gaúcho", "Cuidados com calçados", "Unissex", 59.90, "GA-KIT"),
]  # fmt: skip
DEPARTMENT = {"Tênis": SHOES, "Sapatênis": SHOES, "Botas": SHOES, "Sandálias": SHOES, "Chinelos": SHOES}
DEPARTMENT |= {"Sapatilhas": SHOES, "Scarpins": SHOES, "Chuteiras": SHOES}
DEPARTMENT |= {"Mochilas": BAGS, "Bonés": BAGS, "Bolsas": BAGS, "Cuidados com calçados": BAGS}
DEPARTMENT |= {"Meias": BAGS, "Cintos": BAGS, "Carteiras": BAGS, "Óculos": BAGS}

_RUN_M = r"^tênis de corrida passo firme veloz \|"
_RUN_F = r"^tênis de corrida passo firme veloz feminino"
_TENIS = r"^tênis "
_TSHIRT = r"^camiseta"
_BOOT = r"^bota"
_SANDAL = r"^sandália"
_FLIP = r"^chinelo"
_JEANS = r"^calça jeans"
_BAG = r"^mochila"
_WRITTEN: dict[str, tuple[str, str | None]] = {
    "tênis": (_TENIS, None), "tenis": (_TENIS, None), "tênis de corrida": (r"^tênis de corrida", _TENIS),
    "tenis corrida masculino": (_RUN_M, r"^tênis de corrida"), "tenis corida": (r"^tênis de corrida", _TENIS),
    "tênis feminino": (r"^tênis.*\| (feminino|unissex) \|", _TENIS),
    "tenis masculino 42": (r"^tênis.*/ 42 \| (masculino|unissex)", r"^tênis.*\| (masculino|unissex)"),
    "tenis preto 40": (r"^tênis.*\| preto / 40 \|", r"^tênis.*preto"),
    "tênis branco": (r"^tênis.*\| branco /", _TENIS), "tenis infantil": (r"^tênis infantil", _TENIS),
    "tenis de velcro": (r"^tênis infantil", _TENIS), "tênis casual": (r"^tênis casual", _TENIS),
    "tenis rosa 36": (r"^tênis.*\| rosa / 36 \|", r"^tênis.*rosa"),
    "sapatenis": (r"^sapatênis", None), "sapatênis couro marrom": (r"^sapatênis.*marrom", r"^sapatênis"),
    "bota": (_BOOT, None), "botas femininas": (r"^bota feminina", _BOOT),
    "bota masculina": (r"^bota coturno masculina", _BOOT), "coturno": (r"^bota coturno", _BOOT),
    "bota de couro caramelo 37": (r"^bota feminina.*caramelo / 37", r"^bota feminina"),
    "sandália": (_SANDAL, None), "sandalia rasteira": (r"^sandália rasteira", _SANDAL),
    "rasteirinha dourada": (r"^sandália rasteira.*dourado", r"^sandália rasteira"),
    "papete": (r"^sandália papete", _SANDAL), "sandalha": (_SANDAL, None),
    "chinelo": (_FLIP, None), "chinelos": (_FLIP, None), "sandália de dedo": (r"^chinelo de dedo", _FLIP),
    "chinelo 39/40": (r"^chinelo.*/ 39/40 \|", _FLIP), "chinelo slide": (r"^chinelo slide", _FLIP),
    "chinelo amarelo": (r"^chinelo de dedo.*amarelo", _FLIP),
    "sapatilha": (r"^sapatilha", None), "sapatilha nude 35": (r"^sapatilha.*nude / 35", r"^sapatilha"),
    "scarpin vermelho": (r"^scarpin.*vermelho", r"^scarpin"), "salto alto": (r"^scarpin", None),
    "chuteira society": (r"^chuteira", None),
    "chuteira laranja 41": (r"^chuteira.*laranja / 41", r"^chuteira"),
    "camiseta": (_TSHIRT, None), "camisetas": (_TSHIRT, None), "camizeta": (_TSHIRT, None),
    "camiseta preta": (r"^camiseta.*\| preto /", _TSHIRT),
    "camiseta branca g": (r"^camiseta.*\| branco / g \|", _TSHIRT),
    "camiseta gg": (r"^camiseta.*/ gg \|", _TSHIRT), "camiseta algodão": (r"^camiseta básica", _TSHIRT),
    "camiseta dry fit": (r"^camiseta dry fit", _TSHIRT),
    "camiseta azul marinho": (r"^camiseta.*azul-marinho", _TSHIRT),
    "camisa polo": (r"^camisa polo", None),
    "polo branca m": (r"^camisa polo.*branco / m \|", r"^camisa polo"),
    "calça jeans": (_JEANS, None), "calca jeans": (_JEANS, None),
    "calça jeans feminina": (r"^calça jeans skinny", _JEANS),
    "calca jeans masculina 42": (r"^calça jeans reta.*/ 42 \|", r"^calça jeans reta"),
    "jeans skinny 38": (r"^calça jeans skinny.*/ 38 \|", r"^calça jeans skinny"),
    "bermuda": (r"^bermuda", r"^short"), "bermuda sarja bege": (r"^bermuda.*bege", r"^bermuda"),
    "short": (r"^short", r"^bermuda"),
    "moletom": (r"^moletom", None), "blusa de frio": (r"^moletom", r"^jaqueta"),
    "moletom cinza m": (r"^moletom.*cinza / m \|", r"^moletom"),
    "jaqueta": (r"^jaqueta", None), "corta vento": (r"^jaqueta corta-vento", None),
    "vestido": (r"^vestido", None), "vestido floral": (r"^vestido", None),
    "legging": (r"^legging", None), "calça legging preta": (r"^legging.*preto", r"^legging"),
    "meia": (r"^meia", None), "meias esportivas": (r"^meia", None),
    "cinto de couro": (r"^cinto", None), "cinto 100": (r"^cinto.*100 cm", r"^cinto"),
    "mochila": (_BAG, None), "moxila": (_BAG, None), "mochila escolar": (r"^mochila escolar", _BAG),
    "mochila notebook": (r"^mochila para notebook", _BAG), "mochila azul": (r"^mochila.*azul", _BAG),
    "boné": (r"^boné", None), "bone": (r"^boné", None), "bone verde": (r"^boné.*verde", r"^boné"),
    "bolsa": (r"^bolsa", None), "bolsa feminina": (r"^bolsa", None),
    "carteira": (r"^carteira", None), "óculos de sol": (r"^óculos", None), "oculos": (r"^óculos", None),
    "palmilha": (r"^palmilha", None), "cadarço": (r"^cadarço", None),
    "limpador de tenis": (r"^limpador", r"^kit limpeza"),
    "passo firme": (r"\| passo firme \|", None), "gaucho": (r"\| gaúcho \|", None),
    "PF-VLZ-M": (_RUN_M, None), "GA-POL": (r"^camisa polo", None),
    "7894561000011": (r"gtin=7894561000011$", _RUN_M),
}  # fmt: skip
JUDGED: Judged = folded(_WRITTEN)
