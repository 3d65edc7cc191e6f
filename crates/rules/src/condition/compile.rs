//! Name resolution and type checking: turns a parsed [`Ast`] into an [`Expr`] whose facts and
//! lists are resolved to indices and whose literals are in canonical form. Every problem in a
//! condition is reported, not only the first.

use std::ops::Range;

use crate::condition::syntax::{Ast, Atom, AtomKind, CmpOp, SetExpr};
use crate::diagnostic::{DiagCode, suggest};
use crate::facts::{FactId, VOCABULARY};
use crate::list::{ListKind, RefList};
use crate::value::{FactInput, FactType, Value, ValueError};

/// A type-checked condition, ready to evaluate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Expr {
    Const(bool),
    BoolFact(FactId),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    CmpInt {
        op: CmpOp,
        lhs: IntOp,
        rhs: IntOp,
    },
    /// Equality of a non-number fact with a literal or another fact.
    Eq {
        negated: bool,
        lhs: FactId,
        rhs: Operand,
    },
    Between {
        value: IntOp,
        low: IntOp,
        high: IntOp,
    },
    InSet {
        value: FactId,
        set: LiteralSet,
        negated: bool,
    },
    InList {
        value: FactId,
        list: usize,
        negated: bool,
    },
    Contains {
        set: FactId,
        mask: u64,
    },
    IsKnown {
        fact: FactId,
        known: bool,
    },
}

/// A number operand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum IntOp {
    Fact(FactId),
    Lit(i64),
    /// `missing(list, key, set)`: how many required documents are missing. `masks[i]` holds the
    /// (all_of, any_of) bit masks of entry `i` of the list over the set fact's values. For an
    /// enum key, `by_enum[v]` lists the entries whose key is enum value `v`.
    Missing {
        list: usize,
        key: FactId,
        set: FactId,
        masks: Vec<(u64, u64)>,
        by_enum: Option<Vec<Vec<usize>>>,
    },
}

/// The right-hand side of an equality.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Operand {
    Lit(Value),
    Fact(FactId),
}

/// A literal `[...]` set in canonical form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LiteralSet {
    /// Bit mask over an enum's values.
    Enum(u64),
    /// Exact values (countries, text, numbers).
    Values(Vec<Value>),
    /// Region codes, matched hierarchically.
    Regions(Vec<Box<str>>),
}

/// A problem in a condition; the span is a byte range of the condition text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CheckError {
    pub(crate) span: Range<usize>,
    pub(crate) code: DiagCode,
    pub(crate) message: String,
}

/// Result of checking a condition.
pub(crate) struct Checked {
    /// `None` when there were errors.
    pub(crate) expr: Option<Expr>,
    pub(crate) errors: Vec<CheckError>,
    /// Facts the condition reads, in order of first use.
    pub(crate) facts: Vec<FactId>,
    /// Indices of the lists the condition consults.
    pub(crate) lists: Vec<usize>,
}

/// Checks a parsed condition against the vocabulary and the given lists.
pub(crate) fn check(ast: &Ast, lists: &[RefList]) -> Checked {
    let mut c = Checker { lists, errors: Vec::new(), facts: Vec::new(), used: Vec::new() };
    let expr = c.bool_expr(ast);
    let expr = if c.errors.is_empty() { expr } else { None };
    Checked { expr, errors: c.errors, facts: c.facts, lists: c.used }
}

/// An operand after name resolution.
enum Resolved {
    Fact(FactId),
    Int(i64),
    Str(String),
    Bool(bool),
    Missing(IntOp),
}

struct Checker<'a> {
    lists: &'a [RefList],
    errors: Vec<CheckError>,
    facts: Vec<FactId>,
    used: Vec<usize>,
}

impl<'a> Checker<'a> {
    fn err(&mut self, span: &Range<usize>, code: DiagCode, message: String) {
        self.errors.push(CheckError { span: span.clone(), code, message });
    }

    fn list(&mut self, name: &str, span: &Range<usize>) -> Option<(usize, &'a RefList)> {
        let lists: &'a [RefList] = self.lists;
        match lists.iter().position(|l| l.name == name) {
            Some(i) => {
                if !self.used.contains(&i) {
                    self.used.push(i);
                }
                Some((i, &lists[i]))
            }
            None => {
                let hint = suggest(name, self.lists.iter().map(|l| l.name.as_str()));
                self.err(span, DiagCode::UnknownList, format!("unknown list `{name}`{hint}"));
                None
            }
        }
    }

