//! The model: which fields are compared and how, which blocking keys generate candidates,
//! the decision thresholds and the training settings. Read from a TOML file so that the
//! engine is not tied to one schema; the default model for the interchange format is
//! embedded from `models/interchange.toml`.

mod fingerprint;
mod kind;
mod spec;

use ahash::AHashMap;

pub use kind::{Kind, Transform};

use crate::error::ModelError;
use crate::name::NameNormaliser;

const INTERCHANGE_TOML: &str = include_str!("../../models/interchange.toml");

/// A validated model, ready to prepare records and score pairs.
#[derive(Debug, Clone)]
pub struct Model {
    name: String,
    id_column: String,
    id_aliases: Vec<String>,
    fields: Vec<Field>,
    columns: Vec<String>,
    column_lookup: AHashMap<String, usize>,
    blocking_rules: Vec<BlockingRule>,
    groups: Vec<FieldGroup>,
    thresholds: Thresholds,
    training: TrainingSettings,
    max_block_size: usize,
    normaliser: NameNormaliser,
}

/// One compared field.
#[derive(Debug, Clone)]
pub struct Field {
    /// Field name, as in explanations.
    pub name: String,
    /// How values are prepared and compared.
    pub kind: Kind,
    /// Input columns whose values are joined (with a space) to form this field's value.
    pub columns: Vec<usize>,
    /// Whether agreement on a common value counts less than on a rare one.
    pub term_frequency: bool,
    /// Similarity at or above which two different values are [`crate::Level::Close`].
    pub close_threshold: f64,
    /// Similarity at or above which two different values are [`crate::Level::Partial`].
    pub partial_threshold: f64,
    /// Default probability of each evidence level among true matches.
    pub default_m: [f64; 5],
    /// Default probability of each evidence level among non-matches.
    pub default_u: [f64; 5],
    /// For a parent's-name field: the name field whose "bin/binti" part stands in when this
    /// field is empty.
    pub patronym_from: Option<usize>,
    /// A field whose value may have been entered in this one's place (given name and
    /// surname swapped): crossed agreement on both counts as equivalent.
    pub swap_with: Option<usize>,
    /// Whether estimation may replace `default_m` (false keeps the file's m: used where
    /// the data cannot tell, e.g. names, whose disagreement EM would learn from twins).
    pub estimate_m: bool,
}

/// Fields whose agreements are correlated among non-matches (a household shares address,
/// phone and parents; a NIK repeats the birth date and sex): their positive weights are
/// scaled down together so that their sum never exceeds the group's cap.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldGroup {
    /// Group name, as in explanations.
    pub name: String,
    /// Member fields, by index.
    pub fields: Vec<usize>,
    /// Most the members' agreements may add together.
    pub cap: GroupCap,
}

/// How far a group's agreements together may raise a pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GroupCap {
    /// At most this many bits, whatever the register's size.
    Bits(f64),
    /// Together with the prior, to at most these log2 odds. Agreement on everything a
    /// household shares narrows the register down to that household, so its worth grows
    /// with the register (log2 of its size) while the odds it leaves do not: a fixed
    /// number of bits would mean more at 100,000 records than at 1,000,000.
    Log2Odds(f64),
}

impl GroupCap {
    /// The cap in bits for a population whose prior log2 odds are `prior_log2_odds`.
    pub fn bits(self, prior_log2_odds: f64) -> f64 {
        match self {
            Self::Bits(bits) => bits,
            Self::Log2Odds(odds) => (odds - prior_log2_odds).max(0.0),
        }
    }
}

/// A blocking rule: records sharing all parts of the key become candidate pairs.
#[derive(Debug, Clone)]
pub struct BlockingRule {
    /// Rule name, as in diagnostics.
    pub name: String,
    /// The key parts, each a field and a transform of its value.
    pub parts: Vec<KeyPart>,
    /// Whether estimation learns m from this rule's pairs. Rules whose pairs are mostly
    /// relatives (same mother, same phone) teach two-class EM that relatives are matches.
    pub train: bool,
    /// Blocks of this rule larger than this are skipped (batch) or not searched (screening).
    pub max_block_size: usize,
}

