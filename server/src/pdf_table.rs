//! A table as a printable PDF (the audit-log export): landscape A4 pages, a title and a header row on each,
//! page numbers, in Courier (one of the PDF base fonts, so nothing is embedded). Text is WinAnsi-encoded; a
//! character outside it prints as `?`, and a cell longer than its column is cut with `~`.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

const PAGE_W: f32 = 842.0;
const PAGE_H: f32 = 595.0;
const MARGIN: f32 = 28.0;
const SIZE: f32 = 7.0;
const LEADING: f32 = 9.5;
/// Courier's advance is 600/1000 em.
const CHAR_W: f32 = SIZE * 0.6;

/// A column: its heading and its width in characters.
pub struct Column {
    pub title: &'static str,
    pub width: usize,
}

/// WinAnsi bytes of `s`: Latin-1 maps to itself; anything else becomes `?`.
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c as u32 {
            0x20..=0x7e | 0xa0..=0xff => c as u32 as u8,
            0x2014 | 0x2013 => b'-',
            _ => b'?',
        })
        .collect()
}

fn fit(s: &str, width: usize) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= width {
        format!("{clean:width$}")
    } else {
        let cut: String = clean.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}~")
    }
}

fn line(columns: &[Column], cells: &[String]) -> String {
    columns
        .iter()
        .zip(cells)
        .map(|(c, v)| fit(v, c.width))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The PDF bytes of `rows` under `title` (and `subtitle`, e.g. the filter and the export time).
pub fn render(title: &str, subtitle: &str, columns: &[Column], rows: &[Vec<String>]) -> Vec<u8> {
    let per_page = ((PAGE_H - 2.0 * MARGIN - 3.0 * LEADING) / LEADING)
        .floor()
        .max(1.0) as usize;
    let chunks: Vec<&[Vec<String>]> = if rows.is_empty() {
        vec![&[]]
    } else {
        rows.chunks(per_page).collect()
    };
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    let bold = Ref::new(4);
    let page_ids: Vec<Ref> = (0..chunks.len())
        .map(|i| Ref::new(5 + 2 * i as i32))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(page_ids.len() as i32);
    pdf.type1_font(font)
        .base_font(Name(b"Courier"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Courier-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    let header = line(
        columns,
        &columns
            .iter()
            .map(|c| c.title.to_owned())
            .collect::<Vec<_>>(),
    );
    let total = chunks.len();
    for (i, chunk) in chunks.into_iter().enumerate() {
        let page_id = page_ids[i];
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(content_id);
        page.resources()
            .fonts()
            .pair(Name(b"F1"), font)
            .pair(Name(b"F2"), bold);
        page.finish();

        let mut c = Content::new();
        let mut y = PAGE_H - MARGIN;
        let text = |c: &mut Content, f: Name, size: f32, y: f32, s: &str| {
            c.begin_text();
            c.set_font(f, size);
            c.next_line(MARGIN, y);
            c.show(Str(&win_ansi(s)));
            c.end_text();
        };
        text(&mut c, Name(b"F2"), 11.0, y, title);
        let page_no = format!("page {} of {total}", i + 1);
        c.begin_text();
        c.set_font(Name(b"F1"), SIZE);
        c.next_line(PAGE_W - MARGIN - page_no.len() as f32 * CHAR_W, y);
        c.show(Str(&win_ansi(&page_no)));
        c.end_text();
        y -= LEADING * 1.4;
        text(&mut c, Name(b"F1"), SIZE, y, subtitle);
        y -= LEADING * 1.4;
        text(&mut c, Name(b"F2"), SIZE, y, &header);
        for row in chunk {
            y -= LEADING;
            text(&mut c, Name(b"F1"), SIZE, y, &line(columns, row));
        }
        pdf.stream(content_id, &c.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_padded_or_cut_and_text_is_win_ansi() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdefgh", 5), "abcd~");
        assert_eq!(fit("a\nb", 3), "a b");
        assert_eq!(win_ansi("Zoë — 日"), b"Zo\xeb - ?".to_vec());
    }

    #[test]
    fn a_long_table_spans_pages_with_a_header_on_each() {
        let columns = [
            Column {
                title: "when",
                width: 10,
            },
            Column {
                title: "what",
                width: 20,
            },
        ];
        let rows: Vec<Vec<String>> = (0..130)
            .map(|i| vec![format!("row {i}"), "customer.update".to_owned()])
            .collect();
        let pdf = render("Audit log", "all entries", &columns, &rows);
        let text = String::from_utf8_lossy(&pdf);
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(
            text.contains("/Count 3"),
            "130 rows at 53 a page are three pages"
        );
        assert_eq!(text.matches("(when       what").count(), 3);
        assert!(text.contains("(page 3 of 3)"));
        assert!(text.contains("row 129"));
        let empty = render("Audit log", "nothing", &columns, &[]);
        assert!(String::from_utf8_lossy(&empty).contains("/Count 1"));
    }
}
