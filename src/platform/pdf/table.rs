//! A ruled table that runs over as many pages as it needs, its header repeated at the top
//! of each: the purchase request's lines now, a slip's parts and labour later. Cells wrap;
//! a row grows to its tallest cell and is never split across pages.

use super::document::{block_height, box_lines, Align, Area, Pdf, TextBox, VAlign};

/// Space between a cell's rule and its text, mm.
const PAD: f32 = 1.2;
const RULE: f32 = 0.2;
/// Header background: a light grey that copies well.
const HEADER_GREY: f32 = 0.88;

pub struct Column<'a> {
    pub title: &'a str,
    /// Width in mm.
    pub width: f32,
    pub align: Align,
    /// Numbers and codes: kept on one line, set smaller when too long, never wrapped.
    pub one_line: bool,
}

/// Smallest size a one-line cell shrinks to, points.
const ONE_LINE_MIN: f32 = 6.0;

/// Where and how a table is drawn.
pub struct Table<'a> {
    pub columns: &'a [Column<'a>],
    /// Font size of the cells, points.
    pub size: f32,
    /// Left edge, mm.
    pub x: f32,
    /// Rows stop above this line (mm from the top); the next row goes on a new page.
    pub bottom: f32,
    /// Where the table continues on a new page (mm from the top).
    pub continue_at: f32,
}

impl Table<'_> {
    fn width(&self) -> f32 {
        self.columns.iter().map(|c| c.width).sum()
    }

    /// Height of a row whose cells hold `cells`, at most `limit`.
    /// (A header cell is one line, like a number.)
    fn row_height(&self, cells: &[&str], limit: f32, header: bool) -> f32 {
        let lines = self
            .columns
            .iter()
            .zip(cells)
            .map(|(col, text)| {
                if col.one_line || header {
                    1
                } else {
                    box_lines(text, self.size, col.width - 2.0 * PAD, true).map_or(1, |l| l.len())
                }
            })
            .max()
            .unwrap_or(1);
        (block_height(lines, self.size) + 2.0 * PAD).min(limit)
    }
}

impl Pdf {
    /// Draws the header and `rows` from `y` down; starts new pages of the same size when
    /// the next row would pass `table.bottom`. Returns where the table ends on the last
    /// page, mm from the top.
    pub fn table(&mut self, table: &Table, y: f32, rows: &[Vec<String>]) -> f32 {
        let titles: Vec<&str> = table.columns.iter().map(|c| c.title).collect();
        let header_h = table.row_height(&titles, f32::MAX, true);
        // A row taller than a whole page is cut (with an ellipsis) rather than overflow.
        let tallest = table.bottom - table.continue_at - header_h;
        let mut rules = vec![y];
        let mut y = self.table_row(table, y, header_h, &titles, true);
        rules.push(y);
        for row in rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            let h = table.row_height(&cells, tallest, false);
            if y + h > table.bottom && rules.len() > 2 {
                self.table_rules(table, &rules);
                let (w, page_h) = self.page_size();
                self.add_page(w, page_h);
                rules = vec![table.continue_at];
                y = self.table_row(table, table.continue_at, header_h, &titles, true);
                rules.push(y);
            }
            y = self.table_row(table, y, h, &cells, false);
            rules.push(y);
        }
        self.table_rules(table, &rules);
        y
    }

    fn table_row(&mut self, table: &Table, y: f32, h: f32, cells: &[&str], header: bool) -> f32 {
        if header {
            self.fill(Area::new(table.x, y, table.width(), h), HEADER_GREY);
        }
        let mut x = table.x;
        for (col, text) in table.columns.iter().zip(cells) {
            let area = Area::new(x, y, col.width, h).inset(PAD, PAD);
            let mut how = TextBox::new(table.size)
                .align(if header { Align::Center } else { col.align })
                .valign(VAlign::Middle);
            if header {
                how = how.bold();
            }
            if header || col.one_line {
                how = how.shrink_to(ONE_LINE_MIN).max_lines(1);
            }
            self.text_box(area, how, text);
            x += col.width;
        }
        y + h
    }

    /// The grid of one page's part of the table: a rule under every row, the column
    /// edges from the header's top to the last row's bottom.
    fn table_rules(&mut self, table: &Table, rules: &[f32]) {
        let (Some(&top), Some(&bottom)) = (rules.first(), rules.last()) else {
            return;
        };
        let right = table.x + table.width();
        for &y in rules {
            self.line((table.x, y), (right, y), RULE);
        }
        let mut x = table.x;
        self.line((x, top), (x, bottom), RULE);
        for col in table.columns {
            x += col.width;
            self.line((x, top), (x, bottom), RULE);
        }
    }
}
