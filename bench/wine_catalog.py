"""The Bologna enoteca's catalog and judged queries (`bench.wine_shop`).

An enoteca with a delicatessen counter in Bologna sells Italian wines (reds, whites, sparkling, by
region, a few in magnum), spirits, olive oil and vinegar, pasta and rice, cheese, sauces and preserves,
Christmas cakes and gift boxes, in euros. Each product has PrestaShop features: the region, the
denomination (DOCG, DOC, IGT, DOP, IGP), the grape, the vintage, the alcohol, the size ("0,75 l"), what a
wine goes with (several values: "Carne rossa", "Formaggi stagionati"), the ageing ("24 mesi"); labels
as tags ("Biologico", "Senza glutine", "Vegano", "Senza solfiti aggiunti"). Shoppers type a wine's name
and vintage ("barolo 2018"), a colour and region ("vino rosso piemonte"), a denomination ("prosecco
docg"), a pairing ("vino per pesce"), an ageing ("parmigiano 36 mesi"), a size ("magnum", "olio 5
litri"), a typo ("prossecco", "amarone valpolicela"), a plural ("spumanti", "grappe"), a label ("vino
biologico", "pasta senza glutine"). Patterns (`bench.shop_judging`) are matched against a product's
title, brand, categories, features and labels, lowercased and without accents (`fold`).
"""

from __future__ import annotations

from bench.shop_judging import Judged, folded

RED, WHITE, BUBBLES, SWEET = "Vini,Vini rossi", "Vini,Vini bianchi", "Vini,Spumanti", "Vini,Vini dolci"
SPIRITS, OIL, PASTA, CHEESE = "Distillati e liquori", "Olio e aceto", "Pasta e riso", "Formaggi"
SAUCES, CAKES, GIFTS = "Sughi e conserve", "Dolci,Dolci di Natale", "Idee regalo"
ORGANIC, GLUTEN_FREE, VEGAN, NO_SULPHITES = "Biologico", "Senza glutine", "Vegano", "Senza solfiti aggiunti"

# (name, producer, categories as PrestaShop lists them under Home, labels, description, features as
# (name, value) in their order, gross price in EUR)
Product = tuple[str, str, str, str, str, list[tuple[str, str]], float]


def wine(region: str, denomination: str, grape: str, vintage: str, alcohol: str, size: str = "0,75 l",
         *pairings: str) -> list[tuple[str, str]]:  # fmt: skip
    """A wine's features, as the shop fills them in."""
    features = [("Regione", region), ("Denominazione", denomination), ("Vitigno", grape)]
    features += [("Annata", vintage)] if vintage else []
    features += [("Gradazione", alcohol), ("Formato", size)]
    return features + [("Abbinamento", p) for p in pairings]


