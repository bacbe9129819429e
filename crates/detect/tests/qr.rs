//! QR codes in attachments: generated here with the `qrcode` crate, decoded by menshen.

use base64::Engine as _;
use menshen_detect::{Analyzer, Attachment, Scratch};

fn png_with_qr(payload: &str) -> String {
    let code = qrcode::QrCode::new(payload.as_bytes()).expect("encodable");
    let image = code
        .render::<image::Luma<u8>>()
        .quiet_zone(true)
        .module_dimensions(6, 6)
        .build();
    let mut bytes = Vec::new();
    image::DynamicImage::ImageLuma8(image)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("png");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn image(base64: String) -> Attachment {
    Attachment {
        kind: "image".into(),
        base64: Some(base64),
    }
}

#[test]
fn qr_payload_runs_through_link_and_share_code_detection() {
    let analyzer = Analyzer::embedded();
    let payload = "【淘宝】https://m.tb.cn/h.Zk3mPq9?tk=Rt5Uv7Wx9Yz 点击链接直接打开";
    let facts = analyzer.analyze_message(
        "扫码看看",
        &[image(png_with_qr(payload))],
        &mut Scratch::default(),
    );
    assert_eq!(facts.qr_codes.len(), 1);
    assert_eq!(facts.qr_codes[0].payload, payload);
    let link = &facts.links[0];
    assert_eq!(
        (link.platform.as_deref(), link.attachment),
        (Some("taobao"), Some(0))
    );
    assert_eq!(
        &payload[link.span.start..link.span.end],
        "https://m.tb.cn/h.Zk3mPq9?tk=Rt5Uv7Wx9Yz"
    );
    let code = &facts.share_codes[0];
    assert_eq!(
        (code.platform.as_str(), code.token.as_str(), code.attachment),
        ("taobao", "Rt5Uv7Wx9Yz", Some(0))
    );
    assert!(facts.warnings.is_empty());
}

#[test]
fn broken_attachments_become_warnings_and_the_text_is_still_analyzed() {
    let analyzer = Analyzer::embedded();
    let attachments = [
        image("not base64!!".into()),
        image(base64::engine::general_purpose::STANDARD.encode(b"GIF89a not really")),
        image(png_with_qr("hello")),
    ];
    let facts =
        analyzer.analyze_message("加微信 abc_123456", &attachments, &mut Scratch::default());
    assert_eq!(facts.contacts.len(), 1);
    assert_eq!(facts.warnings.len(), 2, "{:?}", facts.warnings);
    assert!(facts.warnings[0].message.contains("base64"));
    assert_eq!(facts.warnings[1].attachment, Some(1));
    assert_eq!(facts.qr_codes.len(), 1, "the good image is still decoded");
    assert!(facts.links.is_empty());
}

#[test]
fn oversized_images_are_refused_before_decoding() {
    let config = menshen_detect::AnalyzerConfig {
        max_image_pixels: 1000,
        ..Default::default()
    };
    let analyzer = Analyzer::new(
        menshen_detect::registry::Registry::embedded(),
        menshen_detect::lexicon::Lexicon::embedded(),
        config,
    )
    .unwrap();
    let facts = analyzer.analyze_message(
        "",
        &[image(png_with_qr("https://example.com"))],
        &mut Scratch::default(),
    );
    assert!(facts.qr_codes.is_empty());
    assert!(
        facts.warnings[0].message.contains("over the limit"),
        "{:?}",
        facts.warnings
    );
}

#[test]
fn at_most_four_images_are_decoded_per_message() {
    let analyzer = Analyzer::embedded();
    let attachments: Vec<Attachment> = (0..6)
        .map(|i| image(png_with_qr(&format!("https://example{i}.com/x"))))
        .collect();
    let facts = analyzer.analyze_message("看图", &attachments, &mut Scratch::default());
    assert_eq!(facts.qr_codes.len(), 4, "{:?}", facts.qr_codes);
    assert!(facts.truncated);
    let skipped: Vec<Option<usize>> = facts.warnings.iter().map(|w| w.attachment).collect();
    assert_eq!(skipped, [Some(4), Some(5)], "{:?}", facts.warnings);
}
