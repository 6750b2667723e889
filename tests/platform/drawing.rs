//! The drawing every paper is recorded as (`platform::pdf::Drawing`): one drawing makes
//! the PDF and is what a printer is drawn from; it travels as JSON (server to desktop
//! client) and comes back the same; one that came from elsewhere is bounded before it is
//! drawn. PDFs read back with poppler.

use aftersales::platform::pdf::{
    Align, Area, Barcode, Drawing, Mark, Pdf, Qr, Style, TextBox, VAlign,
};
use chrono::TimeZone;

use crate::platform::pdf::{rasterise, samples, scan, squeezed, text};

/// A page of every kind of mark: text (bold, Extension B, a character no font has), a
/// text box, a line, an outline, a grey fill, a barcode, a QR code, an image, and a
/// preview's 预览 under it all; then a second page of another size.
fn every_mark() -> Drawing {
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap();
    let mut pdf = Pdf::new("服务维修单 FW2026000001", at);
    pdf.add_page(210.0, 297.0);
    pdf.text(
        20.0,
        30.0,
        Style::new(16.0).bold(),
        "服务维修单 FW2026000001",
    );
    pdf.text(20.0, 45.0, Style::new(11.0), "客户：王喆玥𠮷 \u{10FFFD}");
    pdf.text_box(
        Area::new(20.0, 50.0, 80.0, 20.0),
        TextBox::new(10.0)
            .valign(VAlign::Middle)
            .align(Align::Center),
        "燃气热水器不加热，显示 E1",
    );
    pdf.line((20.0, 75.0), (190.0, 75.0), 0.3);
    pdf.rect(Area::new(20.0, 80.0, 170.0, 30.0), 0.2);
    pdf.fill(Area::new(20.0, 115.0, 170.0, 8.0), 0.85);
    pdf.barcode(
        Area::new(20.0, 130.0, 60.0, 12.0),
        2.0,
        &Barcode::code128("FW2026000001").unwrap(),
    );
    pdf.qr(
        Area::new(100.0, 130.0, 30.0, 30.0),
        &Qr::new("FW2026000001").unwrap(),
    );
    let logo = crate::slips::png(
        40,
        20,
        |x, _| if x < 20 { [200, 30, 30] } else { [0, 0, 0] },
    );
    let image = pdf.add_image(&logo).unwrap();
    pdf.image(Area::new(150.0, 20.0, 40.0, 20.0), &image, Align::Right);
    pdf.watermark("预览", 0.85);
    pdf.add_page(80.0, 120.0);
    pdf.text(4.0, 10.0, Style::new(9.0), "热敏纸第二页");
    pdf.into_drawing()
}

#[test]
fn a_drawing_sent_as_json_comes_back_the_same_and_makes_the_same_pdf() {
    let drawing = every_mark();
    assert_eq!(drawing.unprintable, vec!['\u{10FFFD}']);
    let json = serde_json::to_string(&drawing).unwrap();
    let back: Drawing = serde_json::from_str(&json).unwrap();
    assert_eq!(back, drawing);
    // The same PDF (font names aside, which printpdf draws at random): the same pixels on
    // every page.
    let here = drawing.to_pdf().unwrap();
    let there = back.to_pdf().unwrap();
    let file = samples().join("drawing-every-mark.pdf");
    std::fs::write(&file, &here).unwrap();
    let file_there = samples().join("drawing-every-mark-from-json.pdf");
    std::fs::write(&file_there, &there).unwrap();
    let (a, b) = (rasterise(&file, 100), rasterise(&file_there, 100));
    assert_eq!(a.len(), 2);
    for (a, b) in a.iter().zip(&b) {
        assert!((a.w, a.h) == (b.w, b.h) && a.px == b.px, "pages differ");
    }
    let codes = scan(&file, 300);
    assert!(
        codes.contains(&"CODE-128:FW2026000001".to_string())
            && codes.contains(&"QR-Code:FW2026000001".to_string()),
        "{codes:?}"
    );
    // The logo's red half is on the page, where it was put.
    assert!(a[0].ink(170.0, 22.0, 20.0, 16.0) > 1000);
    let words = squeezed(&text(&file, Some(1)));
    for expected in [
        "服务维修单FW2026000001",
        "王喆玥𠮷",
        "U+10FFFD",
        "预览",
        "显示E1",
    ] {
        assert!(words.contains(expected), "{expected} in {words}");
    }
    assert!(text(&file, Some(2)).contains("热敏纸第二页"));
    // The image travels once, as base64 text, not as a list of numbers.
    assert_eq!(
        json.matches("\"bytes\":\"iVBORw0KGgo").count(),
        1,
        "{json:.300}"
    );
}

#[test]
fn a_drawing_from_elsewhere_is_checked_before_it_is_drawn() {
    let good = every_mark();
    good.check().unwrap();
    let refused = |change: &dyn Fn(&mut Drawing)| {
        let mut d = good.clone();
        change(&mut d);
        let e = d.to_pdf().expect_err("refused");
        assert_eq!(e.field(), Some("drawing"), "{e}");
        e.to_string()
    };
    let e = refused(&|d| d.pages[1].w = 0.0);
    assert!(e.contains("第 2 页的纸张大小不对"), "{e}");
    let e = refused(&|d| d.pages[0].h = f32::NAN);
    assert!(e.contains("第 1 页的纸张大小不对"), "{e}");
    let e = refused(&|d| {
        if let Some(Mark::Text(run)) = d.pages[0]
            .marks
            .iter_mut()
            .find(|m| matches!(m, Mark::Text(_)))
        {
            run.slot = 99;
        }
    });
    assert!(e.contains("第 1 页有无法绘制的内容"), "{e}");
    let e = refused(&|d| {
        d.pages[1].marks.push(Mark::Image {
            image: 5,
            area: Area::new(0.0, 0.0, 1.0, 1.0),
        })
    });
    assert!(e.contains("第 2 页有无法绘制的内容"), "{e}");
    let e = refused(&|d| {
        let page = d.pages[1].clone();
        d.pages = vec![page; aftersales::platform::pdf::drawing::MAX_PAGES + 1];
    });
    assert!(e.contains("最多 1000 页"), "{e}");
    let e = refused(&|d| d.images[0].bytes = b"not an image".to_vec());
    assert!(e.contains("图片无法读取"), "{e}");
}