    fn fact(&mut self, name: &str, span: &Range<usize>) -> Option<FactId> {
        if let Some(id) = FactId::from_name(name) {
            if !self.facts.contains(&id) {
                self.facts.push(id);
            }
            return Some(id);
        }
        let mut hint = suggest(name, VOCABULARY.iter().map(|d| d.name));
        if hint.is_empty() && self.lists.iter().any(|l| l.name == name) {
            hint = format!(" (`{name}` is a list: write `in list(\"{name}\")`)");
        }
        self.err(span, DiagCode::UnknownFact, format!("unknown fact `{name}`{hint}"));
        None
    }

    fn resolve(&mut self, atom: &Atom) -> Option<Resolved> {
        match &atom.kind {
            AtomKind::Ident(name) => self.fact(name, &atom.span).map(Resolved::Fact),
            AtomKind::Int(n) => Some(Resolved::Int(*n)),
            AtomKind::Str(s) => Some(Resolved::Str(s.clone())),
            AtomKind::Bool(b) => Some(Resolved::Bool(*b)),
            AtomKind::Call { name, args } => match name.as_str() {
                "missing" => self.missing(args, &atom.span).map(Resolved::Missing),
                "list" => {
                    self.err(
                        &atom.span,
                        DiagCode::TypeMismatch,
                        "`list(...)` can only follow `in`".into(),
                    );
                    None
                }
                other => {
                    self.err(
                        &atom.span,
                        DiagCode::UnknownFunction,
                        format!("unknown function `{other}` (the only function is `missing`)"),
                    );
                    None
                }
            },
        }
    }

    fn missing(&mut self, args: &[Atom], span: &Range<usize>) -> Option<IntOp> {
        let [list_arg, key_arg, set_arg] = args else {
            self.err(
                span,
                DiagCode::TypeMismatch,
                "`missing` takes three arguments: missing(\"list\", key_fact, set_fact)".into(),
            );
            return None;
        };
        let AtomKind::Str(list_name) = &list_arg.kind else {
            self.err(
                &list_arg.span,
                DiagCode::TypeMismatch,
                "the first argument of `missing` is a list name in quotes".into(),
            );
            return None;
        };
        let list = self.list(list_name, &list_arg.span);
        let key = match &key_arg.kind {
            AtomKind::Ident(n) => self.fact(n, &key_arg.span),
            _ => None,
        };
        let set = match &set_arg.kind {
            AtomKind::Ident(n) => self.fact(n, &set_arg.span),
            _ => None,
        };
        let (list_index, list) = list?;
        if list.kind != ListKind::Requirements {
            self.err(
                &list_arg.span,
                DiagCode::TypeMismatch,
                format!(
                    "`missing` needs a requirements list; `{}` holds {}",
                    list.name,
                    list.kind.name()
                ),
            );
            return None;
        }
        let Some(key) = key else {
            self.err(
                &key_arg.span,
                DiagCode::TypeMismatch,
                "the second argument of `missing` is a fact".into(),
            );
            return None;
        };
        let Some(set) = set else {
            self.err(
                &set_arg.span,
                DiagCode::TypeMismatch,
                "the third argument of `missing` is a set fact".into(),
            );
            return None;
        };
        let FactType::Set(values) = set.def().ty else {
            self.err(
                &set_arg.span,
                DiagCode::TypeMismatch,
                format!("`{}` is {}, not a set fact", set.name(), set.def().ty.name()),
            );
            return None;
        };
        if !key.def().ty.is_textual() {
            self.err(
                &key_arg.span,
                DiagCode::TypeMismatch,
                format!(
                    "`{}` is {}; the key of `missing` must be text",
                    key.name(),
                    key.def().ty.name()
                ),
            );
            return None;
        }
        let mut masks = Vec::with_capacity(list.entries.len());
        let mut ok = true;
        for entry in &list.entries {
            if let FactType::Enum(keys) = key.def().ty
                && crate::value::enum_index(keys, &entry.key).is_none()
            {
                self.err(
                    &list_arg.span,
                    DiagCode::UnknownValue,
                    format!(
                        "list `{}` has key `{}`, which is not a value of `{}` ({})",
                        list.name,
                        entry.key,
                        key.name(),
                        keys.join(", ")
                    ),
                );
                ok = false;
            }
            let mut mask = |docs: &[String]| {
                let mut m = 0u64;
                for d in docs {
                    match crate::value::enum_index(values, d) {
                        Some(i) => m |= 1u64 << i,
                        None => {
                            self.err(
                                &list_arg.span,
                                DiagCode::UnknownValue,
                                format!(
                                    "list `{}` requires `{d}`, which is not a value of `{}`",
                                    list.name,
                                    set.name()
                                ),
                            );
                            ok = false;
                        }
                    }
                }
                m
            };
            let all = mask(&entry.all_of);
            let any = mask(&entry.any_of);
            masks.push((all, any));
        }
        let by_enum = match key.def().ty {
            FactType::Enum(keys) => Some(
                (0..keys.len())
                    .map(|v| {
                        list.entries
                            .iter()
                            .enumerate()
                            .filter(|(_, e)| {
                                crate::value::enum_index(keys, &e.key) == u16::try_from(v).ok()
                            })
                            .map(|(i, _)| i)
                            .collect()
                    })
                    .collect(),
            ),
            _ => None,
        };
        ok.then_some(IntOp::Missing { list: list_index, key, set, masks, by_enum })
    }

