"""The Swiss bookshop's catalog and judged queries (`bench.book_shop`).

A bookshop in Basel sells books in German, French, English and Italian, often one work in two languages
("L'Étranger" and "Der Fremde"), each book in its formats (paperback, hardcover, e-book, audiobook), each
format with an ISBN of its own; and a few things that are not books (e-readers, a reading lamp, gift
cards). Its shop system stores the author and the language in fields of their own. Shoppers type an
author alone ("dürrenmatt", written "duerrenmatt" on a keyboard without umlauts, or "durrenmatt"), a
title in any of its languages, a title that is a number ("1984"), a format ("taschenbuch", "ebook"),
an ISBN in either length, with or without dashes. Patterns (`bench.shop_judging`) are matched against
a product's title, author, format, language and category, lowercased and without accents (`fold`).
"""

from __future__ import annotations

from bench.shop_judging import Judged, fold

# Categories (the shop's own product types).
NOVELS, CRIME, CLASSICS, KIDS = "Belletristik", "Krimis & Thriller", "Klassiker", "Kinder- & Jugendbuch"
FANTASY, NONFICTION = "Fantasy & Science-Fiction", "Sachbuch"
READERS, GIFTS = "E-Reader & Zubehör", "Geschenke & Lesezubehör"
GERMAN, FRENCH, ENGLISH, ITALIAN = "Deutsch", "Französisch", "Englisch", "Italienisch"
PAPERBACK, HARDCOVER, EBOOK, AUDIO = "Taschenbuch", "Gebunden", "E-Book", "Hörbuch (CD)"

Format = tuple[str, float]  # format (the variant option), price in CHF
# (title, author, publisher, category, language, description, formats)
Book = tuple[str, str, str, str, str, str, list[Format]]

