//! Three-valued (Kleene) evaluation of compiled conditions.
//!
//! An unknown fact makes every comparison that reads it Unknown. `and` is False as soon as one
//! side is False, `or` is True as soon as one side is True; otherwise Unknown wins over the
//! remaining definite value. `not Unknown` is Unknown. Only `is known` / `is unknown` turn an
//! unknown fact into a definite answer.
//!
//! While evaluating, the ids of the unknown facts that the result depends on are collected, so
//! the trace can say *why* a rule could not be decided. When a sub-expression turns out definite
//! (e.g. `False and Unknown`), the unknowns it collected are dropped again.

use serde::Serialize;
use time::Date;

use crate::condition::compile::{Expr, IntOp, LiteralSet, Operand};
use crate::condition::syntax::CmpOp;
use crate::facts::{FactId, Facts};
use crate::list::RefList;
use crate::region;
use crate::value::Value;

/// A three-valued truth value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tri {
    /// Definitely false.
    False,
    /// Definitely true.
    True,
    /// Cannot be decided from the known facts.
    Unknown,
}

impl Tri {
    fn from_bool(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }

    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

/// What evaluation reads: the facts, the date and the rule set's lists.
pub(crate) struct Env<'a> {
    pub(crate) facts: &'a Facts,
    pub(crate) on: Date,
    pub(crate) lists: &'a [RefList],
}

impl Env<'_> {
    fn fact(&self, id: FactId, unknown: &mut Vec<FactId>) -> Option<&Value> {
        let v = self.facts.get(id);
        if v.is_none() && !unknown.contains(&id) {
            unknown.push(id);
        }
        v
    }

    fn int(&self, op: &IntOp, unknown: &mut Vec<FactId>) -> Option<i64> {
        match op {
            IntOp::Lit(n) => Some(*n),
            IntOp::Fact(id) => match self.fact(*id, unknown)? {
                Value::Int(n) => Some(*n),
                _ => None,
            },
            IntOp::Missing { list, key, set, masks, by_enum } => {
                let list = &self.lists[*list];
                let key_value = self.fact(*key, unknown)?;
                let in_force = |i: &usize| list.entries[*i].validity.contains(self.on);
                let found = match (by_enum, key_value) {
                    (Some(by_enum), Value::Enum(v)) => {
                        by_enum.get(usize::from(*v)).and_then(|c| c.iter().copied().find(in_force))
                    }
                    _ => {
                        let key_text = key_value.render(key.def().ty).to_lowercase();
                        let start = list.entries.partition_point(|e| e.key < key_text);
                        (start..list.entries.len())
                            .take_while(|i| list.entries[*i].key == key_text)
                            .find(in_force)
                    }
                };
                let Some(index) = found else { return Some(0) };
                let (all, any) = masks[index];
                if all == 0 && any == 0 {
                    return Some(0);
                }
                let Value::Set(have) = self.fact(*set, unknown)? else { return None };
                let missing_all = i64::from((all & !have).count_ones());
                let missing_any = i64::from(any != 0 && any & have == 0);
                Some(missing_all + missing_any)
            }
        }
    }

    /// Evaluates a condition; pushes onto `unknown` the facts an Unknown result depends on.
    pub(crate) fn eval(&self, expr: &Expr, unknown: &mut Vec<FactId>) -> Tri {
        match expr {
            Expr::Const(b) => Tri::from_bool(*b),
            Expr::BoolFact(id) => match self.fact(*id, unknown) {
                Some(Value::Bool(b)) => Tri::from_bool(*b),
                _ => Tri::Unknown,
            },
            Expr::Not(inner) => self.eval(inner, unknown).not(),
            Expr::And(items) => self.junction(items, unknown, Tri::False),
            Expr::Or(items) => self.junction(items, unknown, Tri::True),
            Expr::CmpInt { op, lhs, rhs } => {
                let a = self.int(lhs, unknown);
                let b = self.int(rhs, unknown);
                match (a, b) {
                    (Some(a), Some(b)) => Tri::from_bool(cmp(*op, a, b)),
                    _ => Tri::Unknown,
                }
            }
            Expr::Eq { negated, lhs, rhs } => {
                let a = self.fact(*lhs, unknown);
                let b = match rhs {
                    Operand::Lit(v) => Some(v),
                    Operand::Fact(id) => self.fact(*id, unknown),
                };
                match (a, b) {
                    (Some(a), Some(b)) => Tri::from_bool((a == b) != *negated),
                    _ => Tri::Unknown,
                }
            }
            Expr::Between { value, low, high } => {
                let v = self.int(value, unknown);
                let l = self.int(low, unknown);
                let h = self.int(high, unknown);
                match (v, l, h) {
                    (Some(v), Some(l), Some(h)) => Tri::from_bool(l <= v && v <= h),
                    _ => Tri::Unknown,
                }
            }
            Expr::InSet { value, set, negated } => {
                let Some(v) = self.fact(*value, unknown) else { return Tri::Unknown };
                let found = match (set, v) {
                    (LiteralSet::Enum(mask), Value::Enum(i)) => mask & (1u64 << i) != 0,
                    (LiteralSet::Regions(areas), Value::Region(code)) => {
                        areas.iter().any(|a| region::is_within(code, a))
                    }
                    (LiteralSet::Values(values), v) => values.contains(v),
                    _ => return Tri::Unknown,
                };
                Tri::from_bool(found != *negated)
            }
            Expr::InList { value, list, negated } => {
                let Some(v) = self.fact(*value, unknown) else { return Tri::Unknown };
                let found = self.lists[*list].lookup(v, value.def().ty, self.on).is_some();
                Tri::from_bool(found != *negated)
            }
            Expr::Contains { set, mask } => match self.fact(*set, unknown) {
                Some(Value::Set(have)) => Tri::from_bool(have & mask != 0),
                _ => Tri::Unknown,
            },
            Expr::IsKnown { fact, known } => {
                Tri::from_bool(self.facts.get(*fact).is_some() == *known)
            }
        }
    }

    /// `and` (dominant = False) or `or` (dominant = True).
    fn junction(&self, items: &[Expr], unknown: &mut Vec<FactId>, dominant: Tri) -> Tri {
        let mark = unknown.len();
        let mut saw_unknown = false;
        for item in items {
            match self.eval(item, unknown) {
                Tri::Unknown => saw_unknown = true,
                t if t == dominant => {
                    unknown.truncate(mark);
                    return dominant;
                }
                _ => {}
            }
        }
        if saw_unknown {
            Tri::Unknown
        } else {
            unknown.truncate(mark);
            dominant.not()
        }
    }
}

