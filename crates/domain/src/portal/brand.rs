//! A portal's brand: its colour — `#rrggbb`, dark enough that white text on it is readable, a
//! contrast of at least 4.5:1 (WCAG 2.x, level AA for normal text) computed with WCAG's
//! relative luminance — and its logo, a PNG, JPEG or WebP image recognised by its first bytes
//! (never by a file name or a browser's claim). SVG is refused: it can carry script.

use crate::{DomainError, FieldError};

/// The least contrast white text must have on the accent colour.
pub const MIN_CONTRAST: f64 = 4.5;

/// Checks an accent colour and answers it lower-cased: `#rrggbb` (a leading `#` optional),
/// with at least [`MIN_CONTRAST`] against white.
pub fn parse_accent_colour(input: &str) -> Result<String, DomainError> {
    let hex = input.trim().trim_start_matches('#');
    let Some(rgb) = rgb_of(hex) else {
        return Err(DomainError::Invalid(vec![FieldError::new(
            "accent_colour",
            "invalid_colour",
            "The accent colour is a hex colour such as #1d4ed8",
        )]));
    };
    let ratio = contrast_with_white(rgb);
    if ratio < MIN_CONTRAST {
        return Err(DomainError::Invalid(vec![FieldError::new(
            "accent_colour",
            "low_contrast",
            format!(
                "White text on this colour has a contrast of {:.1}:1; choose a darker colour (at least 4.5:1)",
                // Rounded down, so a refused colour never reads as 4.5:1.
                (ratio * 10.0).floor() / 10.0
            ),
        )]));
    }
    Ok(format!("#{}", hex.to_ascii_lowercase()))
}

fn rgb_of(hex: &str) -> Option<[u8; 3]> {
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

/// WCAG relative luminance of an sRGB colour.
fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

/// The contrast ratio of white against `rgb`: (1.05) / (L + 0.05).
pub fn contrast_with_white(rgb: [u8; 3]) -> f64 {
    1.05 / (luminance(rgb) + 0.05)
}

/// The largest logo accepted: 512 KB.
pub const LOGO_MAX_BYTES: usize = 512 * 1024;
/// The largest width or height of a logo, in pixels.
pub const LOGO_MAX_SIDE: u32 = 4096;

/// An uploaded logo that passed the checks: its type from its magic bytes, and its size in
/// pixels where the header tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogoImage {
    pub content_type: &'static str,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

fn logo_error(code: &'static str, message: &str) -> DomainError {
    DomainError::Invalid(vec![FieldError::new("logo", code, message)])
}

impl LogoImage {
    /// Checks an uploaded logo: not empty, at most [`LOGO_MAX_BYTES`], a PNG, JPEG or WebP by
    /// its first bytes, and at most [`LOGO_MAX_SIDE`] pixels a side when its header says.
    pub fn parse(bytes: &[u8]) -> Result<Self, DomainError> {
        if bytes.is_empty() {
            return Err(logo_error("required", "Choose an image file for the logo"));
        }
        if bytes.len() > LOGO_MAX_BYTES {
            return Err(logo_error("too_large", "The logo is at most 512 KB"));
        }
        let image = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            let (w, h) = (be32(bytes, 16), be32(bytes, 20));
            Self::sized("image/png", w, h)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            let (w, h) = jpeg_size(bytes).unzip();
            Self::sized("image/jpeg", w, h)
        } else if bytes.len() >= 16 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            let (w, h) = webp_size(bytes).unzip();
            Self::sized("image/webp", w, h)
        } else {
            return Err(logo_error(
                "unsupported_type",
                "The logo must be a PNG, JPEG or WebP image (SVG is not accepted)",
            ));
        };
        let too_big = |s: Option<u32>| s.is_some_and(|s| s == 0 || s > LOGO_MAX_SIDE);
        if too_big(image.width) || too_big(image.height) {
            return Err(logo_error(
                "bad_dimensions",
                "The logo is at most 4096 pixels wide and high",
            ));
        }
        Ok(image)
    }

    fn sized(content_type: &'static str, width: Option<u32>, height: Option<u32>) -> Self {
        Self {
            content_type,
            width,
            height,
        }
    }
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_be_bytes(s))
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    let s: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
    Some(u32::from(u16::from_be_bytes(s)))
}