BOOKS: list[Book] = [
    ("Der Richter und sein Henker", "Friedrich Dürrenmatt", "Diogenes", CRIME, GERMAN,
     "Kommissär Bärlach ermittelt am Bielersee: ein Kriminalroman über Schuld und Gerechtigkeit.",
     [(PAPERBACK, 14.0), (EBOOK, 10.0), (AUDIO, 24.9)]),
    ("Der Besuch der alten Dame", "Friedrich Dürrenmatt", "Diogenes", CLASSICS, GERMAN,
     "Eine tragische Komödie: Claire Zachanassian kehrt nach Güllen zurück.", [(PAPERBACK, 15.0)]),
    ("Das Versprechen", "Friedrich Dürrenmatt", "Diogenes", CRIME, GERMAN,
     "Requiem auf den Kriminalroman.", [(PAPERBACK, 16.0), (HARDCOVER, 28.0)]),
    ("Homo faber", "Max Frisch", "Suhrkamp", NOVELS, GERMAN,
     "Ein Bericht. Der Ingenieur Walter Faber glaubt an Technik und Wahrscheinlichkeit.",
     [(PAPERBACK, 16.9), (EBOOK, 12.0)]),
    ("Andorra", "Max Frisch", "Suhrkamp", CLASSICS, GERMAN, "Stück in zwölf Bildern.", [(PAPERBACK, 11.9)]),
    ("Der Steppenwolf", "Hermann Hesse", "Suhrkamp", NOVELS, GERMAN,
     "Die Aufzeichnungen des Harry Haller, für Verrückte nur.", [(PAPERBACK, 14.9), (HARDCOVER, 26.0)]),
    ("Siddhartha", "Hermann Hesse", "Suhrkamp", NOVELS, GERMAN, "Eine indische Dichtung.",
     [(PAPERBACK, 12.9)]),
    ("Der Process", "Franz Kafka", "Reclam", CLASSICS, GERMAN,
     "Roman. Jemand musste Josef K. verleumdet haben, denn eines Morgens wurde er verhaftet.",
     [(PAPERBACK, 7.9)]),
    ("Die Verwandlung", "Franz Kafka", "Reclam", CLASSICS, GERMAN,
     "Gregor Samsa erwacht eines Morgens als Ungeziefer.", [(PAPERBACK, 4.9), (EBOOK, 2.0)]),
    ("Faust. Der Tragödie erster Teil", "Johann Wolfgang von Goethe", "Reclam", CLASSICS, GERMAN,
     "Das Drama um den Gelehrten und seinen Pakt mit Mephisto.", [(PAPERBACK, 5.9)]),
    ("Die Leiden des jungen Werther", "Johann Wolfgang von Goethe", "Reclam", CLASSICS, GERMAN,
     "Briefroman.", [(PAPERBACK, 6.9)]),
    ("Buddenbrooks", "Thomas Mann", "Fischer", CLASSICS, GERMAN, "Verfall einer Familie.",
     [(PAPERBACK, 16.0), (HARDCOVER, 38.0)]),
    ("Der Zauberberg", "Thomas Mann", "Fischer", CLASSICS, GERMAN,
     "Hans Castorp besucht seinen Vetter im Sanatorium in Davos.", [(PAPERBACK, 18.0)]),
    ("Heidi", "Johanna Spyri", "Arena", KIDS, GERMAN,
     "Heidis Lehr- und Wanderjahre: das Waisenkind auf der Alp beim Grossvater.", [(HARDCOVER, 24.9)]),
    ("Heidi", "Johanna Spyri", "Folio Junior", KIDS, FRENCH,
     "La petite orpheline part vivre chez son grand-père dans les Alpes suisses.", [(PAPERBACK, 9.9)]),
    ("Verbrechen und Strafe", "Fjodor M. Dostojewskij", "Fischer", CLASSICS, GERMAN,
     "Raskolnikow, ein Student in Sankt Petersburg, erschlägt eine Pfandleiherin.", [(PAPERBACK, 19.0)]),
    ("Crime and Punishment", "Fyodor Dostoevsky", "Penguin Classics", CLASSICS, ENGLISH,
     "Raskolnikov, an impoverished student in St Petersburg, commits a murder.", [(PAPERBACK, 15.9)]),
    ("Tschick", "Wolfgang Herrndorf", "Rowohlt", KIDS, GERMAN,
     "Zwei Jungen, ein geklauter Lada und ein Sommer ohne Erwachsene. Jugendbuch ab 13 Jahren.",
     [(PAPERBACK, 13.0)]),
    ("Der Hobbit", "J.R.R. Tolkien", "Klett-Cotta", FANTASY, GERMAN,
     "Bilbo Beutlin zieht mit dreizehn Zwergen und Gandalf zum Einsamen Berg.",
     [(PAPERBACK, 16.0), (HARDCOVER, 25.0)]),
    ("The Hobbit", "J.R.R. Tolkien", "HarperCollins", FANTASY, ENGLISH,
     "Bilbo Baggins is swept into a quest to reclaim the Lonely Mountain.", [(PAPERBACK, 14.9)]),
    ("Mord im Orient-Express", "Agatha Christie", "Atlantik", CRIME, GERMAN,
     "Hercule Poirot ermittelt in einem eingeschneiten Zug.", [(PAPERBACK, 14.0)]),
    ("Der Hund der Baskervilles", "Arthur Conan Doyle", "Insel", CRIME, GERMAN,
     "Ein Fall für Sherlock Holmes im Moor von Devonshire.", [(PAPERBACK, 10.0)]),
    ("The Hound of the Baskervilles", "Arthur Conan Doyle", "Penguin Classics", CRIME, ENGLISH,
     "Sherlock Holmes and Dr Watson on the moors.", [(PAPERBACK, 8.9)]),
    ("Der Spaziergang", "Robert Walser", "Suhrkamp", NOVELS, GERMAN, "Prosastück des Bieler Dichters.",
     [(PAPERBACK, 9.0)]),
    ("Die schwarze Spinne", "Jeremias Gotthelf", "Reclam", CLASSICS, GERMAN,
     "Eine Novelle aus dem Emmental.", [(PAPERBACK, 5.0)]),
    ("Fahrenheit 451", "Ray Bradbury", "Diogenes", FANTASY, GERMAN,
     "Feuerwehrmann Montag verbrennt Bücher, bis er eines zu lesen beginnt.", [(PAPERBACK, 15.0)]),
    ("1984", "George Orwell", "Ullstein", CLASSICS, GERMAN,
     "Winston Smith lebt im Überwachungsstaat Ozeanien. Der grosse Bruder sieht dich.",
     [(PAPERBACK, 12.0), (EBOOK, 8.0)]),
    ("Nineteen Eighty-Four", "George Orwell", "Penguin Modern Classics", CLASSICS, ENGLISH,
     "Orwell's dystopian classic: Big Brother is watching you.", [(PAPERBACK, 13.5)]),
    ("Catch-22", "Joseph Heller", "Vintage", NOVELS, ENGLISH,
     "Captain Yossarian wants out of the war.", [(PAPERBACK, 16.5)]),
    ("Pride and Prejudice", "Jane Austen", "Penguin Classics", CLASSICS, ENGLISH,
     "Elizabeth Bennet and Mr Darcy.", [(PAPERBACK, 9.9)]),
    ("Der kleine Prinz", "Antoine de Saint-Exupéry", "Rauch", KIDS, GERMAN,
     "Mit den Zeichnungen des Autors.", [(HARDCOVER, 18.0)]),
    ("Le Petit Prince", "Antoine de Saint-Exupéry", "Folio", KIDS, FRENCH,
     "Avec des aquarelles de l'auteur.", [(PAPERBACK, 12.0)]),
    ("L'Étranger", "Albert Camus", "Folio", NOVELS, FRENCH,
     "Aujourd'hui, maman est morte. Meursault à Alger.", [(PAPERBACK, 11.5)]),
    ("Der Fremde", "Albert Camus", "Rowohlt", NOVELS, GERMAN,
     "Meursault, ein Franzose in Algier, tötet einen Araber.", [(PAPERBACK, 12.0)]),
    ("Les Misérables (Tome 1)", "Victor Hugo", "Le Livre de Poche", CLASSICS, FRENCH,
     "Jean Valjean, forçat libéré.", [(PAPERBACK, 13.0)]),
    ("Madame Bovary", "Gustave Flaubert", "Folio", CLASSICS, FRENCH, "Mœurs de province.",
     [(PAPERBACK, 9.5)]),
    ("Il nome della rosa", "Umberto Eco", "Bompiani", NOVELS, ITALIAN,
     "Un'abbazia benedettina, sette giorni, sette delitti.", [(PAPERBACK, 19.0)]),
    ("Der Name der Rose", "Umberto Eco", "dtv", NOVELS, GERMAN,
     "Mordfälle in einer Benediktinerabtei im Jahr 1327.", [(PAPERBACK, 17.0)]),
    ("Der Grüffelo", "Julia Donaldson", "Beltz", KIDS, GERMAN,
     "Bilderbuch in Reimen: die kleine Maus und das Ungeheuer. Ab 2 Jahren.", [(HARDCOVER, 14.9)]),
    ("Eine kurze Geschichte der Menschheit", "Yuval Noah Harari", "Pantheon", NONFICTION, GERMAN,
     "Vom Homo sapiens bis zur Gegenwart.", [(PAPERBACK, 18.0), (EBOOK, 13.0)]),
]  # fmt: skip