/// One part of a blocking key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPart {
    /// Index into [`Model::fields`].
    pub field: usize,
    /// What of the value the key uses.
    pub transform: Transform,
}

/// Probability thresholds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// At or above: the candidate is the same person beyond reasonable doubt.
    pub auto_link: f64,
    /// At or above (and below `auto_link`): an officer should look.
    pub review: f64,
    /// At or above: batch linking puts the pair in one cluster.
    pub link: f64,
}

/// Parameter-estimation settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainingSettings {
    /// Prior expectation of how many other records of the same person a record has, used
    /// when the data is too small to estimate it.
    pub matches_per_record: f64,
    /// Below this many records, m probabilities keep their defaults.
    pub min_records: usize,
    /// Random pairs drawn to estimate u probabilities.
    pub u_sample_pairs: usize,
    /// Candidate pairs per blocking rule used by expectation-maximisation.
    pub em_max_pairs: usize,
    /// Maximum expectation-maximisation iterations.
    pub em_iterations: usize,
    /// Seed of the deterministic sampler.
    pub seed: u64,
}

impl Model {
    /// The embedded default model for the interchange format (`models/interchange.toml`).
    pub fn interchange() -> Result<Self, ModelError> {
        Self::from_toml(INTERCHANGE_TOML)
    }

    /// Parses and validates a model file.
    pub fn from_toml(source: &str) -> Result<Self, ModelError> {
        let file: spec::ModelFile = toml::from_str(source)
            .map_err(|err| ModelError::Syntax { message: err.to_string() })?;
        Self::compile(file)
    }

    fn compile(file: spec::ModelFile) -> Result<Self, ModelError> {
        if file.fields.is_empty() {
            return Err(ModelError::NoFields);
        }
        let thresholds = Thresholds {
            auto_link: probability("thresholds.auto_link", file.thresholds.auto_link)?,
            review: probability("thresholds.review", file.thresholds.review)?,
            link: probability("thresholds.link", file.thresholds.link)?,
        };
        if thresholds.review > thresholds.auto_link {
            return Err(ModelError::InvalidSetting {
                setting: "thresholds.review".into(),
                value: thresholds.review,
                reason: "must not exceed thresholds.auto_link",
            });
        }
        let training = compile_training(&file.training)?;
        if file.blocking.max_block_size < 2 {
            return Err(ModelError::InvalidSetting {
                setting: "blocking.max_block_size".into(),
                value: file.blocking.max_block_size as f64,
                reason: "a block needs at least two records",
            });
        }

        let mut columns: Vec<String> = Vec::new();
        let mut column_lookup: AHashMap<String, usize> = AHashMap::new();
        let mut field_index: AHashMap<String, usize> = AHashMap::new();
        let mut fields = Vec::with_capacity(file.fields.len());
        for (position, spec) in file.fields.iter().enumerate() {
            if field_index.insert(spec.name.clone(), position).is_some() {
                return Err(ModelError::DuplicateField { field: spec.name.clone() });
            }
            fields.push(compile_field(spec, &mut columns, &mut column_lookup)?);
        }
        for (field, spec) in fields.iter_mut().zip(&file.fields) {
            if let Some(source) = &spec.patronym_from {
                let index = *field_index.get(source).ok_or_else(|| ModelError::InvalidField {
                    field: spec.name.clone(),
                    reason: format!("patronym_from names unknown field {source:?}"),
                })?;
                if file.fields[index].kind != "name" || field.kind != Kind::Name {
                    return Err(ModelError::InvalidField {
                        field: spec.name.clone(),
                        reason: "patronym_from links two fields of kind \"name\"".into(),
                    });
                }
                field.patronym_from = Some(index);
            }
            if let Some(other) = &spec.swap_with {
                let index = *field_index.get(other).ok_or_else(|| ModelError::InvalidField {
                    field: spec.name.clone(),
                    reason: format!("swap_with names unknown field {other:?}"),
                })?;
                if file.fields[index].kind != spec.kind
                    || !matches!(field.kind, Kind::Text | Kind::Name)
                {
                    return Err(ModelError::InvalidField {
                        field: spec.name.clone(),
                        reason: "swap_with links two fields of the same kind, text or name".into(),
                    });
                }
                field.swap_with = Some(index);
            }
        }
        let id_column = file.id.column.trim().to_lowercase();
        if column_lookup.contains_key(&id_column) {
            return Err(ModelError::InvalidField {
                field: id_column,
                reason: "the id column cannot also be a compared field".into(),
            });
        }
        let blocking_rules = file
            .blocks
            .iter()
            .map(|block| compile_block(block, &fields, &field_index, file.blocking.max_block_size))
            .collect::<Result<_, _>>()?;
        let groups = compile_groups(&file.groups, &field_index)?;
        if fields.len() > MAX_FIELDS {
            return Err(ModelError::InvalidSetting {
                setting: "field".into(),
                value: fields.len() as f64,
                reason: "a model compares at most 21 fields",
            });
        }
        Ok(Self {
            name: file.name,
            id_column,
            id_aliases: file.id.aliases.iter().map(|a| a.trim().to_lowercase()).collect(),
            fields,
            columns,
            column_lookup,
            blocking_rules,
            groups,
            thresholds,
            training,
            max_block_size: file.blocking.max_block_size,
            normaliser: NameNormaliser::embedded()?,
        })
    }

