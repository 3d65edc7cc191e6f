//! Lexer and parser of the condition language (hand-written, recursive descent).
//!
//! ```text
//! expr      := and_expr ("or" and_expr)*
//! and_expr  := not_expr ("and" not_expr)*
//! not_expr  := "not" not_expr | "(" expr ")" | predicate
//! predicate := atom [ cmp_op atom
//!                   | ["not"] "in" set
//!                   | "between" atom "and" atom
//!                   | "contains" atom
//!                   | "is" ("known" | "unknown") ]
//! atom      := fact_name | integer | string | "true" | "false" | name "(" atom ("," atom)* ")"
//! set       := "[" atom ("," atom)* "]" | "list" "(" string ")" | fact_name
//! cmp_op    := "==" | "!=" | "<" | "<=" | ">" | ">="
//! ```
//!
//! Strings are written in double or single quotes, without escapes. Offsets in the AST and in
//! errors are byte offsets into the condition text.

use std::ops::Range;

/// Deepest nesting of parentheses and `not` accepted.
const MAX_DEPTH: usize = 48;

/// A syntax error at a byte offset of the condition text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset into the condition text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Int(i64),
    Str(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Op(CmpOp),
    Eof,
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// An operand: a fact name, a literal or a function call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Atom {
    /// What it is.
    pub kind: AtomKind,
    /// Where it is.
    pub span: Range<usize>,
}

/// The kinds of operand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AtomKind {
    /// A fact name.
    Ident(String),
    /// An integer literal.
    Int(i64),
    /// A string literal.
    Str(String),
    /// `true` or `false`.
    Bool(bool),
    /// A function call such as `missing("purpose_documents", purpose, documents_supplied)`.
    Call {
        /// Function name.
        name: String,
        /// Arguments.
        args: Vec<Atom>,
    },
}

/// The right-hand side of `in`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetExpr {
    /// `["a", "b"]`
    Literal(Vec<Atom>, Range<usize>),
    /// `list("name")`
    List(String, Range<usize>),
    /// A set-typed fact.
    Fact(Atom),
}

/// The parsed, untyped condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ast {
    /// `a or b or ...`
    Or(Vec<Ast>),
    /// `a and b and ...`
    And(Vec<Ast>),
    /// `not a`
    Not(Box<Ast>),
    /// A bare boolean operand (`active_bar`, `true`).
    Atom(Atom),
    /// `a < b`
    Compare {
        /// Operator.
        op: CmpOp,
        /// Left operand.
        lhs: Atom,
        /// Right operand.
        rhs: Atom,
    },
    /// `a between lo and hi` (inclusive).
    Between {
        /// Tested value.
        value: Atom,
        /// Lower bound.
        low: Atom,
        /// Upper bound.
        high: Atom,
    },
    /// `a in set`, `a not in set`.
    In {
        /// Tested value.
        value: Atom,
        /// The set.
        set: SetExpr,
        /// `not in`.
        negated: bool,
    },
    /// `set_fact contains "code"`.
    Contains {
        /// The set-typed fact.
        set: Atom,
        /// The code looked for.
        item: Atom,
    },
    /// `a is known`, `a is unknown`.
    IsKnown {
        /// The operand.
        atom: Atom,
        /// `known` (true) or `unknown` (false).
        known: bool,
    },
}

const KEYWORDS: &[&str] =
    &["and", "or", "not", "in", "between", "is", "known", "unknown", "true", "false", "contains"];

