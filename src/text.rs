//! Text as the full-text index sees it. SQLite's `unicode61` tokenizer treats a run of
//! Chinese characters as one word, so we put a space around every CJK character: each
//! becomes a token and a fragment like 张伟 is the phrase "张 伟". Latin letters and digits
//! stay words (lower-cased), matched by prefix.

fn is_cjk(c: char) -> bool {
    // Everything that is a letter but not ASCII/Latin is treated one-char-per-token;
    // this covers CJK ideographs (incl. extension blocks) and full-width forms.
    c.is_alphabetic() && (c as u32) >= 0x2E80
}

/// The indexed form of a name or address.
pub(crate) fn index_form(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if is_cjk(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else {
            out.push(' ');
        }
    }
    out
}

/// An FTS5 phrase query for a fragment, or `None` when the fragment has no searchable
/// character. The last Latin word is matched as a prefix.
pub(crate) fn phrase_query(fragment: &str) -> Option<String> {
    let form = index_form(fragment);
    let tokens: Vec<&str> = form.split_whitespace().collect();
    let last = tokens.last()?;
    let prefix = !last.chars().any(is_cjk);
    // Tokens contain only letters and digits, so quoting them is safe.
    let mut q = format!("\"{}\"", tokens.join(" "));
    if prefix {
        q.push('*');
    }
    Some(q)
}

/// Number of characters, as a clerk counts them.
pub(crate) fn char_len(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_one_token_per_character() {
        assert_eq!(
            index_form("欧阳玥").split_whitespace().collect::<Vec<_>>(),
            ["欧", "阳", "玥"]
        );
        assert_eq!(phrase_query("张伟").as_deref(), Some("\"张 伟\""));
        assert_eq!(phrase_query("ABC科技").as_deref(), Some("\"abc 科 技\""));
        assert_eq!(phrase_query("Haier").as_deref(), Some("\"haier\"*"));
        assert_eq!(phrase_query(" \"* "), None);
    }
}
