//! 法律依据: the legal bases of several check items merged for one document.
//!
//! Each item of a list cites its own basis (检查依据), typically
//! `《中华人民共和国大气污染防治法》第二十条、第四十八条；《中华人民共和国环境保护法》第四十二条`.
//! A document covering several items names each law once, with the union of
//! the articles its items cite in article order — not the same law five
//! times, as joining the items' texts would.

/// One law or regulation and the articles cited from it.
#[derive(Debug)]
struct Citation<'a> {
    /// `《…》` with any trailing designation such as `（GB 18597—2023）`.
    title: &'a str,
    articles: Vec<&'a str>,
}

/// The bases merged: each law once, in order of first mention, its articles
/// (`第…条`, with any `第…款`) each once in article order; separated by `；`.
/// A text that is not a `《…》` citation is kept whole, once.
pub fn merged(bases: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let mut citations: Vec<Citation> = Vec::new();
    let texts: Vec<String> = bases.into_iter().map(|b| b.as_ref().to_string()).collect();
    for text in &texts {
        for piece in text
            .split(['；', ';', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let piece = piece.trim_end_matches(['。', '，', ',']);
            let (title, rest) = split_title(piece);
            let at = match citations.iter().position(|c| c.title == title) {
                Some(i) => i,
                None => {
                    citations.push(Citation {
                        title,
                        articles: Vec::new(),
                    });
                    citations.len() - 1
                }
            };
            for article in rest
                .split(['、', '，', ','])
                .map(str::trim)
                .filter(|a| !a.is_empty())
            {
                if !citations[at].articles.contains(&article) {
                    citations[at].articles.push(article);
                }
            }
        }
    }
    citations
        .into_iter()
        .map(|mut c| {
            // Stable: articles whose number cannot be read keep their place
            // after those that can.
            c.articles
                .sort_by_key(|a| article_number(a).unwrap_or(u32::MAX));
            format!("{}{}", c.title, c.articles.join("、"))
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// The names of the laws alone, each once (根据____（法律依据名称） of the
/// 通知书): `《大气法》《条例》`. A text that is not a `《…》` citation is
/// kept whole, after a `、`.
pub fn titles(bases: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let merged = merged(bases);
    let mut out = String::new();
    for piece in merged.split('；').filter(|p| !p.is_empty()) {
        let (title, _) = split_title(piece);
        if !out.is_empty() && !title.starts_with('《') {
            out.push('、');
        }
        out.push_str(title);
    }
    out
}

/// `《法》（GB 1—2）第三条` → (`《法》（GB 1—2）`, `第三条`). A piece without a
/// `《…》` title is its own title.
fn split_title(piece: &str) -> (&str, &str) {
    if !piece.starts_with('《') {
        return (piece, "");
    }
    let Some(close) = piece.find('》') else {
        return (piece, "");
    };
    let mut end = close + '》'.len_utf8();
    // A designation right after the title belongs to it: （GB 18597—2023）.
    let after = &piece[end..];
    if after.starts_with('（') {
        if let Some(p) = after.find('）') {
            end += p + '）'.len_utf8();
        }
    }
    (&piece[..end], &piece[end..])
}

/// 第四十八条 → 48 (the article; a 款 after it does not count).
fn article_number(article: &str) -> Option<u32> {
    let digits = article.strip_prefix('第')?;
    let end = digits.find('条')?;
    chinese_number(&digits[..end])
}

/// 一 … 九千九百九十九 (and Arabic digits) as a number.
fn chinese_number(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    let digit = |c: char| "零一二三四五六七八九".chars().position(|d| d == c);
    let mut total = 0u32;
    let mut pending: Option<u32> = None;
    for c in s.chars() {
        if let Some(d) = digit(c) {
            pending = Some(d as u32);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        // 十 alone is ten (十九 = 19).
        total += pending.take().unwrap_or(1) * unit;
    }
    Some(total + pending.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_law_is_named_once_with_its_articles_in_order() {
        let bases = [
            "《中华人民共和国大气污染防治法》第十九条、第二十九条；《排污许可管理条例》第十七条、第二十六条",
            "《中华人民共和国大气污染防治法》第二十条、第四十八条；《中华人民共和国环境保护法》第四十二条",
            "《中华人民共和国大气污染防治法》第二十四条；《排污许可管理条例》第十九条；《污染源自动监控设施现场监督检查办法》",
            "《中华人民共和国大气污染防治法》第四十八条",
        ];
        assert_eq!(
            merged(bases),
            "《中华人民共和国大气污染防治法》第十九条、第二十条、第二十四条、第二十九条、第四十八条；\
             《排污许可管理条例》第十七条、第十九条、第二十六条；\
             《中华人民共和国环境保护法》第四十二条；\
             《污染源自动监控设施现场监督检查办法》"
        );
    }

    #[test]
    fn repeated_texts_blanks_and_designations() {
        assert_eq!(
            merged([
                "《大气法》第十九条",
                " ",
                "《条例》第二条。",
                "《大气法》第十九条"
            ]),
            "《大气法》第十九条；《条例》第二条"
        );
        assert_eq!(
            merged([
                "《危险废物贮存污染控制标准》（GB 18597—2023）",
                "《危险废物贮存污染控制标准》（GB 18597—2023）"
            ]),
            "《危险废物贮存污染控制标准》（GB 18597—2023）"
        );
        // A bare mention of a law adds no article to one cited by article.
        assert_eq!(
            merged(["《地下水管理条例》", "《地下水管理条例》第三十条第一款"]),
            "《地下水管理条例》第三十条第一款"
        );
        assert_eq!(merged(["国家有关规定", "国家有关规定"]), "国家有关规定");
        assert_eq!(merged(Vec::<String>::new()), "");
    }

    #[test]
    fn the_notice_names_the_laws_alone() {
        assert_eq!(
            titles([
                "《大气法》第十九条；《条例》第二条",
                "《大气法》第二十条",
                "《标准》（GB 1—2）"
            ]),
            "《大气法》《条例》《标准》（GB 1—2）"
        );
        assert_eq!(
            titles(["《法》第一条", "国家有关规定"]),
            "《法》、国家有关规定"
        );
    }

    #[test]
    fn article_numbers_read_as_numbers() {
        assert_eq!(chinese_number("十"), Some(10));
        assert_eq!(chinese_number("十九"), Some(19));
        assert_eq!(chinese_number("二十四"), Some(24));
        assert_eq!(chinese_number("一百零五"), Some(105));
        assert_eq!(chinese_number("一千二百"), Some(1200));
        assert_eq!(chinese_number("12"), Some(12));
        assert_eq!(chinese_number("第"), None);
        assert_eq!(article_number("第九十六条"), Some(96));
        assert_eq!(article_number("附则"), None);
    }
}