fn lex(text: &str) -> Result<Vec<(Tok, Range<usize>)>, SyntaxError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |offset: usize, message: String| Err(SyntaxError { offset, message });
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'(' | b')' | b'[' | b']' | b',' => {
                i += 1;
                let tok = match c {
                    b'(' => Tok::LParen,
                    b')' => Tok::RParen,
                    b'[' => Tok::LBracket,
                    b']' => Tok::RBracket,
                    _ => Tok::Comma,
                };
                out.push((tok, start..i));
                continue;
            }
            b'=' | b'!' | b'<' | b'>' => {
                let next = bytes.get(i + 1).copied();
                let (op, len) = match (c, next) {
                    (b'=', Some(b'=')) => (CmpOp::Eq, 2),
                    (b'!', Some(b'=')) => (CmpOp::Ne, 2),
                    (b'<', Some(b'=')) => (CmpOp::Le, 2),
                    (b'>', Some(b'=')) => (CmpOp::Ge, 2),
                    (b'<', _) => (CmpOp::Lt, 1),
                    (b'>', _) => (CmpOp::Gt, 1),
                    (b'=', _) => return err(start, "`=` is not an operator; use `==`".into()),
                    _ => return err(start, "`!` is not an operator; use `not` or `!=`".into()),
                };
                i += len;
                out.push((Tok::Op(op), start..i));
                continue;
            }
            b'&' => return err(start, "`&` is not an operator; use `and`".into()),
            b'|' => return err(start, "`|` is not an operator; use `or`".into()),
            b'"' | b'\'' => {
                let close = text[i + 1..].find(c as char);
                let Some(len) = close else {
                    return err(start, "unterminated string".into());
                };
                let content = &text[i + 1..i + 1 + len];
                i += len + 2;
                out.push((Tok::Str(content.to_owned()), start..i));
                continue;
            }
            b'-' | b'0'..=b'9' => {
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_') {
                    i += 1;
                }
                let literal: String = text[start..i].chars().filter(|c| *c != '_').collect();
                match literal.parse::<i64>() {
                    Ok(n) => out.push((Tok::Int(n), start..i)),
                    Err(_) => {
                        return err(start, format!("`{}` is not an integer", &text[start..i]));
                    }
                }
                continue;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push((Tok::Ident(text[start..i].to_owned()), start..i));
                continue;
            }
            _ => {
                let ch = text[start..].chars().next().unwrap_or('?');
                return err(start, format!("unexpected character `{ch}`"));
            }
        }
    }
    out.push((Tok::Eof, text.len()..text.len()));
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, Range<usize>)>,
    pos: usize,
    depth: usize,
}

/// Parses a condition.
pub fn parse(text: &str) -> Result<Ast, SyntaxError> {
    let toks = lex(text)?;
    let mut p = Parser { toks, pos: 0, depth: 0 };
    if p.peek() == &Tok::Eof {
        return Err(SyntaxError { offset: 0, message: "empty condition".into() });
    }
    let ast = p.expr()?;
    match p.peek() {
        Tok::Eof => Ok(ast),
        Tok::RParen => Err(p.error("unbalanced `)`")),
        _ => Err(p.error(&format!("expected `and`, `or` or the end, found {}", p.describe()))),
    }
}

fn describe_tok(tok: &Tok) -> String {
    match tok {
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Int(n) => format!("`{n}`"),
        Tok::Str(s) => format!("\"{s}\""),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Op(op) => format!("`{}`", op.symbol()),
        Tok::Eof => "the end of the condition".into(),
    }
}

