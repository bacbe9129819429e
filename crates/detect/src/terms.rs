//! Lexicon terms: marketing, counterfeit, fraud, gambling and adult vocabulary.
//!
//! **What it catches:** every lexicon entry, through the key channel's folding: 高仿 also as
//! 高*仿 or 髙仿, 誠招代理 as 诚招代理, `daifa` where the entry asks for pinyin.
//!
//! **Why:** word lists are the backbone of Chinese platforms' filters; their weakness is
//! disguise and innocent phrases that contain a listed word.
//!
//! **How:** hits come from the shared automaton. A term inside an exception phrase (原单 in
//! 原单位) is dropped, and so is a term inside a longer term of the same category (高仿 in
//! 高仿包), so each stretch of text is reported once, by its most specific entry. Both
//! checks are sweeps over hits sorted by position, linear in the number of hits. A term in
//! reach of a context cue that excuses it (a warning, a negation, money talk) carries the
//! context's name; see [`crate::context`].

use crate::{Context, Term, context::Reach, matcher::Word};

pub(crate) fn find(cx: &Context<'_>) -> Vec<Term> {
    let mut exceptions: Vec<(u32, u32)> = cx
        .hits
        .iter()
        .filter(|h| h.word == Word::Exception)
        .map(|h| (h.key_start, h.key_end))
        .collect();
    exceptions.sort_unstable();
    let mut found: Vec<(u32, u32, u32, &crate::matcher::Hit)> = cx
        .hits
        .iter()
        .filter_map(|h| match h.word {
            Word::Term(index) => Some((h.key_start, h.key_end, index, h)),
            _ => None,
        })
        .collect();
    // By start, longest first, so that an enclosing hit is seen before the hits inside it.
    found.sort_unstable_by_key(|&(start, end, index, _)| (start, std::cmp::Reverse(end), index));

    let cues = cx.hits.iter().filter_map(|h| match h.word {
        Word::Cue(rule) => Some((h.key_start, rule)),
        _ => None,
    });
    let contexts = &cx.lexicon.contexts;
    let reach = (!contexts.is_empty()).then(|| Reach::new(cx.norm.key(), contexts, cues));
    let mut terms = Vec::new();
    let mut next_exception = 0;
    let mut exception_reach = 0;
    let mut reach_by_category: Vec<(&str, u32)> = Vec::new();
    for (start, end, index, hit) in found {
        while next_exception < exceptions.len() && exceptions[next_exception].0 <= start {
            exception_reach = exception_reach.max(exceptions[next_exception].1);
            next_exception += 1;
        }
        if exception_reach >= end {
            continue;
        }
        let entry = &cx.lexicon.terms[index as usize];
        match reach_by_category
            .iter_mut()
            .find(|(category, _)| *category == entry.category)
        {
            Some((_, reach)) if *reach >= end => continue,
            Some((_, reach)) => *reach = end,
            None => reach_by_category.push((&entry.category, end)),
        }
        let context = reach
            .as_ref()
            .and_then(|reach| reach.cancelling(contexts, start, &entry.category, entry.weight));
        terms.push(Term {
            term: entry.term.clone(),
            category: entry.category.clone(),
            span: hit.at.span,
            disguised: hit.pinyin
                || hit.at.disguised
                || cx.norm.is_folded(cx.original, hit.at.text),
            weight: entry.weight,
            context: context.map(|rule| rule.name.clone()),
        });
    }
    terms.sort_by_key(|t| (t.span.start, t.span.end));
    terms
}