fn le16(b: &[u8], at: usize) -> Option<u32> {
    let s: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
    Some(u32::from(u16::from_le_bytes(s)))
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(u32::from(s[0]) | (u32::from(s[1]) << 8) | (u32::from(s[2]) << 16))
}

/// A JPEG's size from its first start-of-frame segment (walking the segments, bounded by the
/// data itself).
fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    while at + 4 <= b.len() {
        if b[at] != 0xFF {
            return None;
        }
        let marker = b[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let len = usize::try_from(be16(b, at + 2)?).ok()?;
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            return Some((be16(b, at + 7)?, be16(b, at + 5)?));
        }
        at += 2 + len;
    }
    None
}

/// A WebP's size from its first chunk (VP8X, lossless VP8L, or lossy VP8).
fn webp_size(b: &[u8]) -> Option<(u32, u32)> {
    match b.get(12..16)? {
        b"VP8X" => Some((le24(b, 24)? + 1, le24(b, 27)? + 1)),
        b"VP8L" => {
            let bits = u32::from_le_bytes(b.get(21..25)?.try_into().ok()?);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8 " => Some((le16(b, 26)? & 0x3FFF, le16(b, 28)? & 0x3FFF)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_contrasts() {
        // Black on white is 21:1, white on white 1:1.
        assert!((contrast_with_white([0, 0, 0]) - 21.0).abs() < 1e-9);
        assert!((contrast_with_white([255, 255, 255]) - 1.0).abs() < 1e-9);
        // #767676 is the classic lightest grey that passes AA on white (4.54:1); #777777 fails.
        assert!(contrast_with_white([0x76, 0x76, 0x76]) >= 4.5);
        assert!(contrast_with_white([0x77, 0x77, 0x77]) < 4.5);
    }

    #[test]
    fn accent_colours_are_checked() {
        assert_eq!(parse_accent_colour(" #1D4ED8 ").unwrap(), "#1d4ed8");
        assert_eq!(parse_accent_colour("767676").unwrap(), "#767676");
        let codes = |s: &str| {
            parse_accent_colour(s).unwrap_err().errors()[0]
                .code
                .to_string()
        };
        assert_eq!(codes("#ffff00"), "low_contrast");
        assert_eq!(codes("#777777"), "low_contrast");
        for bad in ["", "#fff", "#12345g", "red", "#1234567", "#ééé"] {
            assert_eq!(codes(bad), "invalid_colour", "{bad}");
        }
        let message = parse_accent_colour("#ffff00").unwrap_err().errors()[0]
            .message
            .clone();
        assert!(message.contains("1.0:1"), "{message}");
    }

    /// A 1×1 PNG (its header is all the check reads).
    pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&[8, 6, 0, 0, 0]);
        b
    }

    #[test]
    fn logos_are_recognised_by_their_bytes() {
        let image = LogoImage::parse(&png(120, 40)).unwrap();
        assert_eq!(
            (image.content_type, image.width, image.height),
            ("image/png", Some(120), Some(40))
        );
        // A JPEG: SOI, an APP0 segment, then SOF0 with height 30 and width 90.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0];
        jpeg.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8, 0, 30, 0, 90, 3, 0, 0, 0]);
        let j = LogoImage::parse(&jpeg).unwrap();
        assert_eq!(
            (j.content_type, j.width, j.height),
            ("image/jpeg", Some(90), Some(30))
        );
        // A WebP with a VP8X chunk: 200×100 (stored minus one, 24-bit little-endian).
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        webp.extend_from_slice(&[199, 0, 0, 99, 0, 0]);
        let w = LogoImage::parse(&webp).unwrap();
        assert_eq!(
            (w.content_type, w.width, w.height),
            ("image/webp", Some(200), Some(100))
        );
        let code = |b: &[u8]| LogoImage::parse(b).unwrap_err().errors()[0].code;
        assert_eq!(code(b""), "required");
        assert_eq!(
            code(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
            "unsupported_type"
        );
        assert_eq!(code(b"GIF89a......"), "unsupported_type");
        assert_eq!(
            code(b"hello, this is text named logo.png"),
            "unsupported_type"
        );
        assert_eq!(code(&png(5000, 10)), "bad_dimensions");
        assert_eq!(code(&png(0, 10)), "bad_dimensions");
        let mut huge = png(10, 10);
        huge.resize(LOGO_MAX_BYTES + 1, 0);
        assert_eq!(code(&huge), "too_large");
    }
}
