"""The pet shop's products (`bench.pet_shop`), as a Spanish shop lists them: families of variants
(bag sizes, harness sizes and colours) and products of their own.
"""

from __future__ import annotations

_DOG = "Perros > Alimentación > Pienso seco"
_CAT = "Gatos > Alimentación > Pienso seco"

# (vendor, line, life stage, price per kg) of dry dog food, sold in 3, 12 and 15 kg bags.
DOG_FOOD = [
    ("Royal Canin", "Medium Adult", "adultos", 3.2),
    ("Royal Canin", "Mini Puppy", "cachorros", 3.9),
    ("Advance", "Medium Adult Pollo y Arroz", "adultos", 2.9),
    ("Advance", "Puppy Protect Maxi", "cachorros", 3.4),
    ("Acana", "Adult Dog Recipe", "adultos", 5.1),
    ("Purina Pro Plan", "Medium Sensitive Skin Salmón", "adultos", 3.6),
    ("Purina Pro Plan", "Large Athletic Pollo", "adultos", 3.4),
    ("Hill's", "Science Plan Senior Large Breed", "mayores", 4.4),
    ("Criadores", "Adulto Cordero y Arroz", "adultos", 1.9),
    ("Taste of the Wild", "High Prairie sin cereales", "adultos", 4.8),
]
# (vendor, line, price per kg) of dry cat food, sold in 1,5, 3 and 10 kg bags.
CAT_FOOD = [
    ("Royal Canin", "Sterilised 37", 6.1),
    ("Purina One", "Gato Esterilizado Salmón", 4.2),
    ("Advance", "Cat Sterilized Pavo", 5.0),
    ("Whiskas", "Adulto con Atún", 2.8),
    ("Purina Pro Plan", "Kitten Pollo", 6.4),
]
# (title, vendor, category, price) of wet food, one pack each.
WET_FOOD = [
    ("Comida húmeda para gatos en gelatina, selección de pescado (12 x 85 g)", "Whiskas", "Gatos", 6.5),
    ("Gourmet Gold mousse de ternera para gatos (24 x 85 g)", "Gourmet", "Gatos", 14.9),
    ("Bolsitas Felix en salsa para gatos, pollo (12 x 85 g)", "Felix", "Gatos", 5.9),
    ("Tarrinas Cesar para perros pequeños, pollo y verduras (14 x 150 g)", "Cesar", "Perros", 13.2),
    ("Latas de comida húmeda para perros, cordero (6 x 400 g)", "Lily's Kitchen", "Perros", 21.0),
    ("Latas Pedigree para perros adultos, buey (12 x 400 g)", "Pedigree", "Perros", 16.5),
]
# (title, vendor, litres of each bag) of cat litter.
LITTER = [
    ("Arena aglomerante para gatos sin perfume", "Catsan", (5, 10)),
    ("Arena de sílice para gatos antiolor", "Sanicat", (3.8, 7.6)),
    ("Arena vegetal de tofu para gatos", "Ever Clean", (6, 12)),
]
# (title, vendor, category, option names, [(option values, price)]) of other families.
FAMILIES: list[tuple[str, str, str, tuple[str, ...], list[tuple[tuple[str, ...], float]]]] = [
    (
        "Arnés Julius-K9 IDC Power para perros",
        "Julius-K9",
        "Perros > Paseo",
        ("Color", "Talla"),
        [((c, s), 24.0 + 4 * i) for c in ("Negro", "Rojo") for i, s in enumerate(("XS", "S", "M", "L"))],
    ),
    (
        "Collar de nailon ajustable para perros",
        "Trixie",
        "Perros > Paseo",
        ("Color", "Talla"),
        [((c, s), 6.5 + 1.5 * i) for c in ("Rojo", "Azul", "Negro") for i, s in enumerate(("S", "M", "L"))],
    ),
    (
        "Cama ortopédica para perros",
        "Trixie",
        "Perros > Camas",
        ("Tamaño",),
        [(("80 x 60 cm",), 45.0), (("100 x 70 cm",), 59.0), (("120 x 80 cm",), 79.0)],
    ),
]
# (title, vendor, category, price) of products of their own.
SINGLES = [
    (
        "Collar antiparasitario Seresto para perros de más de 8 kg",
        "Seresto",
        "Perros > Salud > Antiparasitarios",
        34.95,
    ),
    ("Collar antiparasitario Seresto para gatos", "Seresto", "Gatos > Salud > Antiparasitarios", 31.5),
    (
        "Collar antiparasitario Scalibor 65 cm perros grandes",
        "Scalibor",
        "Perros > Salud > Antiparasitarios",
        27.5,
    ),
    (
        "Pipetas Frontline Tri-Act perros 20-40 kg (3 uds)",
        "Frontline",
        "Perros > Salud > Antiparasitarios",
        29.9,
    ),
    ("Pipetas Advantix perros 10-25 kg (4 uds)", "Advantix", "Perros > Salud > Antiparasitarios", 32.0),
    ("Juguete Kong Classic rojo talla M", "Kong", "Perros > Juguetes", 12.99),
    ("Juguete Kong Extreme negro talla L", "Kong", "Perros > Juguetes", 17.49),
    ("Pelota de tenis para perros (pack de 3)", "Trixie", "Perros > Juguetes", 4.5),
    ("Cuerda de algodón para perros con nudos", "Trixie", "Perros > Juguetes", 6.95),
    ("Ratón de peluche con hierba gatera", "Trixie", "Gatos > Juguetes", 2.99),
    ("Varita con plumas para gatos", "Catit", "Gatos > Juguetes", 4.25),
    ("Rascador para gatos con caseta, 112 cm, gris", "Trixie", "Gatos > Rascadores", 69.9),
    ("Rascador árbol grande para gatos 150 cm beige", "Kerbl", "Gatos > Rascadores", 119.0),
    ("Poste rascador de sisal 62 cm", "Trixie", "Gatos > Rascadores", 19.9),
    ("Comedero doble de acero inoxidable para perros", "Trixie", "Perros > Comederos y bebederos", 11.95),
    ("Comedero de cerámica para gatos", "Trixie", "Gatos > Comederos y bebederos", 8.5),
    ("Fuente bebedero para gatos 2 l con filtro", "Catit", "Gatos > Comederos y bebederos", 32.5),
    ("Transportín para gatos y perros pequeños, 48 cm", "Ferplast", "Perros > Transporte", 24.9),
    ("Transportín rígido Atlas 20 para gatos", "Ferplast", "Gatos > Transporte", 29.9),
    ("Acuario completo 60 l con iluminación LED", "Tetra", "Peces > Acuarios", 89.0),
    ("Acuario nano 20 l con filtro", "Tetra", "Peces > Acuarios", 49.0),
    ("Filtro interior para acuario hasta 100 l", "Eheim", "Peces > Filtros", 27.9),
    ("Escamas Tetramin para peces tropicales 250 ml", "Tetra", "Peces > Alimentación", 6.45),
    ("Jaula para pájaros con accesorios, 60 cm", "Ferplast", "Pájaros > Jaulas", 54.0),
    ("Mezcla de semillas para canarios 1 kg", "Vitakraft", "Pájaros > Alimentación", 3.95),
    ("Heno de montaña para conejos y cobayas 1 kg", "Vitakraft", "Roedores > Alimentación", 4.2),
    ("Jaula para conejos y cobayas 100 cm", "Ferplast", "Roedores > Jaulas", 79.0),
    ("Correa extensible Flexi 5 m para perros hasta 25 kg", "Flexi", "Perros > Paseo", 21.9),
    ("Correa de cuero para perros 120 cm", "Hunter", "Perros > Paseo", 18.5),
    ("Champú para perros de pelo blanco 250 ml", "Menforsan", "Perros > Higiene", 7.5),
    ("Cepillo quitapelo Furminator para perros y gatos", "Furminator", "Perros > Higiene", 34.0),
    ("Snacks dentales Dentastix para perros medianos (28 uds)", "Pedigree", "Perros > Snacks", 9.99),
    ("Premios de salmón liofilizado para gatos 40 g", "Applaws", "Gatos > Snacks", 4.99),
    ("Snacks Dreamies para gatos con queso 60 g", "Dreamies", "Gatos > Snacks", 1.95),
]
