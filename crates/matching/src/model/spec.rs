//! The model file as written (TOML), before validation. See `models/interchange.toml` for
//! a documented example of every setting.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModelFile {
    pub name: String,
    pub id: IdSpec,
    #[serde(default)]
    pub thresholds: ThresholdSpec,
    #[serde(default)]
    pub training: TrainingSpec,
    #[serde(default)]
    pub blocking: BlockingSpec,
    #[serde(rename = "field", default)]
    pub fields: Vec<FieldSpec>,
    #[serde(rename = "block", default)]
    pub blocks: Vec<BlockSpec>,
    #[serde(rename = "group", default)]
    pub groups: Vec<GroupSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GroupSpec {
    pub name: String,
    pub fields: Vec<String>,
    #[serde(default)]
    pub max_weight: Option<f64>,
    #[serde(default)]
    pub max_log2_odds: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IdSpec {
    pub column: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ThresholdSpec {
    pub auto_link: f64,
    pub review: f64,
    pub link: f64,
}

impl Default for ThresholdSpec {
    fn default() -> Self {
        Self { auto_link: 0.99, review: 0.5, link: 0.5 }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct TrainingSpec {
    pub matches_per_record: f64,
    pub min_records: usize,
    pub u_sample_pairs: usize,
    pub em_max_pairs: usize,
    pub em_iterations: usize,
    pub seed: u64,
}

impl Default for TrainingSpec {
    fn default() -> Self {
        Self {
            matches_per_record: 0.5,
            min_records: 500,
            u_sample_pairs: 100_000,
            em_max_pairs: 100_000,
            em_iterations: 40,
            seed: 0x4a45_4a41_4b00_0001,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct BlockingSpec {
    pub max_block_size: usize,
}

impl Default for BlockingSpec {
    fn default() -> Self {
        Self { max_block_size: 250 }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FieldSpec {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub term_frequency: bool,
    pub close: Option<f64>,
    pub partial: Option<f64>,
    pub m: Option<[f64; 5]>,
    pub u: Option<[f64; 5]>,
    pub patronym_from: Option<String>,
    pub swap_with: Option<String>,
    #[serde(default = "yes")]
    pub estimate_m: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BlockSpec {
    pub name: String,
    pub keys: Vec<String>,
    #[serde(default = "yes")]
    pub train: bool,
    pub max_block_size: Option<usize>,
}