    /// Model name, from the file.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Name of the id column in input files.
    pub fn id_column(&self) -> &str {
        &self.id_column
    }

    /// Whether `header` (trimmed, any case) names the id column.
    pub fn is_id_column(&self, header: &str) -> bool {
        let header = header.trim().to_lowercase();
        header == self.id_column || self.id_aliases.contains(&header)
    }

    /// The compared fields, in file order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// Input column names (lower case), in first-use order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Position of an input column by name or alias (trimmed, any case).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        let key = name.trim().to_lowercase();
        self.column_lookup.get(&key).copied()
    }

    /// The blocking rules, in file order.
    pub fn blocking_rules(&self) -> &[BlockingRule] {
        &self.blocking_rules
    }

    /// Groups of correlated fields.
    pub fn groups(&self) -> &[FieldGroup] {
        &self.groups
    }

    /// Decision thresholds.
    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// Parameter-estimation settings.
    pub fn training(&self) -> TrainingSettings {
        self.training
    }

    /// Blocks larger than this are skipped (batch) or not searched (screening).
    pub fn max_block_size(&self) -> usize {
        self.max_block_size
    }

    /// The name normaliser used for fields of kind `name`.
    pub fn normaliser(&self) -> &NameNormaliser {
        &self.normaliser
    }

    /// Returns a copy with another batch link threshold.
    pub fn with_link_threshold(mut self, link: f64) -> Result<Self, ModelError> {
        self.thresholds.link = probability("thresholds.link", link)?;
        Ok(self)
    }
}

fn probability(setting: &str, value: f64) -> Result<f64, ModelError> {
    if value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(ModelError::InvalidSetting {
            setting: setting.to_owned(),
            value,
            reason: "must be strictly between 0 and 1",
        })
    }
}

fn compile_training(spec: &spec::TrainingSpec) -> Result<TrainingSettings, ModelError> {
    if !(spec.matches_per_record > 0.0 && spec.matches_per_record.is_finite()) {
        return Err(ModelError::InvalidSetting {
            setting: "training.matches_per_record".into(),
            value: spec.matches_per_record,
            reason: "must be a positive number",
        });
    }
    Ok(TrainingSettings {
        matches_per_record: spec.matches_per_record,
        min_records: spec.min_records,
        u_sample_pairs: spec.u_sample_pairs.max(1),
        em_max_pairs: spec.em_max_pairs.max(1),
        em_iterations: spec.em_iterations,
        seed: spec.seed,
    })
}