    fn bool_expr(&mut self, ast: &Ast) -> Option<Expr> {
        match ast {
            Ast::Or(items) => self.all(items).map(Expr::Or),
            Ast::And(items) => self.all(items).map(Expr::And),
            Ast::Not(inner) => self.bool_expr(inner).map(|e| Expr::Not(Box::new(e))),
            Ast::Atom(atom) => match self.resolve(atom)? {
                Resolved::Bool(b) => Some(Expr::Const(b)),
                Resolved::Fact(id) if id.def().ty == FactType::Bool => Some(Expr::BoolFact(id)),
                Resolved::Fact(id) => {
                    self.err(
                        &atom.span,
                        DiagCode::TypeMismatch,
                        format!(
                            "`{}` is {}, not true/false; compare it (e.g. `{} == ...`)",
                            id.name(),
                            id.def().ty.name(),
                            id.name()
                        ),
                    );
                    None
                }
                _ => {
                    self.err(
                        &atom.span,
                        DiagCode::TypeMismatch,
                        "expected a true/false condition".into(),
                    );
                    None
                }
            },
            Ast::Compare { op, lhs, rhs } => self.compare(*op, lhs, rhs),
            Ast::Between { value, low, high } => {
                let v = self.int(value);
                let l = self.int(low);
                let h = self.int(high);
                Some(Expr::Between { value: v?, low: l?, high: h? })
            }
            Ast::In { value, set, negated } => self.in_set(value, set, *negated),
            Ast::Contains { set, item } => self.contains(set, item),
            Ast::IsKnown { atom, known } => match self.resolve(atom)? {
                Resolved::Fact(fact) => Some(Expr::IsKnown { fact, known: *known }),
                _ => {
                    self.err(
                        &atom.span,
                        DiagCode::TypeMismatch,
                        "`is known` applies to a fact".into(),
                    );
                    None
                }
            },
        }
    }

    fn all(&mut self, items: &[Ast]) -> Option<Vec<Expr>> {
        let out: Vec<Option<Expr>> = items.iter().map(|a| self.bool_expr(a)).collect();
        out.into_iter().collect()
    }

    fn int(&mut self, atom: &Atom) -> Option<IntOp> {
        match self.resolve(atom)? {
            Resolved::Int(n) => Some(IntOp::Lit(n)),
            Resolved::Missing(op) => Some(op),
            Resolved::Fact(id) if id.def().ty == FactType::Int => Some(IntOp::Fact(id)),
            Resolved::Fact(id) => {
                self.err(
                    &atom.span,
                    DiagCode::TypeMismatch,
                    format!(
                        "`{}` is {}, but a number is needed here",
                        id.name(),
                        id.def().ty.name()
                    ),
                );
                None
            }
            Resolved::Str(s) => {
                self.err(
                    &atom.span,
                    DiagCode::TypeMismatch,
                    format!("\"{s}\" is text, but a number is needed here"),
                );
                None
            }
            Resolved::Bool(b) => {
                self.err(
                    &atom.span,
                    DiagCode::TypeMismatch,
                    format!("`{b}` is true/false, but a number is needed here"),
                );
                None
            }
        }
    }

    fn is_int(r: &Resolved) -> bool {
        match r {
            Resolved::Int(_) | Resolved::Missing(_) => true,
            Resolved::Fact(id) => id.def().ty == FactType::Int,
            _ => false,
        }
    }

