//! QR codes in image attachments.
//!
//! **What it catches:** a PNG or JPEG attachment (base64) carrying a QR code whose payload is
//! a link or a share text: a poster with a Taobao short link, a WeChat group's invite.
//!
//! **Why:** a QR code moves a link past every text filter.
//!
//! **How:** decode the base64, then the image within size and pixel limits (a decompression
//! bomb is refused, not decoded), find and decode QR grids with `rqrr`, and run each payload
//! through the same analysis as text. Facts from a payload carry the attachment's index and
//! spans into the payload, which is reported under `qr_codes`. A broken attachment becomes a
//! warning; analysis of the message goes on.

use base64::Engine as _;

use crate::{Analyzer, Attachment, Facts, QrCode, Scratch, Warning};

/// Decode the QR payloads of one image file's bytes.
pub fn decode_payloads(bytes: &[u8], max_pixels: u64) -> Result<Vec<String>, String> {
    let reader = |max_alloc: u64| {
        let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| e.to_string())?;
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(max_alloc);
        reader.limits(limits);
        Ok::<_, String>(reader)
    };
    // Read the header first, so that a huge image is refused before any pixel is decoded.
    let (width, height) = reader(max_pixels.saturating_mul(4))?
        .into_dimensions()
        .map_err(|e| format!("not a PNG or JPEG image: {e}"))?;
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(format!(
            "image is {width}×{height}, over the limit of {max_pixels} pixels"
        ));
    }
    let luma = reader(max_pixels.saturating_mul(8))?
        .decode()
        .map_err(|e| format!("not a PNG or JPEG image: {e}"))?
        .to_luma8();
    let (width, height) = (luma.width() as usize, luma.height() as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        luma.get_pixel(x as u32, y as u32)[0]
    });
    Ok(prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, content)| content))
        .collect())
}

pub(crate) fn analyze_attachments(
    analyzer: &Analyzer,
    attachments: &[Attachment],
    scratch: &mut Scratch,
    facts: &mut Facts,
) {
    let config = analyzer.config();
    let mut decoded = 0;
    for (index, attachment) in attachments.iter().enumerate() {
        let Some(data) = attachment.base64.as_deref() else {
            continue;
        };
        if !(attachment.kind.is_empty() || attachment.kind == "image") {
            continue;
        }
        let warn = |facts: &mut Facts, message: String| {
            facts.warnings.push(Warning {
                attachment: Some(index),
                message,
            })
        };
        if decoded == config.max_attachments {
            warn(
                facts,
                format!(
                    "more than {} images in one message; this one is not decoded",
                    config.max_attachments
                ),
            );
            facts.truncated = true;
            continue;
        }
        decoded += 1;
        if data.len() / 4 * 3 > config.max_attachment_bytes {
            warn(
                facts,
                format!(
                    "attachment is over {} bytes; not decoded",
                    config.max_attachment_bytes
                ),
            );
            continue;
        }
        let bytes = match base64::engine::general_purpose::STANDARD.decode(data.trim()) {
            Ok(bytes) => bytes,
            Err(e) => {
                warn(facts, format!("attachment is not valid base64: {e}"));
                continue;
            }
        };
        match decode_payloads(&bytes, config.max_image_pixels) {
            Err(message) => warn(facts, message),
            Ok(payloads) => {
                for payload in payloads {
                    let found = analyzer.analyze_with(&payload, scratch);
                    facts.links.extend(found.links.into_iter().map(|mut l| {
                        l.attachment = Some(index);
                        l
                    }));
                    facts
                        .share_codes
                        .extend(found.share_codes.into_iter().map(|mut c| {
                            c.attachment = Some(index);
                            c
                        }));
                    facts.qr_codes.push(QrCode {
                        attachment: index,
                        payload,
                    });
                }
            }
        }
    }
    facts.cap(config.max_facts);
}
