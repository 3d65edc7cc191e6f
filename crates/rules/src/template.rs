//! One-line explanation templates: text with `{fact_name}` placeholders, filled from the
//! application's facts when a rule fires. `{{` and `}}` stand for literal braces. An unknown fact
//! renders as `?`.

use crate::diagnostic::suggest;
use crate::facts::{FactId, Facts, VOCABULARY};

/// A parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Fact(FactId),
}

/// A template problem at a byte offset of the template text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    /// Byte offset into the template text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl Template {
    /// Parses a template, checking every placeholder against the vocabulary.
    pub fn parse(source: &str) -> Result<Template, Vec<TemplateError>> {
        let mut parts = Vec::new();
        let mut errors = Vec::new();
        let mut text = String::new();
        let mut chars = source.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek().map(|(_, c)| *c) == Some('}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let rest = &source[i + 1..];
                    let Some(len) = rest.find('}') else {
                        errors.push(TemplateError { offset: i, message: "unclosed `{`".into() });
                        break;
                    };
                    let name = rest[..len].trim();
                    for _ in 0..=len {
                        chars.next();
                    }
                    match FactId::from_name(name) {
                        Some(id) => {
                            if !text.is_empty() {
                                parts.push(Part::Text(std::mem::take(&mut text)));
                            }
                            parts.push(Part::Fact(id));
                        }
                        None => errors.push(TemplateError {
                            offset: i,
                            message: format!(
                                "unknown fact `{{{name}}}` in template{}",
                                suggest(name, VOCABULARY.iter().map(|d| d.name))
                            ),
                        }),
                    }
                }
                '}' => errors.push(TemplateError {
                    offset: i,
                    message: "unmatched `}` (write `}}` for a brace)".into(),
                }),
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        if source.trim().is_empty() {
            errors.push(TemplateError { offset: 0, message: "empty explanation".into() });
        }
        if errors.is_empty() {
            Ok(Template { source: source.to_owned(), parts })
        } else {
            Err(errors)
        }
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Fills the placeholders.
    pub fn render(&self, facts: &Facts) -> String {
        let mut out = String::with_capacity(self.source.len() + 16);
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Fact(id) => match facts.render(*id) {
                    Some(v) => out.push_str(&v),
                    None => out.push('?'),
                },
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknowns_shown_as_question_marks() {
        let t = Template::parse("Tujuan {destination_country}, usia {age} {{x}}").unwrap();
        let mut facts = Facts::new();
        facts.set("destination_country", "my").unwrap();
        assert_eq!(t.render(&facts), "Tujuan MY, usia ? {x}");
    }

    #[test]
    fn bad_templates_list_every_problem() {
        let errs = Template::parse("{agee} and {purpose} and {oops").unwrap_err();
        assert_eq!(errs.len(), 2);
        assert!(errs[0].message.contains("did you mean `age`"));
        assert_eq!(errs[1].message, "unclosed `{`");
        assert!(Template::parse(" ").is_err());
        assert!(Template::parse("a } b").is_err());
    }
}
