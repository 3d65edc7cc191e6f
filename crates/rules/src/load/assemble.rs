//! Second pass across all files: lists, then rules with their conditions type-checked
//! against the vocabulary and the lists, duplicate ids, header and bands, unused lists.

use std::ops::Range;

use crate::condition::compile::{self, Checked};
use crate::condition::syntax;
use crate::diagnostic::{DiagCode, Sink, suggest};
use crate::facts::{FactId, VOCABULARY};
use crate::list::{ListKind, RefList};
use crate::load::read::Collected;
use crate::load::reader::Str;
use crate::rule::{Rule, RuleKind, WeightFrom};
use crate::ruleset::{Bands, RuleSet};
use crate::template::Template;

/// Parses and checks one condition string, reporting problems at their file position.
fn check_condition(
    sink: &mut Sink<'_>,
    rule: &str,
    text: &Str,
    lists: &[RefList],
) -> Option<Checked> {
    match syntax::parse(&text.value) {
        Err(e) => {
            sink.error(DiagCode::ConditionSyntax, &text.at(e.offset), Some(rule), e.message);
            None
        }
        Ok(ast) => {
            let checked = compile::check(&ast, lists);
            for e in &checked.errors {
                sink.error(e.code, &text.at(e.span.start), Some(rule), e.message.clone());
            }
            Some(checked)
        }
    }
}

fn check_template(sink: &mut Sink<'_>, rule: &str, text: &Str) -> Option<Template> {
    match Template::parse(&text.value) {
        Ok(t) => Some(t),
        Err(errors) => {
            for e in errors {
                sink.error(DiagCode::BadTemplate, &text.at(e.offset), Some(rule), e.message);
            }
            None
        }
    }
}