fn cmp(op: CmpOp, a: i64, b: i64) -> bool {
    match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::compile::check;
    use crate::condition::syntax::parse;
    use time::macros::date;

    /// Evaluates `text` over facts given as (name, value) pairs; returns the truth value and
    /// the names of the unknown facts it depends on.
    fn run(text: &str, pairs: &[(&str, crate::value::FactInput)]) -> (Tri, Vec<&'static str>) {
        let mut facts = Facts::new();
        for (name, value) in pairs {
            facts.set(name, value.clone()).unwrap();
        }
        let checked = check(&parse(text).unwrap(), &[]);
        assert!(checked.errors.is_empty(), "{:?}", checked.errors);
        let env = Env { facts: &facts, on: date!(2025 - 01 - 01), lists: &[] };
        let mut unknown = Vec::new();
        let t = env.eval(&checked.expr.unwrap(), &mut unknown);
        (t, unknown.iter().map(|f| f.name()).collect())
    }

    #[test]
    fn kleene_and_or_not() {
        use Tri::{False, True, Unknown};
        let t = || ("active_bar", true.into());
        let f = || ("active_bar", false.into());
        assert_eq!(run("active_bar and identity_mismatch", &[t()]).0, Unknown);
        assert_eq!(run("active_bar and identity_mismatch", &[f()]).0, False);
        assert_eq!(run("active_bar or identity_mismatch", &[t()]).0, True);
        assert_eq!(run("active_bar or identity_mismatch", &[f()]).0, Unknown);
        assert_eq!(run("not identity_mismatch", &[]).0, Unknown);
        assert_eq!(run("identity_mismatch is unknown", &[]).0, True);
        assert_eq!(run("identity_mismatch is known", &[]).0, False);
    }

    #[test]
    fn only_the_unknowns_that_matter_are_reported() {
        let (t, unknown) =
            run("(age > 3 and active_bar) or prior_deferrals > 0", &[("active_bar", false.into())]);
        assert_eq!(t, Tri::Unknown);
        assert_eq!(unknown, ["prior_deferrals"], "age does not matter once active_bar is false");
        let (t, unknown) = run("age > 3 or prior_deferrals > 0", &[("prior_deferrals", 1.into())]);
        assert_eq!(t, Tri::True);
        assert!(unknown.is_empty());
    }

    #[test]
    fn comparisons_and_sets() {
        let p = || ("purpose", "umrah".into());
        assert_eq!(run(r#"purpose in ["umrah", "hajj"]"#, &[p()]).0, Tri::True);
        assert_eq!(run(r#"purpose not in ["umrah", "hajj"]"#, &[p()]).0, Tri::False);
        assert_eq!(run(r#"purpose != "work""#, &[p()]).0, Tri::True);
        assert_eq!(run("age between 17 and 45", &[("age", 45.into())]).0, Tri::True);
        assert_eq!(run("age between 17 and 45", &[("age", 46.into())]).0, Tri::False);
        assert_eq!(
            run(r#"village_code in ["18.07"]"#, &[("village_code", "1807052001".into())]).0,
            Tri::True
        );
        assert_eq!(
            run(r#"village_code == "18.07""#, &[("village_code", "1807052001".into())]).0,
            Tri::False
        );
        let docs = || ("documents_supplied", ["guarantee_letter"].into());
        assert_eq!(
            run(r#"documents_supplied contains "guarantee_letter""#, &[docs()]).0,
            Tri::True
        );
        assert_eq!(run(r#""invitation_letter" in documents_supplied"#, &[docs()]).0, Tri::False);
        assert_eq!(
            run("domicile_regency == domicile_district", &[("domicile_regency", "18.07".into())]).0,
            Tri::Unknown
        );
    }
}