CATALOG: list[Product] = [
    ("Barolo DOCG 2018", "Marchesi di Barolo", RED, "", "Nebbiolo delle Langhe, affinato 38 mesi in botti "
     "di rovere. Note di rosa, catrame e liquirizia.", wine("Piemonte", "DOCG", "Nebbiolo", "2018", "14% vol",
     "0,75 l", "Carne rossa", "Selvaggina", "Formaggi stagionati"), 49.00),
    ("Barolo DOCG 2019", "Marchesi di Barolo", RED, "", "Nebbiolo delle Langhe, annata fresca ed elegante.",
     wine("Piemonte", "DOCG", "Nebbiolo", "2019", "14% vol", "0,75 l", "Carne rossa", "Selvaggina"), 45.00),
    ("Barolo DOCG 2016 Magnum", "Marchesi di Barolo", RED, "", "Barolo di una grande annata in formato "
     "magnum con cassetta di legno.", wine("Piemonte", "DOCG", "Nebbiolo", "2016", "14,5% vol", "1,5 l",
     "Carne rossa"), 129.00),
    ("Barbaresco DOCG 2020", "Produttori del Barbaresco", RED, "", "Nebbiolo di Barbaresco, tannino fine.",
     wine("Piemonte", "DOCG", "Nebbiolo", "2020", "14% vol", "0,75 l", "Carne rossa", "Primi piatti"), 32.00),
    ("Barbera d'Alba DOC 2022", "Vietti", RED, "", "Barbera fruttata e succosa, di pronta beva.",
     wine("Piemonte", "DOC", "Barbera", "2022", "13,5% vol", "0,75 l", "Salumi", "Primi piatti"), 18.50),
    ("Dolcetto d'Alba DOC 2023", "Vietti", RED, "", "Rosso quotidiano delle Langhe, morbido.",
     wine("Piemonte", "DOC", "Dolcetto", "2023", "13% vol", "0,75 l", "Salumi"), 13.90),
    ("Amarone della Valpolicella Classico DOCG 2017", "Allegrini", RED, "", "Da uve appassite: corpo pieno, "
     "ciliegia sotto spirito e spezie.", wine("Veneto", "DOCG", "Corvina, Rondinella", "2017", "15,5% vol",
     "0,75 l", "Carne rossa", "Formaggi stagionati"), 64.00),
    ("Ripasso Valpolicella Superiore DOC 2021", "Zenato", RED, "", "Rosso ripassato sulle vinacce "
     "dell'Amarone.", wine("Veneto", "DOC", "Corvina", "2021", "14% vol", "0,75 l", "Carne rossa"), 21.00),
    ("Chianti Classico DOCG 2021", "Castello di Ama", RED, ORGANIC, "Sangiovese del Chianti, da agricoltura "
     "biologica.", wine("Toscana", "DOCG", "Sangiovese", "2021", "13,5% vol", "0,75 l", "Carne rossa",
     "Primi piatti"), 24.00),
    ("Brunello di Montalcino DOCG 2018", "Biondi-Santi", RED, "", "Sangiovese grosso di Montalcino, "
     "lungo affinamento.", wine("Toscana", "DOCG", "Sangiovese", "2018", "14% vol", "0,75 l", "Carne rossa",
     "Selvaggina"), 89.00),
    ("Rosso di Montalcino DOC 2022", "Col d'Orcia", RED, "", "Il fratello giovane del Brunello.",
     wine("Toscana", "DOC", "Sangiovese", "2022", "13,5% vol", "0,75 l", "Primi piatti"), 19.50),
    ("Bolgheri Rosso DOC 2022", "Tenuta Guado al Tasso", RED, "", "Taglio bordolese della costa toscana.",
     wine("Toscana", "DOC", "Cabernet Sauvignon, Merlot", "2022", "14% vol", "0,75 l", "Carne rossa"), 27.00),
    ("Primitivo di Manduria DOC 2021", "Feudi di San Marzano", RED, VEGAN, "Rosso pugliese caldo e "
     "avvolgente.", wine("Puglia", "DOC", "Primitivo", "2021", "14,5% vol", "0,75 l", "Carne rossa"), 16.90),
    ("Nero d'Avola Sicilia DOC 2022", "Donnafugata", RED, "", "Rosso siciliano fruttato.",
     wine("Sicilia", "DOC", "Nero d'Avola", "2022", "13,5% vol", "0,75 l", "Pizza", "Primi piatti"), 14.50),
    ("Lambrusco di Sorbara DOC", "Cleto Chiarli", RED, "", "Rosso frizzante secco dell'Emilia, da bere "
     "fresco.", wine("Emilia-Romagna", "DOC", "Lambrusco di Sorbara", "", "11% vol", "0,75 l", "Salumi",
     "Tortellini"), 10.90),
    ("Sangiovese di Romagna Superiore DOC 2022", "Fattoria Zerbina", RED, NO_SULPHITES, "Sangiovese "
     "romagnolo senza solfiti aggiunti.", wine("Emilia-Romagna", "DOC", "Sangiovese", "2022", "13,5% vol",
     "0,75 l", "Primi piatti"), 15.00),
    ("Montepulciano d'Abruzzo DOC 2022", "Masciarelli", RED, "", "Rosso abruzzese morbido.",
     wine("Abruzzo", "DOC", "Montepulciano", "2022", "13,5% vol", "0,75 l", "Pizza"), 11.50),
    ("Vermentino di Sardegna DOC 2023", "Argiolas", WHITE, "", "Bianco sapido e agrumato.",
     wine("Sardegna", "DOC", "Vermentino", "2023", "13% vol", "0,75 l", "Pesce", "Crostacei"), 13.50),
    ("Gavi del Comune di Gavi DOCG 2023", "La Scolca", WHITE, "", "Cortese piemontese, fresco e minerale.",
     wine("Piemonte", "DOCG", "Cortese", "2023", "12,5% vol", "0,75 l", "Pesce", "Antipasti"), 22.00),
    ("Soave Classico DOC 2023", "Pieropan", WHITE, ORGANIC, "Garganega biologica, fiori bianchi e mandorla.",
     wine("Veneto", "DOC", "Garganega", "2023", "12,5% vol", "0,75 l", "Pesce", "Risotti"), 16.00),
    ("Verdicchio dei Castelli di Jesi Classico DOC 2023", "Umani Ronchi", WHITE, "", "Bianco marchigiano "
     "con finale ammandorlato.", wine("Marche", "DOC", "Verdicchio", "2023", "13% vol", "0,75 l", "Pesce"),
     12.90),
    ("Greco di Tufo DOCG 2023", "Feudi di San Gregorio", WHITE, "", "Bianco campano strutturato.",
     wine("Campania", "DOCG", "Greco", "2023", "13% vol", "0,75 l", "Pesce", "Crostacei"), 18.00),
    ("Gewürztraminer Alto Adige DOC 2023", "Cantina Tramin", WHITE, "", "Aromatico, rosa e litchi.",
     wine("Trentino-Alto Adige", "DOC", "Gewürztraminer", "2023", "14% vol", "0,75 l", "Cucina orientale"),
     24.50),
    ("Pignoletto Frizzante DOC", "Cantina di Monteveglio", WHITE, "", "Bianco frizzante dei colli "
     "bolognesi.", wine("Emilia-Romagna", "DOC", "Grechetto gentile", "", "11,5% vol", "0,75 l", "Antipasti",
     "Pesce"), 9.50),
    ("Prosecco Superiore Valdobbiadene DOCG Extra Dry", "Bisol", BUBBLES, "", "Bollicine fini, mela verde "
     "e glicine.", wine("Veneto", "DOCG", "Glera", "", "11,5% vol", "0,75 l", "Aperitivo"), 16.50),
    ("Prosecco DOC Treviso Brut", "Mionetto", BUBBLES, VEGAN, "Prosecco brut per l'aperitivo.",
     wine("Veneto", "DOC", "Glera", "", "11% vol", "0,75 l", "Aperitivo"), 9.90),
    ("Prosecco DOC Brut Magnum", "Mionetto", BUBBLES, "", "Prosecco brut in magnum per le feste.",
     wine("Veneto", "DOC", "Glera", "", "11% vol", "1,5 l", "Aperitivo"), 24.00),
    ("Franciacorta Brut DOCG", "Ca' del Bosco", BUBBLES, "", "Metodo classico lombardo, 25 mesi sui lieviti.",
     wine("Lombardia", "DOCG", "Chardonnay, Pinot nero", "", "12,5% vol", "0,75 l", "Aperitivo", "Pesce"),
     39.00),
    ("Trento DOC Brut", "Ferrari", BUBBLES, "", "Metodo classico trentino, Chardonnay.",
     wine("Trentino-Alto Adige", "DOC", "Chardonnay", "", "12,5% vol", "0,75 l", "Aperitivo"), 26.00),
    ("Moscato d'Asti DOCG 2023", "Saracco", SWEET, "", "Dolce e leggermente frizzante, 5,5% vol.",
     wine("Piemonte", "DOCG", "Moscato bianco", "2023", "5,5% vol", "0,75 l", "Dolci"), 14.00),
    ("Passito di Pantelleria DOC", "Donnafugata", SWEET, "", "Vino dolce da uve Zibibbo appassite.",
     wine("Sicilia", "DOC", "Zibibbo", "2021", "14,5% vol", "0,375 l", "Dolci", "Formaggi erborinati"),
     34.00),
    ("Grappa di Barolo", "Marolo", SPIRITS, "", "Grappa da vinacce di Nebbiolo.", [("Regione", "Piemonte"),
     ("Gradazione", "42% vol"), ("Formato", "0,7 l")], 38.00),
    ("Grappa Barricata Riserva", "Nonino", SPIRITS, "", "Grappa invecchiata in barrique.",
     [("Regione", "Friuli-Venezia Giulia"), ("Gradazione", "41% vol"), ("Formato", "0,7 l")], 45.00),
    ("Limoncello di Sorrento IGP", "Villa Massa", SPIRITS, "", "Liquore di limoni di Sorrento.",
     [("Regione", "Campania"), ("Denominazione", "IGP"), ("Gradazione", "30% vol"), ("Formato", "0,5 l")],
     16.50),
    ("Amaro Montenegro", "Montenegro", SPIRITS, "", "Amaro bolognese alle erbe.",
     [("Regione", "Emilia-Romagna"), ("Gradazione", "23% vol"), ("Formato", "0,7 l")], 17.90),
    ("Nocino di Modena", "Villa Zarri", SPIRITS, "", "Liquore di noci verdi.",
     [("Regione", "Emilia-Romagna"), ("Gradazione", "40% vol"), ("Formato", "0,5 l")], 24.00),
    ("Olio extravergine di oliva Toscano IGP 0,5 l", "Frantoio Franci", OIL, "", "Olio extravergine "
     "fruttato, raccolta 2026.", [("Regione", "Toscana"), ("Denominazione", "IGP"), ("Formato", "0,5 l")],
     19.00),
    ("Olio extravergine di oliva Toscano IGP 5 l", "Frantoio Franci", OIL, "", "Latta da cinque litri "
     "per la famiglia.", [("Regione", "Toscana"), ("Denominazione", "IGP"), ("Formato", "5 l")], 115.00),
    ("Olio extravergine di oliva biologico Puglia 1 l", "Olio Intini", OIL, ORGANIC, "Coratina pugliese "
     "biologica, amaro e piccante.", [("Regione", "Puglia"), ("Formato", "1 l")], 21.50),
    ("Olio extravergine Riviera Ligure DOP 0,75 l", "Roi", OIL, "", "Taggiasca ligure, delicato.",
     [("Regione", "Liguria"), ("Denominazione", "DOP"), ("Formato", "0,75 l")], 23.00),
    ("Aceto Balsamico di Modena IGP 250 ml", "Giusti", OIL, "", "Aceto balsamico per l'insalata.",
     [("Regione", "Emilia-Romagna"), ("Denominazione", "IGP"), ("Formato", "0,25 l")], 12.00),
    ("Aceto Balsamico Tradizionale di Modena DOP Affinato 12 anni", "Acetaia Malpighi", OIL, "",
     "Invecchiato almeno 12 anni in botti di legni diversi.", [("Regione", "Emilia-Romagna"),
     ("Denominazione", "DOP"), ("Invecchiamento", "12 anni"), ("Formato", "100 ml")], 58.00),
    ("Spaghetti di Gragnano IGP 500 g", "Pastificio dei Campi", PASTA, "", "Trafilati al bronzo, "
     "essiccati lentamente.", [("Regione", "Campania"), ("Denominazione", "IGP"), ("Formato", "500 g")],
     3.20),
    ("Paccheri di Gragnano IGP 500 g", "Pastificio dei Campi", PASTA, "", "Pasta corta trafilata al "
     "bronzo.", [("Regione", "Campania"), ("Denominazione", "IGP"), ("Formato", "500 g")], 3.40),
    ("Tagliatelle all'uovo 250 g", "Sfoglia Bolognese", PASTA, "", "Tirate a mano con uova fresche.",
     [("Regione", "Emilia-Romagna"), ("Formato", "250 g")], 4.50),
    ("Tortellini di Bologna 250 g", "Sfoglia Bolognese", PASTA, "", "Ripieno di carne e Parmigiano, "
     "per il brodo.", [("Regione", "Emilia-Romagna"), ("Formato", "250 g")], 8.90),
    ("Fusilli di mais e riso senza glutine 400 g", "Felicia", PASTA, f"{GLUTEN_FREE},{ORGANIC}",
     "Pasta biologica senza glutine.", [("Formato", "400 g")], 2.90),
    ("Riso Carnaroli 1 kg", "Acquerello", PASTA, "", "Carnaroli invecchiato un anno, per il risotto.",
     [("Regione", "Piemonte"), ("Formato", "1 kg")], 11.50),
    ("Parmigiano Reggiano DOP 24 mesi 500 g", "Caseificio Rosola", CHEESE, GLUTEN_FREE, "Stagionato 24 mesi,"
     " di montagna.", [("Regione", "Emilia-Romagna"), ("Denominazione", "DOP"), ("Stagionatura", "24 mesi"),
     ("Formato", "500 g")], 14.50),
    ("Parmigiano Reggiano DOP 36 mesi 500 g", "Caseificio Rosola", CHEESE, GLUTEN_FREE, "Stagionato 36 "
     "mesi, cristalli e note di frutta secca.", [("Regione", "Emilia-Romagna"), ("Denominazione", "DOP"),
     ("Stagionatura", "36 mesi"), ("Formato", "500 g")], 18.90),
    ("Pecorino Romano DOP 300 g", "Fulvi", CHEESE, "", "Pecorino di pecora sardo-laziale, sapido.",
     [("Regione", "Lazio"), ("Denominazione", "DOP"), ("Formato", "300 g")], 7.90),
    ("Gorgonzola Dolce DOP 200 g", "Igor", CHEESE, "", "Erborinato cremoso.",
     [("Regione", "Lombardia"), ("Denominazione", "DOP"), ("Formato", "200 g")], 4.60),
    ("Pesto alla Genovese 180 g", "Pesto di Pra'", SAUCES, "", "Basilico genovese DOP, pinoli, Parmigiano.",
     [("Regione", "Liguria"), ("Formato", "180 g")], 6.90),
    ("Passata di pomodoro biologica 700 g", "Mutti", SAUCES, f"{ORGANIC},{VEGAN}", "Pomodoro italiano "
     "passato.", [("Formato", "700 g")], 2.40),
    ("Ragù alla bolognese 400 g", "Sfoglia Bolognese", SAUCES, "", "Sugo di carne secondo la ricetta "
     "depositata.", [("Regione", "Emilia-Romagna"), ("Formato", "400 g")], 7.50),
    ("Sugo al pomodoro e basilico 350 g", "Mutti", SAUCES, VEGAN, "Sugo pronto di pomodoro.",
     [("Formato", "350 g")], 2.90),
    ("Crema di pistacchio di Bronte 200 g", "Pistì", SAUCES, GLUTEN_FREE, "Crema spalmabile al pistacchio.",
     [("Regione", "Sicilia"), ("Formato", "200 g")], 8.50),
    ("Panettone classico artigianale 1 kg", "Pasticceria Fiasconaro", CAKES, "", "Lievitato naturale con "
     "uvetta e canditi d'arancia.", [("Regione", "Sicilia"), ("Formato", "1 kg")], 34.00),
    ("Panettone al cioccolato 750 g", "Loison", CAKES, "", "Con gocce di cioccolato fondente.",
     [("Regione", "Veneto"), ("Formato", "750 g")], 28.00),
    ("Pandoro di Verona 1 kg", "Bauli", CAKES, "", "Il dolce di Natale veronese, con zucchero a velo.",
     [("Regione", "Veneto"), ("Formato", "1 kg")], 12.90),
    ("Torrone morbido alle mandorle 200 g", "Sperlari", CAKES, GLUTEN_FREE, "Torrone morbido di Cremona.",
     [("Regione", "Lombardia"), ("Formato", "200 g")], 7.90),
    ("Cantucci toscani IGP 250 g", "Antonio Mattei", "Dolci", "", "Biscotti alle mandorle da inzuppare nel "
     "Vin Santo.", [("Regione", "Toscana"), ("Denominazione", "IGP"), ("Formato", "250 g")], 8.50),
    ("Cesto natalizio Emilia", "Enoteca Rinaldi", GIFTS, "", "Confezione regalo con Lambrusco, "
     "Parmigiano 24 mesi, aceto balsamico e tortellini.", [("Regione", "Emilia-Romagna")], 79.00),
    ("Confezione regalo Barolo e Barbaresco", "Enoteca Rinaldi", GIFTS, "", "Due bottiglie in cassetta di "
     "legno.", [("Regione", "Piemonte")], 85.00),
    ("Calici da vino rosso 2 pezzi", "Riedel", GIFTS, "", "Due calici di cristallo per vini rossi.",
     [("Formato", "2 pezzi")], 39.00),
    ("Cavatappi a due leve", "Pulltex", GIFTS, "", "Cavatappi da sommelier in acciaio.", [], 18.00),
]  # fmt: skip