fn compile_field(
    spec: &spec::FieldSpec,
    columns: &mut Vec<String>,
    column_lookup: &mut AHashMap<String, usize>,
) -> Result<Field, ModelError> {
    let kind = Kind::parse(&spec.kind).ok_or_else(|| ModelError::UnknownKind {
        field: spec.name.clone(),
        kind: spec.kind.clone(),
        expected: Kind::EXPECTED,
    })?;
    let invalid = |reason: String| ModelError::InvalidField { field: spec.name.clone(), reason };
    if !spec.columns.is_empty() && !spec.aliases.is_empty() {
        return Err(invalid(
            "aliases apply to a single-column field; rename the columns instead".into(),
        ));
    }
    let names: Vec<String> =
        if spec.columns.is_empty() { vec![spec.name.clone()] } else { spec.columns.clone() };
    let mut indices = Vec::with_capacity(names.len());
    for name in &names {
        let key = name.trim().to_lowercase();
        let index = *column_lookup.entry(key.clone()).or_insert_with(|| {
            columns.push(key.clone());
            columns.len() - 1
        });
        indices.push(index);
    }
    for alias in &spec.aliases {
        let key = alias.trim().to_lowercase();
        if let Some(existing) = column_lookup.insert(key.clone(), indices[0])
            && existing != indices[0]
        {
            return Err(invalid(format!("alias {key:?} already names another column")));
        }
    }
    let (default_close, default_partial) = kind.default_thresholds();
    let close_threshold = spec.close.unwrap_or(default_close);
    let partial_threshold = spec.partial.unwrap_or(default_partial);
    if !(0.0..=1.0).contains(&close_threshold)
        || !(0.0..=1.0).contains(&partial_threshold)
        || partial_threshold > close_threshold
    {
        return Err(invalid("close and partial must lie in 0..=1 with partial <= close".into()));
    }
    let (kind_m, kind_u) = kind.default_parameters();
    let default_m = checked_distribution(spec.m.unwrap_or(kind_m))
        .map_err(|reason| invalid(format!("m: {reason}")))?;
    let default_u = checked_distribution(spec.u.unwrap_or(kind_u))
        .map_err(|reason| invalid(format!("u: {reason}")))?;
    Ok(Field {
        name: spec.name.clone(),
        kind,
        columns: indices,
        term_frequency: spec.term_frequency,
        close_threshold,
        partial_threshold,
        default_m,
        default_u,
        patronym_from: None,
        swap_with: None,
        estimate_m: spec.estimate_m,
    })
}

/// Checks a probability distribution over the five evidence levels and normalises it.
fn checked_distribution(values: [f64; 5]) -> Result<[f64; 5], &'static str> {
    if values.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err("probabilities must be finite and non-negative");
    }
    let total: f64 = values.iter().sum();
    if total <= 0.0 {
        return Err("probabilities must not all be zero");
    }
    Ok(values.map(|v| v / total))
}

/// Most fields a model may compare: comparison patterns pack three bits per field in a u64.
pub(crate) const MAX_FIELDS: usize = 21;