    fn describe(r: &Resolved) -> String {
        match r {
            Resolved::Fact(id) => format!("{} fact `{}`", id.def().ty.name(), id.name()),
            Resolved::Int(n) => format!("number {n}"),
            Resolved::Str(s) => format!("text \"{s}\""),
            Resolved::Bool(b) => format!("`{b}`"),
            Resolved::Missing(_) => "number `missing(...)`".into(),
        }
    }

    /// Converts a literal to the canonical value of a fact's type, reporting why not.
    fn literal_for(&mut self, id: FactId, lit: Resolved, span: &Range<usize>) -> Option<Value> {
        let ty = id.def().ty;
        let input = match lit {
            Resolved::Str(s) => FactInput::Text(s),
            Resolved::Bool(b) => FactInput::Bool(b),
            Resolved::Int(n) => FactInput::Int(n),
            other => {
                let what = Self::describe(&other);
                self.err(
                    span,
                    DiagCode::TypeMismatch,
                    format!("cannot compare `{}` with {what}", id.name()),
                );
                return None;
            }
        };
        match input.into_value(ty) {
            Ok(v) => Some(v),
            Err(ValueError::WrongType { got, .. }) => {
                self.err(
                    span,
                    DiagCode::TypeMismatch,
                    format!("`{}` is {}, but is compared with {got}", id.name(), ty.name()),
                );
                None
            }
            Err(e @ ValueError::NotAllowed { .. }) => {
                self.err(span, DiagCode::UnknownValue, format!("`{}`: {e}", id.name()));
                None
            }
            Err(e) => {
                self.err(span, DiagCode::UnknownValue, format!("`{}`: {e}", id.name()));
                None
            }
        }
    }

    fn compare(&mut self, op: CmpOp, lhs: &Atom, rhs: &Atom) -> Option<Expr> {
        let l = self.resolve(lhs);
        let r = self.resolve(rhs);
        let (l, r) = (l?, r?);
        if Self::is_int(&l) || Self::is_int(&r) {
            if !(Self::is_int(&l) && Self::is_int(&r)) {
                let (bad, span) = if Self::is_int(&l) { (&r, &rhs.span) } else { (&l, &lhs.span) };
                let other = if Self::is_int(&l) { &l } else { &r };
                self.err(
                    span,
                    DiagCode::TypeMismatch,
                    format!(
                        "cannot compare {} with {}",
                        Self::describe(other),
                        Self::describe(bad)
                    ),
                );
                return None;
            }
            let a = self.int(lhs)?;
            let b = self.int(rhs)?;
            return Some(Expr::CmpInt { op, lhs: a, rhs: b });
        }
        let negated = match op {
            CmpOp::Eq => false,
            CmpOp::Ne => true,
            _ => {
                self.err(
                    &lhs.span,
                    DiagCode::TypeMismatch,
                    format!(
                        "`{}` compares numbers; {} is not a number",
                        op.symbol(),
                        Self::describe(&l)
                    ),
                );
                return None;
            }
        };
        match (l, r) {
            (Resolved::Fact(a), Resolved::Fact(b)) => {
                if a.def().ty != b.def().ty || matches!(a.def().ty, FactType::Set(_)) {
                    self.err(
                        &lhs.span,
                        DiagCode::TypeMismatch,
                        format!(
                            "cannot compare {} fact `{a}` with {} fact `{b}`",
                            a.def().ty.name(),
                            b.def().ty.name()
                        ),
                    );
                    return None;
                }
                Some(Expr::Eq { negated, lhs: a, rhs: Operand::Fact(b) })
            }
            (Resolved::Fact(a), lit) => {
                if matches!(a.def().ty, FactType::Set(_)) {
                    self.err(
                        &lhs.span,
                        DiagCode::TypeMismatch,
                        format!("`{a}` is a set; use `contains`"),
                    );
                    return None;
                }
                let v = self.literal_for(a, lit, &rhs.span)?;
                Some(Expr::Eq { negated, lhs: a, rhs: Operand::Lit(v) })
            }
            (lit, Resolved::Fact(b)) => {
                if matches!(b.def().ty, FactType::Set(_)) {
                    self.err(
                        &rhs.span,
                        DiagCode::TypeMismatch,
                        format!("`{b}` is a set; use `contains`"),
                    );
                    return None;
                }
                let v = self.literal_for(b, lit, &lhs.span)?;
                Some(Expr::Eq { negated, lhs: b, rhs: Operand::Lit(v) })
            }
            _ => {
                self.err(&lhs.span, DiagCode::TypeMismatch, "comparison of two constants".into());
                None
            }
        }
    }

