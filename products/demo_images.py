"""Product pictures drawn with Pillow, so demo and benchmark catalogues need no downloads."""

import hashlib
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

SIZE = (800, 600)


def _palette(seed):
    digest = hashlib.sha256(seed.encode()).digest()
    background = (200 + digest[0] % 50, 205 + digest[1] % 45, 215 + digest[2] % 40)
    body = (40 + digest[3] % 90, 45 + digest[4] % 90, 60 + digest[5] % 100)
    return background, body


def draw_product_image(name, brand="", image_format="PNG"):
    """Return the bytes of a simple laptop illustration labelled with the product name."""
    background, body = _palette(f"{brand}:{name}")
    image = Image.new("RGB", SIZE, background)
    draw = ImageDraw.Draw(image)
    # Screen, display area and keyboard base of a stylised laptop.
    draw.rounded_rectangle((170, 90, 630, 390), radius=18, fill=body)
    draw.rectangle((190, 110, 610, 370), fill=(235, 240, 248))
    draw.polygon([(120, 400), (680, 400), (730, 450), (70, 450)], fill=body)
    font = ImageFont.load_default(size=34)
    small = ImageFont.load_default(size=24)
    draw.text((400, 220), brand or "Storefront", fill=body, font=font, anchor="mm")
    draw.text((400, 520), name[:48], fill=(30, 34, 44), font=small, anchor="mm")
    buffer = BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()
