"""Photos people upload as evidence, made safe to keep: every piece of metadata is dropped.

A phone writes where and when a picture was taken (GPS and EXIF), the phone's make and serial,
and sometimes a thumbnail of the uncropped picture into the file. Any of these can lead to the
person who handed out the aid or the place it was handed out. We decode the picture with Pillow,
turn it upright by its EXIF orientation, and write only its pixels again (decision 0262).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from corridor.core.errors import InvalidInput

#: What a photo may be: the formats phones and scanners write.
ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "MPO": "image/jpeg"}
#: Longest side kept: enough to read a receipt, small enough for a slow connection.
LONGEST_SIDE = 2400
#: More pixels than any phone takes: refused rather than decoded (a "decompression bomb").
MAX_PIXELS = 60_000_000


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    content_type: str
    extension: str


def photo_clean(data: bytes, *, name: str = "photo") -> CleanPhoto:
    """The picture in ``data`` with no EXIF, GPS, XMP, ICC or comment left: JPEG for photos,
    PNG for pictures with transparency. Anything that is not a picture is refused."""
    if not data:
        raise InvalidInput(f"{name}: the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED:
                raise InvalidInput(
                    f"{name}: a {image.format} file is not a photo Corridor keeps; "
                    "send a JPEG, PNG or WebP picture"
                )
            if image.width * image.height > MAX_PIXELS:
                raise InvalidInput(
                    f"{name}: the picture is too large ({image.width}×{image.height})"
                )
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombWarning) as exc:
        raise InvalidInput(f"{name}: not a picture Corridor can read ({exc})") from None
    upright = ImageOps.exif_transpose(image) or image
    upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    keeps_alpha = upright.mode in ("RGBA", "LA", "P") and image.format == "PNG"
    # A new image from the pixels alone: nothing of the file's info dictionary comes along.
    pixels = upright.convert("RGBA" if keeps_alpha else "RGB")
    bare = Image.new(pixels.mode, pixels.size)
    bare.paste(pixels)
    out = io.BytesIO()
    if keeps_alpha:
        bare.save(out, format="PNG", optimize=True)
        return CleanPhoto(out.getvalue(), "image/png", "png")
    bare.save(out, format="JPEG", quality=85, optimize=True)
    return CleanPhoto(out.getvalue(), "image/jpeg", "jpg")