# (title, brand, category, description, options: (option, price)) of what is not a book.
Thing = tuple[str, str, str, str, list[Format]]
THINGS: list[Thing] = [
    ("tolino shine 5 eReader", "tolino", READERS, "6 Zoll, wasserdicht, warmes Licht.", [("", 159.0)]),
    ("tolino vision 6 eReader", "tolino", READERS, "7 Zoll E-Ink Carta, Seitenblättertasten.",
     [("", 199.0)]),
    ("PocketBook Era E-Reader", "PocketBook", READERS, "7 Zoll, Lautsprecher für Hörbücher.",
     [("", 189.0)]),
    ("Schutzhülle für tolino shine 5", "tolino", READERS, "Mit Schlaffunktion.",
     [("Schwarz", 29.9), ("Blau", 29.9)]),
    ("Leselampe zum Anklemmen, LED", "Lumio", GIFTS, "Klemmleuchte für Bücher, drei Helligkeitsstufen.",
     [("", 19.9)]),
    ("Lesezeichen aus Leder", "Buchhandlung Rheinsprung", GIFTS, "Handgenäht in Basel.", [("", 8.5)]),
    ("Notizbuch A5 liniert", "Leuchtturm1917", GIFTS, "Hardcover, 251 nummerierte Seiten.",
     [("Schwarz", 24.9), ("Bordeaux", 24.9)]),
    ("Geschenkgutschein", "Buchhandlung Rheinsprung", GIFTS, "Einlösbar im Laden und online.",
     [("CHF 20", 20.0), ("CHF 50", 50.0), ("CHF 100", 100.0)]),
]  # fmt: skip

# ISBNs the judged queries type, by (title, format, language); the others are drawn at random.
KNOWN_ISBNS = {
    ("Homo faber", PAPERBACK, GERMAN): "9783518368541",
    ("Der Steppenwolf", HARDCOVER, GERMAN): "9783518421406",
    ("Der Hobbit", PAPERBACK, GERMAN): "9783608938159",
}

