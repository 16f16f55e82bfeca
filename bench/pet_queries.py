"""The pet shop's judged queries (`bench.pet_shop`): what a shopper typing each one wants.

Patterns (`bench.shop_judging`) are written against "title | variant", lowercased and without accents,
so a query naming a bag size or a harness size is judged by the variant it asks for: grade 3 for the
asked product, 2 for its kind in another size or flavour, None where no other kind is right. Queries
are typed as Spanish shoppers type them: without accents, sizes joined or apart, brand names written
as one word ("proplan", "juliusk9"), a few typos.
"""

from __future__ import annotations

_DOG_FOOD = r"^pienso .*perros"
_CAT_FOOD = r"^pienso .*gatos"

JUDGED: dict[str, tuple[str, str | None]] = {
    "pienso perro": (_DOG_FOOD, r"^pienso"),
    "pienso perros adultos": (r"^pienso .*adult.*perros", _DOG_FOOD),
    "pienso perro 12 kg": (_DOG_FOOD + r".*\| 12 kg", _DOG_FOOD),
    "pienso 3kg": (r"^pienso .*\| 3 kg", r"^pienso"),
    "pienso perro 15kg": (_DOG_FOOD + r".*\| 15 kg", _DOG_FOOD),
    "pienso cachorro": (r"^pienso .*(puppy|cachorro)", _DOG_FOOD),
    "pienso senior": (r"^pienso .*senior", _DOG_FOOD),
    "pienso cordero": (r"^pienso .*cordero", r"^pienso"),
    "pienso gato": (_CAT_FOOD, r"^pienso"),
    "pienso gato esterilizado": (r"^pienso .*(esteriliz|sterili)", _CAT_FOOD),
    "pienso gato 10 kg": (_CAT_FOOD + r".*\| 10 kg", _CAT_FOOD),
    "royal canin": (r"royal canin", r"^pienso"),
    "royal canin medium 15 kg": (r"royal canin medium .*\| 15 kg", r"royal canin medium"),
    "royal canin mini puppy 3kg": (r"royal canin mini puppy .*\| 3 kg", r"royal canin mini puppy"),
    "purina proplan": (r"pro plan", r"purina"),
    "proplan salmon": (r"pro plan .*salmon", r"pro plan"),
    "advance puppy": (r"advance puppy", r"advance"),
    "acana": (r"acana", None),
    "comida humeda gato": (
        r"(comida humeda|mousse|bolsitas).*gatos",
        r"comida humeda|latas|tarrinas|bolsitas",
    ),
    "latas perro": (r"(latas|tarrinas) .*perros", r"comida humeda"),
    "arena gato": (r"^arena", None),
    "arena aglomerante 10 l": (r"^arena aglomerante.*\| 10 l", r"^arena"),
    "arena silice": (r"^arena de silice", r"^arena"),
    "arena vegetal 12l": (r"^arena vegetal.*\| 12 l", r"^arena"),
    "collar antiparasitario": (r"collar antiparasitario", r"antiparasitari|pipetas"),
    "pipetas perro": (r"pipetas", r"antiparasitari"),
    "frontline triact": (r"tri-act", r"pipetas|antiparasitari"),
    "seresto": (r"seresto", r"antiparasitari"),
    "kong": (r"kong", r"juguete|pelota"),
    "juguete perro": (r"(juguete|pelota|cuerda).*perros|kong", None),
    "pelota perro": (r"pelota", r"juguete"),
    "juguete gato": (r"(raton|varita|juguete).*gat|hierba gatera", None),
    "rascador gato": (r"rascador", None),
    "rascador grande": (r"rascador .*(grande|150)", r"rascador"),
    "transportin gato": (r"transportin", None),
    "cama perro grande": (r"^cama .*\| (100 x 70|120 x 80) cm", r"^cama"),
    "comedero acero": (r"comedero .*acero", r"comedero|bebedero"),
    "fuente gato": (r"fuente", r"bebedero"),
    "correa extensible": (r"correa extensible", r"correa|arnes"),
    "arnes perro": (r"^arnes", r"correa"),
    "arnes julius k9 talla m": (r"julius.*\| \w+ / m$", r"julius"),
    "juliusk9 negro l": (r"julius.*\| negro / l", r"julius"),
    "collar nailon rojo": (r"collar de nailon .*\| rojo", r"collar de nailon"),
    "collar rojo m": (r"collar de nailon .*\| rojo / m", r"collar de nailon"),
    "champu perro": (r"champu", r"cepillo"),
    "cepillo furminator": (r"furminator", r"cepillo"),
    "snacks dentales": (r"dentales|dentastix", r"snacks|premios"),
    "premios gato": (r"premios .*gatos|snacks .*gatos", r"premios|snacks"),
    "acuario 60 litros": (r"acuario completo 60 l", r"acuario"),
    "filtro acuario": (r"filtro .*acuario", r"acuario"),
    "comida peces": (r"escamas|peces", None),
    "jaula conejo": (r"jaula para conejos", r"jaula"),
    "jaula pajaros": (r"jaula para pajaros", r"jaula"),
    "heno conejo": (r"heno", None),
    "semillas canario": (r"semillas", None),
    "piendo gato": (_CAT_FOOD, r"^pienso"),
    "rascadro": (r"rascador", None),
    "comedro perro": (r"comedero .*perros", r"comedero|bebedero"),
    "antiparasitaro": (r"antiparasitari|pipetas", None),
    "transportn": (r"transportin", None),
}
