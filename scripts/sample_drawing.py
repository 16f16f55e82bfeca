"""Small product pictures for the sample catalog: a category silhouette in the product colour.

Drawn by scripts/make_sample_catalog.py only, never at run time.

Pictures of one category share a shape and pictures of one colour share a fill, so image similarity
(CLIP or any other image encoder) has something real to find: a red jacket looks more like a navy
jacket than like a red tent, and more like a red dress than like a grey speaker.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from PIL import Image, ImageDraw

SIZE = 96
Color = tuple[int, int, int]
Draw = Callable[[ImageDraw.ImageDraw, Color, Color], None]


def _darker(color: Color) -> Color:
    return (max(0, color[0] - 60), max(0, color[1] - 60), max(0, color[2] - 60))


def _knife(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.polygon([(10, 52), (66, 40), (66, 56), (20, 58)], fill=(200, 204, 210), outline=e)
    d.rounded_rectangle((64, 42, 90, 54), 4, fill=c, outline=e)


def _pan(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.ellipse((8, 26, 64, 82), fill=c, outline=e, width=3)
    d.rounded_rectangle((60, 48, 92, 58), 4, fill=e)


def _pillow(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.rounded_rectangle((10, 26, 86, 72), 18, fill=c, outline=e, width=2)


def _lamp(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.polygon([(30, 14), (66, 14), (78, 44), (18, 44)], fill=c, outline=e)
    d.rectangle((45, 44, 51, 80), fill=e)
    d.ellipse((28, 78, 68, 88), fill=e)


def _headphones(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.arc((16, 10, 80, 74), 180, 360, fill=c, width=7)
    d.rounded_rectangle((10, 40, 28, 72), 6, fill=c, outline=e, width=2)
    d.rounded_rectangle((68, 40, 86, 72), 6, fill=c, outline=e, width=2)


def _speaker(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.rounded_rectangle((24, 10, 72, 86), 8, fill=c, outline=e, width=2)
    d.ellipse((34, 20, 62, 48), fill=e)
    d.ellipse((38, 56, 58, 76), fill=e)


def _watch(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.rectangle((38, 4, 58, 92), fill=c)
    d.ellipse((24, 28, 72, 76), fill=(40, 40, 44), outline=e, width=4)


def _charger(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.rounded_rectangle((18, 20, 54, 60), 6, fill=c, outline=e, width=2)
    d.line([(54, 40), (70, 40), (70, 80), (86, 80)], fill=e, width=4)


def _jacket(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.polygon(
        [(30, 12), (66, 12), (90, 40), (78, 50), (70, 40), (70, 88), (26, 88), (26, 40), (18, 50), (6, 40)],
        fill=c,
        outline=e,
    )
    d.line([(48, 14), (48, 88)], fill=e, width=2)


def _tshirt(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.polygon(
        [(32, 14), (64, 14), (86, 30), (76, 42), (68, 36), (68, 86), (28, 86), (28, 36), (20, 42), (10, 30)],
        fill=c,
        outline=e,
    )


def _dress(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.polygon([(38, 8), (58, 8), (62, 40), (82, 90), (14, 90), (34, 40)], fill=c, outline=e)


def _tent(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.polygon([(48, 12), (90, 82), (6, 82)], fill=c, outline=e)
    d.polygon([(48, 40), (60, 82), (36, 82)], fill=e)


def _backpack(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.rounded_rectangle((22, 14, 74, 88), 14, fill=c, outline=e, width=2)
    d.rounded_rectangle((32, 54, 64, 80), 5, fill=_darker(c), outline=e)


def _mat(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.rectangle((10, 40, 70, 80), fill=c, outline=e)
    d.ellipse((58, 20, 90, 80), fill=c, outline=e, width=3)


def _helmet(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.chord((10, 22, 86, 98), 180, 360, fill=c, outline=e, width=2)
    for x in (30, 46, 62):
        d.line([(x, 34), (x, 52)], fill=e, width=3)


def _jar(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.rounded_rectangle((20, 40, 76, 84), 8, fill=c, outline=e, width=2)
    d.rectangle((24, 28, 72, 42), fill=e)


def _bottle(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.rounded_rectangle((30, 30, 66, 90), 10, fill=c, outline=e, width=2)
    d.rectangle((40, 12, 56, 30), fill=e)


def _perfume(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.rounded_rectangle((20, 38, 76, 88), 12, fill=c, outline=e, width=2)
    d.rectangle((40, 22, 56, 38), fill=(200, 170, 80))


def _blocks(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    for box in ((14, 56, 46, 88), (50, 56, 82, 88), (32, 22, 64, 54)):
        d.rectangle(box, fill=c, outline=e, width=2)


def _puzzle(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.rectangle((20, 24, 72, 76), fill=c, outline=e, width=2)
    d.ellipse((38, 10, 54, 26), fill=c, outline=e, width=2)
    d.ellipse((70, 42, 86, 58), fill=c, outline=e, width=2)


def _plush(d: ImageDraw.ImageDraw, c: Color, e: Color) -> None:
    d.ellipse((18, 8, 38, 28), fill=c, outline=e)
    d.ellipse((58, 8, 78, 28), fill=c, outline=e)
    d.ellipse((22, 14, 74, 62), fill=c, outline=e, width=2)
    d.ellipse((26, 50, 70, 92), fill=c, outline=e, width=2)


SHAPES: dict[str, Draw] = {
    "knife": _knife,
    "pan": _pan,
    "pillow": _pillow,
    "lamp": _lamp,
    "headphones": _headphones,
    "speaker": _speaker,
    "watch": _watch,
    "charger": _charger,
    "jacket": _jacket,
    "tshirt": _tshirt,
    "dress": _dress,
    "tent": _tent,
    "backpack": _backpack,
    "mat": _mat,
    "helmet": _helmet,
    "jar": _jar,
    "bottle": _bottle,
    "perfume": _perfume,
    "blocks": _blocks,
    "puzzle": _puzzle,
    "plush": _plush,
}


def draw_product(shape: str, color: Color, rng: random.Random) -> Image.Image:
    """A SIZE x SIZE picture: light background with a little noise, the shape in `color`."""
    shade = rng.randint(236, 250)
    image = Image.new("RGB", (SIZE, SIZE), (shade, shade, shade - 4))
    SHAPES[shape](ImageDraw.Draw(image), color, _darker(color))
    return image