fn is_kw(tok: &Tok, kw: &str) -> bool {
    matches!(tok, Tok::Ident(s) if s == kw)
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)].0
    }

    fn peek_at(&self, n: usize) -> &Tok {
        &self.toks[(self.pos + n).min(self.toks.len() - 1)].0
    }

    fn span(&self) -> Range<usize> {
        self.toks[self.pos.min(self.toks.len() - 1)].1.clone()
    }

    fn bump(&mut self) -> (Tok, Range<usize>) {
        let t = self.toks[self.pos.min(self.toks.len() - 1)].clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn describe(&self) -> String {
        describe_tok(self.peek())
    }

    fn error(&self, message: &str) -> SyntaxError {
        SyntaxError { offset: self.span().start, message: message.to_owned() }
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("condition nested too deeply"));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Ast, SyntaxError> {
        self.enter()?;
        let mut items = vec![self.and_expr()?];
        while is_kw(self.peek(), "or") {
            self.bump();
            items.push(self.and_expr()?);
        }
        self.depth -= 1;
        Ok(if items.len() == 1 { items.remove(0) } else { Ast::Or(items) })
    }

    fn and_expr(&mut self) -> Result<Ast, SyntaxError> {
        let mut items = vec![self.not_expr()?];
        while is_kw(self.peek(), "and") {
            self.bump();
            items.push(self.not_expr()?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Ast::And(items) })
    }

    fn not_expr(&mut self) -> Result<Ast, SyntaxError> {
        if is_kw(self.peek(), "not") {
            self.bump();
            self.enter()?;
            let inner = self.not_expr()?;
            self.depth -= 1;
            return Ok(Ast::Not(Box::new(inner)));
        }
        if self.peek() == &Tok::LParen {
            self.bump();
            let inner = self.expr()?;
            if self.peek() != &Tok::RParen {
                return Err(self.error(&format!("expected `)`, found {}", self.describe())));
            }
            self.bump();
            return Ok(inner);
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Result<Ast, SyntaxError> {
        let lhs = self.atom()?;
        match self.peek().clone() {
            Tok::Op(op) => {
                self.bump();
                let rhs = self.atom()?;
                Ok(Ast::Compare { op, lhs, rhs })
            }
            Tok::Ident(kw) if kw == "in" => {
                self.bump();
                let set = self.set()?;
                Ok(Ast::In { value: lhs, set, negated: false })
            }
            Tok::Ident(kw) if kw == "not" && is_kw(self.peek_at(1), "in") => {
                self.bump();
                self.bump();
                let set = self.set()?;
                Ok(Ast::In { value: lhs, set, negated: true })
            }
            Tok::Ident(kw) if kw == "between" => {
                self.bump();
                let low = self.atom()?;
                if !is_kw(self.peek(), "and") {
                    return Err(self.error(&format!(
                        "expected `and` between the bounds of `between`, found {}",
                        self.describe()
                    )));
                }
                self.bump();
                let high = self.atom()?;
                Ok(Ast::Between { value: lhs, low, high })
            }
            Tok::Ident(kw) if kw == "contains" => {
                self.bump();
                let item = self.atom()?;
                Ok(Ast::Contains { set: lhs, item })
            }
            Tok::Ident(kw) if kw == "is" => {
                self.bump();
                let known = match self.peek() {
                    Tok::Ident(k) if k == "known" => true,
                    Tok::Ident(k) if k == "unknown" => false,
                    _ => {
                        return Err(self.error(&format!(
                            "expected `known` or `unknown` after `is`, found {}",
                            self.describe()
                        )));
                    }
                };
                self.bump();
                Ok(Ast::IsKnown { atom: lhs, known })
            }
            _ => Ok(Ast::Atom(lhs)),
        }
    }

    fn atom(&mut self) -> Result<Atom, SyntaxError> {
        let (tok, span) = self.bump();
        let kind = match tok {
            Tok::Int(n) => AtomKind::Int(n),
            Tok::Str(s) => AtomKind::Str(s),
            Tok::Ident(s) if s == "true" => AtomKind::Bool(true),
            Tok::Ident(s) if s == "false" => AtomKind::Bool(false),
            Tok::Ident(s) if KEYWORDS.contains(&s.as_str()) => {
                self.pos -= 1;
                return Err(self.error(&format!("expected a fact or a value, found keyword `{s}`")));
            }
            Tok::Ident(name) if self.peek() == &Tok::LParen => {
                self.bump();
                let mut args = Vec::new();
                if self.peek() != &Tok::RParen {
                    loop {
                        args.push(self.atom()?);
                        if self.peek() == &Tok::Comma {
                            self.bump();
                            continue;
                        }
                        break;
                    }
                }
                if self.peek() != &Tok::RParen {
                    return Err(self.error(&format!(
                        "expected `,` or `)` in the arguments of `{name}`, found {}",
                        self.describe()
                    )));
                }
                let end = self.bump().1.end;
                return Ok(Atom { kind: AtomKind::Call { name, args }, span: span.start..end });
            }
            Tok::Ident(s) => AtomKind::Ident(s),
            other => {
                return Err(SyntaxError {
                    offset: span.start,
                    message: format!("expected a fact or a value, found {}", describe_tok(&other)),
                });
            }
        };
        Ok(Atom { kind, span })
    }

    fn set(&mut self) -> Result<SetExpr, SyntaxError> {
        match self.peek().clone() {
            Tok::LBracket => {
                let start = self.bump().1.start;
                let mut items = Vec::new();
                if self.peek() != &Tok::RBracket {
                    loop {
                        items.push(self.atom()?);
                        if self.peek() == &Tok::Comma {
                            self.bump();
                            if self.peek() == &Tok::RBracket {
                                break;
                            }
                            continue;
                        }
                        break;
                    }
                }
                if self.peek() != &Tok::RBracket {
                    return Err(
                        self.error(&format!("expected `,` or `]`, found {}", self.describe()))
                    );
                }
                let end = self.bump().1.end;
                Ok(SetExpr::Literal(items, start..end))
            }
            Tok::Ident(name) if name == "list" && self.peek_at(1) == &Tok::LParen => {
                let start = self.bump().1.start;
                self.bump();
                let (tok, span) = self.bump();
                let Tok::Str(list) = tok else {
                    return Err(SyntaxError {
                        offset: span.start,
                        message: "expected a list name in quotes: list(\"name\")".into(),
                    });
                };
                if self.peek() != &Tok::RParen {
                    return Err(self.error(&format!("expected `)`, found {}", self.describe())));
                }
                let end = self.bump().1.end;
                Ok(SetExpr::List(list, start..end))
            }
            Tok::Ident(_) => Ok(SetExpr::Fact(self.atom()?)),
            _ => Err(self.error(&format!(
                "expected `[...]`, `list(\"name\")` or a set fact after `in`, found {}",
                self.describe()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Ast {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    fn err(text: &str) -> SyntaxError {
        parse(text).expect_err(text)
    }

    #[test]
    fn precedence_is_not_over_and_over_or() {
        let ast = ok("a or b and not c");
        let Ast::Or(items) = ast else { panic!("expected or") };
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[1], Ast::And(x) if matches!(x[1], Ast::Not(_))));
    }

    #[test]
    fn all_predicate_forms_parse() {
        for text in [
            r#"purpose == "work" and not has_cpmi_id"#,
            r#"destination_country in list("high_risk_destinations")"#,
            "age between 17 and 45",
            "prior_deferrals > 0",
            r#"purpose not in ['umrah', 'hajj']"#,
            "cpmi_status is unknown",
            r#"documents_supplied contains "guarantee_letter""#,
            r#"missing("purpose_documents", purpose, documents_supplied) > 0"#,
            "(a or b) and (c or (d and e))",
            "x in [1, 2, 3,]",
            "age >= -1",
        ] {
            ok(text);
        }
    }

    #[test]
    fn errors_point_at_the_problem() {
        assert_eq!(err("a && b").offset, 2);
        assert!(err("a && b").message.contains("use `and`"));
        assert!(err("purpose = \"work\"").message.contains("use `==`"));
        assert_eq!(err("age between 1 or 2").offset, 14);
        assert_eq!(err("(a or b").message, "expected `)`, found the end of the condition");
        assert!(err("a b").message.starts_with("expected `and`, `or` or the end"));
        assert_eq!(err("purpose == \"work").message, "unterminated string");
        assert_eq!(err("").message, "empty condition");
        assert!(err("a == ").message.contains("found the end"));
        assert!(err("x in list(high)").message.contains("list name in quotes"));
        assert!(err("a is maybe").message.contains("`known` or `unknown`"));
        assert!(err("a )").message.contains("unbalanced"));
        assert!(err("age > 99999999999999999999").message.contains("not an integer"));
        assert!(err("a and or b").message.contains("keyword `or`"));
        assert!(err("é").message.contains("unexpected character `é`"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = format!("{}a{}", "(".repeat(500), ")".repeat(500));
        assert!(err(&text).message.contains("nested too deeply"));
        let text = format!("{}a", "not ".repeat(500));
        assert!(err(&text).message.contains("nested too deeply"));
    }
}