fn compile_groups(
    specs: &[spec::GroupSpec],
    field_index: &AHashMap<String, usize>,
) -> Result<Vec<FieldGroup>, ModelError> {
    let mut groups = Vec::with_capacity(specs.len());
    for spec in specs {
        let cap = match (spec.max_weight, spec.max_log2_odds) {
            (Some(bits), None) if bits > 0.0 && bits.is_finite() => GroupCap::Bits(bits),
            (Some(bits), None) => {
                return Err(ModelError::InvalidSetting {
                    setting: format!("group {}.max_weight", spec.name),
                    value: bits,
                    reason: "must be a positive number of bits",
                });
            }
            (None, Some(odds)) if odds.is_finite() => GroupCap::Log2Odds(odds),
            (None, Some(odds)) => {
                return Err(ModelError::InvalidSetting {
                    setting: format!("group {}.max_log2_odds", spec.name),
                    value: odds,
                    reason: "must be a finite number",
                });
            }
            _ => {
                return Err(ModelError::InvalidGroup {
                    group: spec.name.clone(),
                    reason: "set exactly one of max_weight and max_log2_odds",
                });
            }
        };
        let mut fields = Vec::with_capacity(spec.fields.len());
        for name in &spec.fields {
            let index = *field_index.get(name).ok_or_else(|| ModelError::InvalidField {
                field: name.clone(),
                reason: format!("group {:?} names an unknown field", spec.name),
            })?;
            if fields.contains(&index) {
                return Err(ModelError::InvalidField {
                    field: name.clone(),
                    reason: format!("listed twice in group {:?}", spec.name),
                });
            }
            fields.push(index);
        }
        groups.push(FieldGroup { name: spec.name.clone(), fields, cap });
    }
    // Groups may nest (a group inside a larger one: its capped total then counts towards
    // the larger group's cap) but not overlap otherwise.
    for (i, a) in groups.iter().enumerate() {
        for b in &groups[i + 1..] {
            let shared = a.fields.iter().filter(|f| b.fields.contains(f)).count();
            if shared > 0 && shared < a.fields.len().min(b.fields.len()) {
                return Err(ModelError::InvalidField {
                    field: a.name.clone(),
                    reason: format!("groups {:?} and {:?} overlap without nesting", a.name, b.name),
                });
            }
        }
    }
    // Inner groups first: caps apply in this order.
    groups.sort_by_key(|group| group.fields.len());
    Ok(groups)
}

