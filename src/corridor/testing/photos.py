"""A phone photo for tests: a JPEG carrying the EXIF and GPS tags a phone writes."""

from __future__ import annotations

import io

from PIL import Image

#: Where the "phone" says it was: a spot in Hpakant township, to the tenth of a second.
LATITUDE = (25.0, 36.0, 41.5)
LONGITUDE = (96.0, 18.0, 12.25)
MAKE = "PhoneMakerX"
SERIAL = "SN-0042-HANDSET"
GPS_IFD = 0x8825


def gps_jpeg(size: tuple[int, int] = (120, 90)) -> bytes:
    """A JPEG with EXIF make, body serial number and a GPS position (the tags to strip)."""
    image = Image.new("RGB", size, (180, 40, 30))
    exif = Image.Exif()
    exif[0x010F] = MAKE  # Make
    exif[0x0132] = "2024:05:02 09:14:00"  # DateTime
    exif[0xA431] = SERIAL  # BodySerialNumber
    exif[GPS_IFD] = {1: "N", 2: LATITUDE, 3: "E", 4: LONGITUDE}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def gps_of(data: bytes) -> dict:
    """The GPS tags of a picture (empty when there are none)."""
    return dict(Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD))