pub(super) fn compile_all(sinks: &mut [Sink<'_>], c: Collected) -> Option<RuleSet> {
    // Header and bands: exactly one of each.
    let header = one_of(sinks, c.headers, "[rule_set]", |h| (h.file, h.span.clone()));
    let bands = one_of(sinks, c.bands, "[bands]", |b| (b.file, b.span.clone()));
    if let Some(b) = &bands
        && !(0 < b.medium && b.medium < b.high)
    {
        sinks[b.file].error(
            DiagCode::Bands,
            &b.span,
            None,
            format!(
                "bands must satisfy 0 < medium < high (got medium = {}, high = {})",
                b.medium, b.high
            ),
        );
    }

    // Lists: names unique across files.
    let mut lists: Vec<RefList> = Vec::new();
    let mut list_origin: Vec<(usize, Range<usize>)> = Vec::new();
    for raw in c.lists {
        if let Some(i) = lists.iter().position(|l| l.name == raw.name) {
            let (f, s) = &list_origin[i];
            let (first_line, _) = sinks[*f].position(s.start);
            let first_file = sinks[*f].file.to_owned();
            sinks[raw.file].error(
                DiagCode::DuplicateList,
                &raw.name_span,
                Some(&format!("list {}", raw.name)),
                format!("list `{}` is already defined at {first_file}:{first_line}", raw.name),
            );
            continue;
        }
        lists.push(raw.list);
        list_origin.push((raw.file, raw.name_span));
    }
    let mut used_lists = vec![false; lists.len()];

    // Rules.
    let mut rules: Vec<Rule> = Vec::new();
    let mut seen: Vec<(String, usize, Range<usize>)> = Vec::new();
    let mut ok = true;
    for raw in c.rules {
        let first = seen.iter().find(|(id, _, _)| *id == raw.id && id != "?").map(|(_, f, s)| {
            let (line, _) = sinks[*f].position(s.start);
            format!("{}:{line}", sinks[*f].file)
        });
        let sink = &mut sinks[raw.file];
        let ctx = format!("rule {}", raw.id);
        if let Some(first) = first {
            sink.error(
                DiagCode::DuplicateRule,
                &raw.id_span,
                Some(&ctx),
                format!("duplicate rule id `{}` (first defined at {first})", raw.id),
            );
            ok = false;
        }
        seen.push((raw.id.clone(), raw.file, raw.id_span.clone()));

        let condition = raw.condition.as_ref().and_then(|t| check_condition(sink, &ctx, t, &lists));
        let applies = raw.applies_when.as_ref().map(|t| check_condition(sink, &ctx, t, &lists));
        let explain_id = raw.explain_id.as_ref().and_then(|t| check_template(sink, &ctx, t));
        let explain_en = raw.explain_en.as_ref().and_then(|t| check_template(sink, &ctx, t));

        // Weight rules by kind.
        let kind = raw.kind;
        match (kind, &raw.weight) {
            (Some(RuleKind::HardCheck), Some((w, span))) if *w != 0 => {
                sink.error(
                    DiagCode::BadValue,
                    span,
                    Some(&ctx),
                    "a hard_check is not scored: remove `weight` (or set it to 0)",
                );
                ok = false;
            }
            (Some(k), None) if k.is_scored() => {
                sink.error(DiagCode::MissingKey, &raw.span, Some(&ctx), "missing key `weight`");
                ok = false;
            }
            _ => {}
        }
        let mut facts: Vec<FactId> = Vec::new();
        let weight_from = match &raw.weight_from {
            None => None,
            Some((list, keys, span)) => {
                if kind == Some(RuleKind::HardCheck) {
                    sink.error(
                        DiagCode::BadValue,
                        span,
                        Some(&ctx),
                        "a hard_check is not scored: remove `weight_from`",
                    );
                }
                let index = lists.iter().position(|l| l.name == list.value);
                let mut key_ids = Vec::new();
                match index {
                    None => {
                        let hint = suggest(&list.value, lists.iter().map(|l| l.name.as_str()));
                        sink.error(
                            DiagCode::UnknownList,
                            &list.span,
                            Some(&ctx),
                            format!("unknown list `{}`{hint}", list.value),
                        );
                    }
                    Some(i) => {
                        used_lists[i] = true;
                        if lists[i].kind == ListKind::Requirements {
                            sink.error(
                                DiagCode::TypeMismatch,
                                &list.span,
                                Some(&ctx),
                                format!("list `{}` holds requirements, not weights", list.value),
                            );
                        }
                    }
                }
                for key in keys {
                    match FactId::from_name(&key.value) {
                        None => sink.error(
                            DiagCode::UnknownFact,
                            &key.span,
                            Some(&ctx),
                            format!(
                                "unknown fact `{}`{}",
                                key.value,
                                suggest(&key.value, VOCABULARY.iter().map(|d| d.name))
                            ),
                        ),
                        Some(id) => {
                            if let Some(i) = index
                                && !lists[i].kind.accepts(id.def().ty)
                            {
                                sink.error(
                                    DiagCode::TypeMismatch,
                                    &key.span,
                                    Some(&ctx),
                                    format!(
                                        "list `{}` holds {}; `{}` is {}",
                                        list.value,
                                        lists[i].kind.name(),
                                        id.name(),
                                        id.def().ty.name()
                                    ),
                                );
                            }
                            key_ids.push(id);
                            facts.push(id);
                        }
                    }
                }
                if keys.is_empty() {
                    sink.error(
                        DiagCode::MissingKey,
                        span,
                        Some(&ctx),
                        "`weight_from.keys` is empty",
                    );
                }
                index.map(|i| WeightFrom { list: list.value.clone(), list_index: i, keys: key_ids })
            }
        };

        let (Some(kind), Some(confidence), Some(Some(expr)), Some(explain_id), Some(explain_en)) = (
            kind,
            raw.confidence,
            condition.as_ref().map(|c| c.expr.clone()),
            explain_id,
            explain_en,
        ) else {
            ok = false;
            continue;
        };
        let applies_expr = match &applies {
            None => None,
            Some(Some(Checked { expr: Some(e), .. })) => Some(e.clone()),
            Some(_) => {
                ok = false;
                continue;
            }
        };
        // Facts read by the rule: applies_when, condition, weight keys, templates.
        let mut all_facts: Vec<FactId> = Vec::new();
        let mut add = |ids: &[FactId]| {
            for id in ids {
                if !all_facts.contains(id) {
                    all_facts.push(*id);
                }
            }
        };
        if let Some(Some(a)) = &applies {
            add(&a.facts);
        }
        if let Some(c) = &condition {
            add(&c.facts);
        }
        add(&facts);
        for checked in
            [condition.as_ref(), applies.as_ref().and_then(Option::as_ref)].into_iter().flatten()
        {
            for &i in &checked.lists {
                used_lists[i] = true;
            }
        }
        if raw.validity.from.is_some_and(|f| raw.validity.to.is_some_and(|t| t < f)) {
            ok = false;
        }
        rules.push(Rule {
            shared_id: raw.id.as_str().into(),
            id: raw.id,
            kind,
            title_id: raw.title_id,
            title_en: raw.title_en,
            legal_basis: raw.legal_basis,
            sources: raw.sources,
            confidence,
            validity: raw.validity,
            weight: raw.weight.map_or(0, |w| w.0),
            weight_from,
            condition: raw.condition.map(|s| s.value).unwrap_or_default(),
            applies_when: raw.applies_when.map(|s| s.value),
            explain_id,
            explain_en,
            facts: all_facts,
            expr,
            applies: applies_expr,
        });
    }
    for (i, used) in used_lists.iter().enumerate() {
        if !used {
            let (f, s) = &list_origin[i];
            sinks[*f].warning(
                DiagCode::Suspicious,
                s,
                Some(&format!("list {}", lists[i].name)),
                format!("list `{}` is not used by any rule", lists[i].name),
            );
        }
    }
    if rules.is_empty() && ok {
        if let Some(s) = sinks.first_mut() {
            s.error(DiagCode::MissingKey, &(0..0), None, "the rule set has no `[[rule]]`");
        }
        ok = false;
    }
    let (header, bands) = (header?, bands?);
    ok.then(|| {
        RuleSet::new(header.info, Bands { medium: bands.medium, high: bands.high }, rules, lists)
    })
}

/// Exactly one of `items` (the `[rule_set]` or `[bands]` section); reports none or several.
fn one_of<T>(
    sinks: &mut [Sink<'_>],
    mut items: Vec<T>,
    what: &str,
    at: impl Fn(&T) -> (usize, Range<usize>),
) -> Option<T> {
    if items.is_empty() {
        if let Some(s) = sinks.first_mut() {
            s.error(
                DiagCode::RuleSetHeader,
                &(0..0),
                None,
                format!("no {what} section in the rule set"),
            );
        }
        return None;
    }
    for extra in &items[1..] {
        let (f, span) = at(extra);
        sinks[f].error(
            DiagCode::RuleSetHeader,
            &span,
            None,
            format!("{what} given more than once"),
        );
    }
    if items.len() > 1 {
        return None;
    }
    items.pop()
}