fn compile_block(
    spec: &spec::BlockSpec,
    fields: &[Field],
    field_index: &AHashMap<String, usize>,
    default_max_block_size: usize,
) -> Result<BlockingRule, ModelError> {
    let invalid =
        |reason: String| ModelError::InvalidBlockingRule { rule: spec.name.clone(), reason };
    if spec.keys.is_empty() {
        return Err(invalid("keys is empty".into()));
    }
    let mut parts = Vec::with_capacity(spec.keys.len());
    for key in &spec.keys {
        let (field_name, transform_name) = key.split_once(':').unwrap_or((key.as_str(), "value"));
        let field = *field_index
            .get(field_name.trim())
            .ok_or_else(|| invalid(format!("key {key:?} names unknown field {field_name:?}")))?;
        let transform = Transform::parse(transform_name.trim()).ok_or_else(|| {
            invalid(format!(
                "key {key:?}: unknown transform (expected one of {})",
                Transform::EXPECTED
            ))
        })?;
        if !transform.applies_to(fields[field].kind) {
            return Err(invalid(format!(
                "key {key:?}: transform {transform_name:?} does not apply to a field of kind {}",
                fields[field].kind.as_str()
            )));
        }
        parts.push(KeyPart { field, transform });
    }
    if parts.iter().filter(|part| part.transform == Transform::Tokens).count() > 1 {
        return Err(invalid("at most one key part may use the tokens transform".into()));
    }
    let max_block_size = spec.max_block_size.unwrap_or(default_max_block_size);
    if max_block_size < 2 {
        return Err(invalid("max_block_size must be at least 2".into()));
    }
    Ok(BlockingRule { name: spec.name.clone(), parts, train: spec.train, max_block_size })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
name = "t"
id = { column = "id" }
[[field]]
name = "full_name"
kind = "name"
[[block]]
name = "by_name"
keys = ["full_name"]
"#;

    #[test]
    fn the_embedded_interchange_model_is_valid() {
        let model = Model::interchange().unwrap();
        assert_eq!(model.id_column(), "application_id");
        assert!(model.is_id_column("No_Permohonan "));
        assert!(model.column_index("nama_lengkap").is_some());
        assert!(model.fields().iter().any(|f| f.kind == Kind::Nik));
    }

    #[test]
    fn a_minimal_model_compiles_with_defaults() {
        let model = Model::from_toml(MINIMAL).unwrap();
        assert_eq!(model.thresholds().link, 0.5);
        assert_eq!(model.blocking_rules()[0].parts[0].transform, Transform::Value);
    }

    #[test]
    fn an_unknown_kind_names_the_field() {
        let source = MINIMAL.replace("kind = \"name\"", "kind = \"nam\"");
        let err = Model::from_toml(&source).unwrap_err();
        assert!(
            matches!(err, ModelError::UnknownKind { ref field, .. } if field == "full_name"),
            "{err}"
        );
    }

    #[test]
    fn a_blocking_key_on_an_unknown_field_names_the_rule() {
        let source = MINIMAL.replace("keys = [\"full_name\"]", "keys = [\"nik\"]");
        let err = Model::from_toml(&source).unwrap_err();
        assert!(
            matches!(err, ModelError::InvalidBlockingRule { ref rule, .. } if rule == "by_name"),
            "{err}"
        );
    }

    #[test]
    fn a_transform_that_does_not_fit_the_kind_is_rejected() {
        let source = MINIMAL.replace("keys = [\"full_name\"]", "keys = [\"full_name:year\"]");
        let err = Model::from_toml(&source).unwrap_err();
        assert!(matches!(err, ModelError::InvalidBlockingRule { .. }), "{err}");
    }

    #[test]
    fn syntax_errors_carry_the_line() {
        let err = Model::from_toml("name = \"t\"\nid = \n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn a_group_sets_exactly_one_cap() {
        let group = |cap: &str| {
            format!("{MINIMAL}\n[[group]]\nname = \"family\"\nfields = [\"full_name\"]\n{cap}\n")
        };
        let model = Model::from_toml(&group("max_log2_odds = 2.5")).unwrap();
        assert_eq!(model.groups()[0].cap, GroupCap::Log2Odds(2.5));
        assert_eq!(model.groups()[0].cap.bits(-20.0), 22.5);
        let model = Model::from_toml(&group("max_weight = 20.0")).unwrap();
        assert_eq!(model.groups()[0].cap.bits(-20.0), 20.0);
        for cap in ["", "max_weight = 20.0\nmax_log2_odds = 2.5"] {
            let err = Model::from_toml(&group(cap)).unwrap_err();
            assert!(
                matches!(err, ModelError::InvalidGroup { ref group, .. } if group == "family"),
                "{err}"
            );
        }
        let err = Model::from_toml(&group("max_weight = -1.0")).unwrap_err();
        assert!(err.to_string().contains("group family.max_weight"), "{err}");
    }

    #[test]
    fn groups_may_nest_inner_first_but_not_overlap() {
        let source = |fields_a: &str, fields_b: &str| {
            format!(
                "{MINIMAL}\n[[field]]\nname = \"nik\"\nkind = \"nik\"\n[[field]]\nname = \"sex\"\nkind = \"category\"\n\
                 [[group]]\nname = \"outer\"\nfields = [{fields_a}]\nmax_log2_odds = 2.0\n\
                 [[group]]\nname = \"inner\"\nfields = [{fields_b}]\nmax_weight = 10.0\n"
            )
        };
        let model =
            Model::from_toml(&source(r#""full_name", "nik", "sex""#, r#""nik", "sex""#)).unwrap();
        let names: Vec<&str> = model.groups().iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["inner", "outer"]);
        let err =
            Model::from_toml(&source(r#""full_name", "nik""#, r#""nik", "sex""#)).unwrap_err();
        assert!(err.to_string().contains("overlap"), "{err}");
    }

    #[test]
    fn thresholds_must_be_ordered() {
        let source = format!("{MINIMAL}\n[thresholds]\nauto_link = 0.6\nreview = 0.7\n");
        let err = Model::from_toml(&source).unwrap_err();
        assert!(matches!(err, ModelError::InvalidSetting { .. }), "{err}");
    }
}
