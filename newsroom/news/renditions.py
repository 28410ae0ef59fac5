"""Makes and removes a lead image's sized copies: widths for `srcset`, focal-point crops for
structured data and sharing cards.

Made once, when a story's image or focal point is saved (`Article.prepare`), never per request;
what was made is kept on the story (`Article.lead_image_renditions`), so a page names every file
without a query or a look at the disk. Each copy lives under `renditions/<original's name>/`,
which is how /media/ applies the original's rule (only live stories' images) to every copy, and
how a copy goes with its image.

- widths: WIDTHS that the original reaches (never enlarged; at least one, at the original's own
  width), each as WebP and as a fallback: PNG when the original is PNG or has transparency, JPEG
  otherwise;
- crops around the focal point (x, y from 0 to 1, the centre by default): 16:9, 4:3 and 1:1
  (CROP_WIDTH wide, or as wide as the image allows) for schema.org's `image`, and 1200x630 (or
  the largest such box the image holds) for sharing cards.

The original is turned upright by its EXIF orientation first, and a CMYK or palette image made
RGB(A), so every copy looks the way the photographer meant in every browser.
"""

from __future__ import annotations

import io
import posixpath
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from PIL import Image, ImageOps

WIDTHS = (480, 800, 1200, 1600)
CROP_WIDTH = 1200
# Label -> (width, height) ratio; "card" is og:image / twitter:image's 1200x630.
CROPS = {"16x9": (16, 9), "4x3": (4, 3), "1x1": (1, 1), "card": (1200, 630)}
CARD_WIDTH = 1200
FOLDER = "renditions"
WEBP_QUALITY = 80
JPEG_QUALITY = 82


@dataclass(frozen=True, kw_only=True)
class Focal:
    """Where the picture's subject is, as fractions of its width and height (0.5: the middle)."""

    x: float = 0.5
    y: float = 0.5


def folder_of(original: str) -> str:
    """Where the copies of the image stored as `original` live."""
    return posixpath.join(FOLDER, original)


def original_of(name: str) -> str | None:
    """The original image a copy's stored name belongs to, or None when `name` is no copy."""
    if not name.startswith(FOLDER + "/"):
        return None
    original, copy = posixpath.split(name[len(FOLDER) + 1 :])
    if copy in ("", ".", ".."):
        return None
    return original or None


def upright(image: Image.Image) -> Image.Image:
    """The image turned by its EXIF orientation, in a mode every encoder takes (RGB or RGBA)."""
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    return image.convert("RGBA" if has_alpha else "RGB")


def widths_for(width: int) -> list[int]:
    """The widths to make of an image `width` pixels wide: never wider than it, at least one."""
    return [w for w in WIDTHS if w <= width] or [width]


def crop_box(
    size: tuple[int, int], ratio: tuple[int, int], focal: Focal
) -> tuple[int, int, int, int]:
    """The largest box of `ratio` inside an image of `size`, centred on the focal point as far
    as the edges allow."""
    width, height = size
    box_w = min(width, round(height * ratio[0] / ratio[1]))
    box_h = min(height, round(box_w * ratio[1] / ratio[0]))
    left = min(max(round(focal.x * width - box_w / 2), 0), width - box_w)
    top = min(max(round(focal.y * height - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def _encode(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "webp":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    elif kind == "png":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _resized(image: Image.Image, width: int) -> Image.Image:
    if width >= image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def make(storage: Storage, original: str, *, focal: Focal) -> dict:
    """Make every copy of the image stored as `original` (replacing earlier ones); what was
    made, as kept on the story. Raises OSError (or Pillow's errors) when the image can't be
    read."""
    with storage.open(original) as file, Image.open(file) as opened:
        opened.load()
        image = upright(opened)
    fallback = "png" if image.mode == "RGBA" or opened.format == "PNG" else "jpg"
    folder = folder_of(original)
    remove(storage, original)
    made: dict = {
        "width": image.width,
        "height": image.height,
        "focal": [focal.x, focal.y],
        "fallback": fallback,
        "widths": [],
        "crops": {},
    }

    def store(label: str, picture: Image.Image, kind: str) -> str:
        name = posixpath.join(folder, f"{label}.{kind}")
        return storage.save(name, ContentFile(_encode(picture, kind)))

    for width in widths_for(image.width):
        sized = _resized(image, width)
        made["widths"].append(
            {
                "width": sized.width,
                "height": sized.height,
                "webp": store(f"w{width}", sized, "webp"),
                "fallback": store(f"w{width}", sized, fallback),
            }
        )
    # A crop's name says its focal point: a moved point makes new addresses, which no cache
    # has kept.
    point = f"{round(focal.x * 1000)}-{round(focal.y * 1000)}"
    for label, ratio in CROPS.items():
        cropped = _resized(image.crop(crop_box(image.size, ratio, focal)), CROP_WIDTH)
        # Crops are for other sites (search engines, social networks): JPEG or PNG, which all
        # of them read.
        made["crops"][label] = {
            "width": cropped.width,
            "height": cropped.height,
            "name": store(f"{label}-{point}", cropped, fallback),
        }
    return made


def remove(storage: Storage, original: str) -> None:
    """Delete every copy of the image stored as `original` (there may be none)."""
    folder = folder_of(original)
    try:
        _, files = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in files:
        storage.delete(posixpath.join(folder, name))


@dataclass(frozen=True, kw_only=True)
class Picture:
    """What a <picture> element needs: `url_for` has turned stored names into addresses."""

    src: str
    width: int
    height: int
    webp_srcset: str
    fallback_srcset: str
    fallback_type: str


def names(made: dict) -> set[str]:
    """Every file `make` made (its stored names)."""
    widths = (made or {}).get("widths") or []
    crops = ((made or {}).get("crops") or {}).values()
    return {w[kind] for w in widths for kind in ("webp", "fallback")} | {c["name"] for c in crops}


def picture(made: dict, url_for) -> Picture | None:
    """The <picture> of a story's copies (`made`, as `make` returned it), or None without any."""
    widths = made.get("widths") if made else None
    if not widths:
        return None
    largest = widths[-1]
    return Picture(
        src=url_for(largest["fallback"]),
        width=largest["width"],
        height=largest["height"],
        webp_srcset=", ".join(f"{url_for(w['webp'])} {w['width']}w" for w in widths),
        fallback_srcset=", ".join(f"{url_for(w['fallback'])} {w['width']}w" for w in widths),
        fallback_type="image/png" if made["fallback"] == "png" else "image/jpeg",
    )


def crop(made: dict, label: str) -> dict | None:
    """One crop ("16x9", "4x3", "1x1", "card") as made: {"name", "width", "height"}, or None."""
    return ((made or {}).get("crops") or {}).get(label)