# The queries the enoteca's customers type, with the patterns a product's folded text must match to be
# what is asked (grade 3) or the right kind in another vintage, size or region (grade 2).
_WRITTEN: dict[str, tuple[str, str | None]] = {
    "barolo": (r"^barolo", r"nebbiolo"),
    "barolo 2018": (r"^barolo docg 2018", r"^barolo"),
    "barolo magnum": (r"^barolo docg 2016 magnum", r"^barolo|magnum"),
    "vino rosso piemonte": (r"vini rossi.*regione=piemonte", r"vini rossi"),
    "vino rosso toscano": (r"vini rossi.*regione=toscana", r"vini rossi"),
    "nebbiolo": (r"vitigno=nebbiolo", None),
    "amarone": (r"^amarone", r"valpolicella"),
    "amarone valpolicela": (r"^amarone", r"valpolicella"),
    "ripasso": (r"^ripasso", r"valpolicella"),
    "chianti classico": (r"^chianti classico", r"sangiovese"),
    "brunello di montalcino": (r"^brunello", r"montalcino"),
    "bolgheri": (r"^bolgheri", None),
    "primitivo": (r"^primitivo", None),
    "nero d'avola": (r"^nero d'avola", None),
    "lambrusco": (r"^lambrusco", None),
    "sangiovese": (r"vitigno=sangiovese", None),
    "vino bianco": (r"vini bianchi", None),
    "vino bianco per pesce": (r"vini bianchi.*abbinamento=.*pesce", r"vini bianchi"),
    "vino per pesce": (r"abbinamento=.*pesce", None),
    "vino per carne rossa": (r"abbinamento=.*carne rossa", None),
    "vermentino": (r"^vermentino", None),
    "gavi": (r"^gavi", None),
    "spumante": (r"spumanti", None),
    "spumanti metodo classico": (r"^franciacorta|^trento", r"spumanti"),
    "bollicine": (r"spumanti", None),
    "prosecco": (r"^prosecco", None),
    "prosecco docg": (r"^prosecco superiore", r"^prosecco"),
    "prossecco": (r"^prosecco", None),
    "prosecco magnum": (r"^prosecco doc brut magnum", r"^prosecco"),
    "franciacorta": (r"^franciacorta", r"spumanti"),
    "moscato": (r"^moscato", r"vini dolci"),
    "vino dolce": (r"vini dolci", None),
    "vino biologico": (r"vini.*biologico", r"vini"),
    "vino senza solfiti": (r"senza solfiti", r"vini"),
    "vini vegani": (r"vini.*vegano", None),
    "magnum": (r"magnum", None),
    "grappa": (r"^grappa", None),
    "grappe": (r"^grappa", None),
    "grappa barricata": (r"^grappa barricata", r"^grappa"),
    "limoncello": (r"^limoncello", None),
    "amaro": (r"^amaro", r"distillati"),
    "olio extravergine": (r"^olio extravergine", None),
    "olio extra vergine toscano": (r"^olio extravergine di oliva toscano", r"^olio extravergine"),
    "olio 5 litri": (r"^olio .* 5 l", r"^olio"),
    "olio biologico": (r"^olio .*biologico", r"^olio"),
    "aceto balsamico": (r"^aceto balsamico", None),
    "balsamico tradizionale 12 anni": (r"tradizionale .* 12 anni", r"^aceto balsamico"),
    "spaghetti": (r"^spaghetti", r"pasta e riso"),
    "pasta di gragnano": (r"gragnano", r"pasta e riso"),
    "pasta senza glutine": (r"pasta e riso.*senza glutine", r"pasta e riso"),
    "tortellini": (r"^tortellini", None),
    "tagliatelle": (r"^tagliatelle", None),
    "riso per risotto": (r"^riso carnaroli", None),
    "parmigiano": (r"^parmigiano", None),
    "parmigiano 36 mesi": (r"^parmigiano reggiano dop 36 mesi", r"^parmigiano"),
    "parmiggiano 24 mesi": (r"^parmigiano reggiano dop 24 mesi", r"^parmigiano"),
    "pecorino": (r"^pecorino", r"formaggi"),
    "gorgonzola": (r"^gorgonzola", r"formaggi"),
    "formaggi dop": (r"formaggi.*denominazione=dop", r"formaggi"),
    "pesto": (r"^pesto", None),
    "sugo pronto": (r"^sugo|^ragu|^pesto", r"sughi"),
    "ragu": (r"^ragu", r"sughi"),
    "panettone": (r"^panettone", r"dolci di natale"),
    "panettone al cioccolato": (r"^panettone al cioccolato", r"^panettone"),
    "pandoro": (r"^pandoro", r"dolci di natale"),
    "dolci di natale": (r"dolci di natale", None),
    "torrone": (r"^torrone", None),
    "cantucci": (r"^cantucci", None),
    "cesto natalizio": (r"^cesto natalizio", r"idee regalo"),
    "confezione regalo vino": (r"^confezione regalo barolo", r"idee regalo"),
    "calici": (r"^calici", None),
    "cavatappi": (r"^cavatappi", None),
    "marchesi di barolo": (r"marchesi di barolo", None),
    "donnafugata": (r"donnafugata", None),
    "mionetto": (r"mionetto", None),
}  # fmt: skip
JUDGED: Judged = folded(_WRITTEN)