_WRITTEN: dict[str, tuple[str, str | None]] = {
    "dürrenmatt": (r"durrenmatt", None),
    "duerrenmatt": (r"durrenmatt", None),
    "durrenmatt": (r"durrenmatt", None),
    "dürenmatt": (r"durrenmatt", None),
    "richter und sein henker": (r"richter und sein henker", r"durrenmatt"),
    "der richter und sein henker taschenbuch": (r"richter und sein henker .*taschenbuch",
                                                r"richter und sein henker"),
    "richter henker hörbuch": (r"richter und sein henker .*horbuch", r"richter und sein henker"),
    "max frisch": (r"max frisch", None),
    "homo faber": (r"homo faber", r"max frisch"),
    "hesse steppenwolf": (r"steppenwolf", r"hesse"),
    "hermann hesse gebunden": (r"hesse .*gebunden", r"hesse"),
    "siddhartha": (r"siddhartha", r"hesse"),
    "kafka": (r"kafka", None),
    "kafka prozess": (r"der process", r"kafka"),
    "verwandlung": (r"verwandlung", r"kafka"),
    "goethe faust": (r"faust", r"goethe"),
    "werther": (r"werther", r"goethe"),
    "thomas mann": (r"thomas mann", None),
    "zauberberg": (r"zauberberg", r"thomas mann"),
    "buddenbrooks gebunden": (r"buddenbrooks .*gebunden", r"buddenbrooks"),
    "heidi": (r"heidi", None),
    "heidi französisch": (r"heidi .*franzosisch", r"heidi"),
    "dostojewski": (r"dostoj|dostoev", None),
    "verbrechen und strafe": (r"verbrechen und strafe", r"crime and punishment"),
    "schuld und sühne": (r"verbrechen und strafe", r"crime and punishment"),
    "crime and punishment": (r"crime and punishment", r"verbrechen und strafe"),
    "camus": (r"camus", None),
    "l'étranger": (r"l'etranger", r"der fremde"),
    "letranger camus": (r"l'etranger", r"der fremde"),
    "der fremde camus": (r"der fremde", r"l'etranger"),
    "der kleine prinz": (r"der kleine prinz", r"petit prince"),
    "le petit prince": (r"petit prince", r"kleine prinz"),
    "1984": (r"^1984|nineteen eighty", None),
    "orwell 1984 englisch": (r"nineteen eighty-four", r"1984"),
    "fahrenheit 451": (r"fahrenheit 451", None),
    "catch 22": (r"catch-22", None),
    "tolkien": (r"tolkien", None),
    "der hobbit": (r"der hobbit", r"the hobbit"),
    "hobbit englisch": (r"the hobbit", r"hobbit"),
    "jrr tolkien": (r"tolkien", None),
    "agatha christie": (r"christie", None),
    "orient express": (r"orient-express", r"christie"),
    "sherlock holmes": (r"baskerville", None),
    "name der rose": (r"name der rose", r"nome della rosa"),
    "umberto eco": (r"umberto eco", None),
    "krimi": (r"krimis", None),
    "kinderbuch": (r"kinder- ", None),
    "harari": (r"harari", None),
    "ebook": (r"\| e-book \|", None),
    "e-reader": (r"tolino (shine|vision)|pocketbook", None),
    "tolino shine": (r"^tolino shine", r"tolino"),
    "hülle tolino": (r"schutzhulle .*tolino", r"tolino"),
    "leselampe": (r"leselampe", None),
    "gutschein 50": (r"gutschein .*chf 50", r"gutschein"),
    "lesezeichen": (r"lesezeichen", None),
    "notizbuch": (r"notizbuch", None),
    "9783518368541": (r"homo faber .*taschenbuch", r"homo faber"),
    "978-3-518-42140-6": (r"steppenwolf .*gebunden", r"steppenwolf"),
    "360893815X": (r"der hobbit .*taschenbuch", r"der hobbit"),
    "pride and prejudice": (r"pride and prejudice", None),
    "madame bovary": (r"bovary", None),
    "les miserables": (r"miserables", None),
    "walser spaziergang": (r"spaziergang", r"walser"),
    "gotthelf": (r"gotthelf", None),
    "tschick": (r"tschick", None),
}  # fmt: skip
JUDGED: Judged = {
    query: (fold(asked), fold(kind) if kind else None) for query, (asked, kind) in _WRITTEN.items()
}