    fn in_set(&mut self, value: &Atom, set: &SetExpr, negated: bool) -> Option<Expr> {
        if let SetExpr::Fact(set_atom) = set {
            // `"code" in set_fact` is `set_fact contains "code"`.
            let expr = self.contains(set_atom, value)?;
            return Some(if negated { Expr::Not(Box::new(expr)) } else { expr });
        }
        let resolved = self.resolve(value);
        let id = match resolved? {
            Resolved::Fact(id) => id,
            other => {
                self.err(
                    &value.span,
                    DiagCode::TypeMismatch,
                    format!("the left side of `in` must be a fact, not {}", Self::describe(&other)),
                );
                return None;
            }
        };
        let ty = id.def().ty;
        match set {
            SetExpr::List(name, span) => {
                let (index, list) = self.list(name, span)?;
                let kind = list.kind;
                if !kind.accepts(ty) {
                    self.err(
                        span,
                        DiagCode::TypeMismatch,
                        format!("list `{name}` holds {}; `{id}` is {}", kind.name(), ty.name()),
                    );
                    return None;
                }
                if let FactType::Enum(values) = ty {
                    let bad: Vec<String> = self.lists[index]
                        .entries
                        .iter()
                        .filter(|e| crate::value::enum_index(values, &e.key).is_none())
                        .map(|e| e.key.clone())
                        .collect();
                    if !bad.is_empty() {
                        self.err(
                            span,
                            DiagCode::UnknownValue,
                            format!(
                                "list `{name}` has keys that are not values of `{id}`: {}",
                                bad.join(", ")
                            ),
                        );
                        return None;
                    }
                }
                Some(Expr::InList { value: id, list: index, negated })
            }
            SetExpr::Literal(items, _) => {
                let mut values = Vec::with_capacity(items.len());
                let mut ok = true;
                for item in items {
                    match self.resolve(item) {
                        Some(r @ (Resolved::Str(_) | Resolved::Int(_) | Resolved::Bool(_))) => {
                            match self.literal_for(id, r, &item.span) {
                                Some(v) => values.push(v),
                                None => ok = false,
                            }
                        }
                        Some(_) => {
                            self.err(
                                &item.span,
                                DiagCode::TypeMismatch,
                                "a `[...]` list holds values, not facts".into(),
                            );
                            ok = false;
                        }
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                let set = match ty {
                    FactType::Enum(_) => {
                        LiteralSet::Enum(values.iter().fold(0u64, |m, v| match v {
                            Value::Enum(i) => m | (1u64 << i),
                            _ => m,
                        }))
                    }
                    FactType::Region => LiteralSet::Regions(
                        values
                            .into_iter()
                            .filter_map(|v| match v {
                                Value::Region(r) => Some(r),
                                _ => None,
                            })
                            .collect(),
                    ),
                    FactType::Set(_) => {
                        self.err(
                            &value.span,
                            DiagCode::TypeMismatch,
                            format!("`{id}` is a set; use `contains`"),
                        );
                        return None;
                    }
                    _ => LiteralSet::Values(values),
                };
                Some(Expr::InSet { value: id, set, negated })
            }
            SetExpr::Fact(_) => None,
        }
    }

    fn contains(&mut self, set: &Atom, item: &Atom) -> Option<Expr> {
        let set_id = match self.resolve(set)? {
            Resolved::Fact(id) => id,
            other => {
                self.err(
                    &set.span,
                    DiagCode::TypeMismatch,
                    format!("{} is not a set fact", Self::describe(&other)),
                );
                return None;
            }
        };
        let FactType::Set(values) = set_id.def().ty else {
            self.err(
                &set.span,
                DiagCode::TypeMismatch,
                format!("`{set_id}` is {}, not a set fact", set_id.def().ty.name()),
            );
            return None;
        };
        let AtomKind::Str(code) = &item.kind else {
            self.err(&item.span, DiagCode::TypeMismatch, "expected a code in quotes".into());
            return None;
        };
        match crate::value::enum_index(values, code) {
            Some(i) => Some(Expr::Contains { set: set_id, mask: 1u64 << i }),
            None => {
                self.err(
                    &item.span,
                    DiagCode::UnknownValue,
                    format!("`{code}` is not a value of `{set_id}` ({})", values.join(", ")),
                );
                None
            }
        }
    }
}
