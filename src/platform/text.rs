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

/// A form's text field, trimmed, at most `max` characters as a clerk counts them; a
/// `required` one may not be empty. Errors name the field with its Chinese `label`.
pub(crate) fn field(
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
    required: bool,
) -> crate::Result<String> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(crate::Error::invalid(field, format!("请填写{label}")));
    }
    if char_len(v) > max {
        return Err(crate::Error::invalid(
            field,
            format!("{label}不能超过{max}个字"),
        ));
    }
    Ok(v.to_string())
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

    #[test]
    fn form_fields_are_trimmed_required_and_limited() {
        assert_eq!(field("note", "备注", "  好 ", 5, false).unwrap(), "好");
        assert_eq!(field("note", "备注", "", 5, false).unwrap(), "");
        let e = field("work_order", "工单号", " ", 40, true).unwrap_err();
        assert_eq!(
            (e.field(), e.to_string().as_str()),
            (Some("work_order"), "请填写工单号")
        );
        let e = field("bin", "库位", "一二三四五六", 5, false).unwrap_err();
        assert_eq!(e.to_string(), "库位不能超过5个字");
    }
}
