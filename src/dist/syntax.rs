//! How distributions are written in specs: `{normal: {mean: 1.5, std: 2.0}}`,
//! or a mixture of such components.
//!
//! The visitors here check every value where it is read, so that a YAML
//! deserializer can point at the offending line, column and field path
//! (`data.mixture.weights`): a wrong parameter name is reported at the key,
//! an invalid value at the value, weights that do not sum to one at the list.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use super::param::{self, Constraint, ParamDef, ParamKind, ParamValue};
use super::{AnyDist, Dist, FamilyDef, MvNormal};

impl<'de> Deserialize<'de> for Dist {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DistVisitor(Accept::default()))
    }
}

struct DistVisitor(Accept);

impl<'de> Visitor<'de> for DistVisitor {
    type Value = Dist;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a distribution written as {family: {parameter: value, ...}}, e.g. {normal: {mean: 0, std: 1}}")
    }

    /// The text syntax, `normal(mean=0, std=1)`, is accepted too.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Dist, E> {
        let dist = super::text::parse_uni(v).map_err(|e| E::custom(format!("in `{v}` {e}")))?;
        let accept = self.0;
        accept.family(dist.family().name).map_err(E::custom)?;
        Ok(dist)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Dist, A::Error> {
        let accept = self.0;
        let family = map
            .next_key_seed(Key(|name: &str| accept.family(name)))?
            .ok_or_else(|| de::Error::custom("expected a family name, found an empty mapping"))?;
        params_of(family, map)
    }
}

/// The rest of `{family: {parameters}}` once the family's name is read:
/// its parameters, and nothing after them.
pub(crate) fn params_of<'de, A: MapAccess<'de>>(
    family: &'static FamilyDef,
    mut map: A,
) -> Result<Dist, A::Error> {
    let dist = map.next_value_seed(ParamsOf(family))?;
    if let Some(extra) = map.next_key::<String>()? {
        return Err(de::Error::custom(format!(
            "a distribution names exactly one family; found `{}` and `{extra}`",
            family.name
        )));
    }
    Ok(dist)
}

/// A distribution written in the text syntax, checked against `accept`.
pub(crate) fn from_text<E: de::Error>(v: &str, accept: Accept) -> Result<Dist, E> {
    DistVisitor(accept).visit_str(v)
}

/// Reads a map key and checks it with `check` inside the visitor, so that
/// an error points at the key itself rather than at its mapping.
pub(crate) struct Key<F>(pub(crate) F);

impl<'de, T, F: FnOnce(&str) -> Result<T, String>> DeserializeSeed<'de> for Key<F> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<T, F: FnOnce(&str) -> Result<T, String>> Visitor<'_> for Key<F> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.0)(v).map_err(E::custom)
    }
}

/// Which families a place in a spec accepts.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Accept {
    /// Only families whose parameters are all scalars.
    pub(crate) scalar_only: bool,
    /// Only families with a maximum-likelihood fit.
    pub(crate) fittable: bool,
    /// Only this family.
    pub(crate) only: Option<&'static str>,
}

impl Accept {
    /// Looks up a family, with a message listing the acceptable ones.
    pub(crate) fn family(self, name: &str) -> Result<&'static FamilyDef, String> {
        if name == super::MvNormal::NAME {
            return Err(
                "mvnormal is multivariate; a one-dimensional distribution is needed here".into(),
            );
        }
        let Some(family) = FamilyDef::find(name) else {
            return Err(format!(
                "unknown family `{name}`, expected one of: {}",
                FamilyDef::names()
            ));
        };
        if let Some(only) = self.only.filter(|&only| only != name) {
            return Err(format!(
                "only the {only} family can be used here, got {name}"
            ));
        }
        if self.scalar_only && !family.is_scalar() {
            return Err(format!(
                "the {name} family cannot be used here: only families with scalar parameters can"
            ));
        }
        if self.fittable && !family.has_fit {
            let fittable: Vec<&str> = super::FAMILIES
                .iter()
                .filter(|f| f.has_fit)
                .map(|f| f.name)
                .collect();
            return Err(format!(
                "the {name} family has no maximum-likelihood fit; use one of: {}",
                fittable.join(", ")
            ));
        }
        Ok(family)
    }
}

/// Reads the parameter mapping of `family` and builds the distribution.
struct ParamsOf(&'static FamilyDef);

impl<'de> DeserializeSeed<'de> for ParamsOf {
    type Value = Dist;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Dist, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ParamsOf {
    type Value = Dist;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the parameters of {} as a mapping: {}",
            self.0.name,
            param_list(self.0)
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Dist, A::Error> {
        let family = self.0;
        let mut values: Vec<Option<ParamValue>> = vec![None; family.params.len()];
        while let Some(index) = map.next_key_seed(ParamName(family))? {
            let def = &family.params[index];
            if values[index].is_some() {
                return Err(de::Error::custom(format!(
                    "parameter `{}` is given twice",
                    def.name
                )));
            }
            values[index] = Some(map.next_value_seed(ValueOf(*def))?);
        }
        let values = collect_params(family, values).map_err(de::Error::custom)?;
        family.build(&values).map_err(de::Error::custom)
    }
}

/// Turns per-parameter slots into values, naming the first missing one.
pub(crate) fn collect_params<T>(
    family: &FamilyDef,
    slots: Vec<Option<T>>,
) -> Result<Vec<T>, String> {
    slots
        .into_iter()
        .zip(family.params)
        .map(|(slot, def)| {
            slot.ok_or_else(|| {
                format!(
                    "missing parameter `{}` of {} (it takes {})",
                    def.name,
                    family.name,
                    param_list(family)
                )
            })
        })
        .collect()
}

fn param_list(family: &FamilyDef) -> String {
    let names: Vec<&str> = family.params.iter().map(|p| p.name).collect();
    names.join(", ")
}

/// Reads a parameter name as a map key; yields its index in the table.
pub(crate) struct ParamName(pub(crate) &'static FamilyDef);

impl<'de> DeserializeSeed<'de> for ParamName {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        let family = self.0;
        Key(|name: &str| {
            family
                .params
                .iter()
                .position(|p| p.name == name)
                .ok_or_else(|| {
                    format!(
                        "unknown parameter `{name}` of {}, expected: {}",
                        family.name,
                        param_list(family)
                    )
                })
        })
        .deserialize(deserializer)
    }
}

/// Reads one parameter value of the kind `def` declares.
struct ValueOf(ParamDef);

impl<'de> DeserializeSeed<'de> for ValueOf {
    type Value = ParamValue;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<ParamValue, D::Error> {
        let name = self.0.name;
        match self.0.kind {
            ParamKind::Scalar(constraint) => Checked { name, constraint }
                .deserialize(deserializer)
                .map(ParamValue::Scalar),
            ParamKind::Simplex => deserializer
                .deserialize_seq(SimplexVisitor(name))
                .map(ParamValue::Vector),
            ParamKind::Vector => deserializer
                .deserialize_seq(VectorVisitor(name))
                .map(ParamValue::Vector),
            ParamKind::Matrix => deserializer
                .deserialize_seq(MatrixVisitor(name))
                .map(ParamValue::Matrix),
            ParamKind::Components => {
                Vec::<Dist>::deserialize(deserializer).map(ParamValue::Components)
            }
        }
    }
}

/// A number checked against a constraint where it is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Checked {
    pub(crate) name: &'static str,
    pub(crate) constraint: Constraint,
}

impl<'de> DeserializeSeed<'de> for Checked {
    type Value = f64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<f64, D::Error> {
        // Any: a number, or a string holding an expression.
        deserializer.deserialize_any(self)
    }
}

impl Visitor<'_> for Checked {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.constraint)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        self.constraint
            .check(self.name, v)
            .map_err(|e| E::custom(e.message))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        self.visit_f64(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        self.visit_f64(v as f64)
    }

    /// An expression, `"2*sqrt(ab)"`, over the names of a `vary:` block.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        let value = crate::expr::value_of(v).map_err(E::custom)?;
        self.visit_f64(value)
    }
}

struct SimplexVisitor(&'static str);

impl<'de> Visitor<'de> for SimplexVisitor {
    type Value = Vec<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of weights that sum to 1")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<f64>, A::Error> {
        let seed = Checked {
            name: self.0,
            constraint: Constraint::Probability,
        };
        let mut weights = Vec::new();
        while let Some(w) = seq.next_element_seed(seed)? {
            weights.push(w);
        }
        param::check_simplex(self.0, &weights).map_err(|e| de::Error::custom(e.message))?;
        Ok(weights)
    }
}

/// A distribution whose family has a maximum-likelihood fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Fittable(pub Dist);

impl<'de> Deserialize<'de> for Fittable {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let accept = Accept {
            fittable: true,
            ..Accept::default()
        };
        deserializer
            .deserialize_map(DistVisitor(accept))
            .map(Fittable)
    }
}

impl Serialize for Fittable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// A finite number, checked where it is read.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Real(pub f64);

impl<'de> Deserialize<'de> for Real {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let checked = Checked {
            name: "value",
            constraint: Constraint::Real,
        };
        checked.deserialize(deserializer).map(Real)
    }
}

/// A finite number > 0, checked where it is read.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Positive(pub f64);

impl<'de> Deserialize<'de> for Positive {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let checked = Checked {
            name: "value",
            constraint: Constraint::Positive,
        };
        checked.deserialize(deserializer).map(Positive)
    }
}

/// A list of finite numbers, each checked where it is read.
struct VectorVisitor(&'static str);

impl<'de> DeserializeSeed<'de> for VectorVisitor {
    type Value = Vec<f64>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<f64>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for VectorVisitor {
    type Value = Vec<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of numbers")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<f64>, A::Error> {
        let seed = Checked {
            name: self.0,
            constraint: Constraint::Real,
        };
        let mut values = Vec::new();
        while let Some(v) = seq.next_element_seed(seed)? {
            values.push(v);
        }
        if values.is_empty() {
            return Err(de::Error::custom("the list is empty"));
        }
        Ok(values)
    }
}

/// A matrix as a list of rows of numbers.
struct MatrixVisitor(&'static str);

impl<'de> Visitor<'de> for MatrixVisitor {
    type Value = Vec<Vec<f64>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a matrix written as a list of rows, e.g. [[1, 0], [0, 1]]")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Vec<f64>>, A::Error> {
        let mut rows = Vec::new();
        while let Some(row) = seq.next_element_seed(VectorVisitor(self.0))? {
            rows.push(row);
        }
        if rows.is_empty() {
            return Err(de::Error::custom("the matrix is empty"));
        }
        Ok(rows)
    }
}

/// A distribution of any dimension: a one-dimensional one as for [`Dist`],
/// or `{mvnormal: {mean: [0, 0], cov: [[1, 0], [0, 1]]}}`, or either in the
/// text syntax.
impl<'de> Deserialize<'de> for AnyDist {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnyVisitor)
    }
}

struct AnyVisitor;

impl<'de> Visitor<'de> for AnyVisitor {
    type Value = AnyDist;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a distribution written as {family: {parameter: value, ...}}, e.g. {normal: {mean: 0, std: 1}} or {mvnormal: {mean: [0, 0], cov: [[1, 0], [0, 1]]}}",
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<AnyDist, E> {
        super::text::parse(v).map_err(|e| E::custom(format!("in `{v}` {e}")))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyDist, A::Error> {
        let family = map
            .next_key_seed(Key(|name: &str| {
                if name == MvNormal::NAME {
                    Ok(None)
                } else {
                    Accept::default().family(name).map(Some)
                }
            }))?
            .ok_or_else(|| de::Error::custom("expected a family name, found an empty mapping"))?;
        let Some(family) = family else {
            let mv = map.next_value_seed(MvParams)?;
            if let Some(extra) = map.next_key::<String>()? {
                return Err(de::Error::custom(format!(
                    "a distribution names exactly one family; found `mvnormal` and `{extra}`"
                )));
            }
            return Ok(AnyDist::MvNormal(mv));
        };
        params_of(family, map).map(AnyDist::Uni)
    }
}

/// The parameters of a multivariate normal, `{mean: [...], cov: [[...], ...]}`.
struct MvParams;

impl<'de> DeserializeSeed<'de> for MvParams {
    type Value = MvNormal;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<MvNormal, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MvParams {
    type Value = MvNormal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the parameters of mvnormal as a mapping: mean, cov")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MvNormal, A::Error> {
        let defs = MvNormal::PARAMS;
        let mut values: Vec<Option<ParamValue>> = vec![None; defs.len()];
        while let Some(index) = map.next_key_seed(Key(|name: &str| {
            defs.iter().position(|d| d.name == name).ok_or_else(|| {
                format!("unknown parameter `{name}` of mvnormal, expected: mean, cov")
            })
        }))? {
            if values[index].is_some() {
                return Err(de::Error::custom(format!(
                    "parameter `{}` is given twice",
                    defs[index].name
                )));
            }
            values[index] = Some(map.next_value_seed(ValueOf(defs[index]))?);
        }
        let values = values
            .into_iter()
            .zip(defs)
            .map(|(slot, def)| {
                slot.ok_or_else(|| {
                    de::Error::custom(format!(
                        "missing parameter `{}` of mvnormal (it takes mean, cov)",
                        def.name
                    ))
                })
            })
            .collect::<Result<Vec<_>, A::Error>>()?;
        MvNormal::from_params(&values).map_err(de::Error::custom)
    }
}

impl Serialize for AnyDist {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            AnyDist::Uni(d) => d.serialize(serializer),
            AnyDist::MvNormal(d) => {
                let mut outer = serializer.serialize_map(Some(1))?;
                outer.serialize_entry(MvNormal::NAME, &Params(MvNormal::PARAMS, d.params()))?;
                outer.end()
            }
        }
    }
}

impl Serialize for Dist {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let family = self.family();
        let mut outer = serializer.serialize_map(Some(1))?;
        outer.serialize_entry(family.name, &Params(family.params, self.params()))?;
        outer.end()
    }
}

struct Params(&'static [ParamDef], Vec<ParamValue>);

impl Serialize for Params {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (def, value) in self.0.iter().zip(&self.1) {
            match value {
                ParamValue::Scalar(x) => map.serialize_entry(def.name, x)?,
                ParamValue::Vector(xs) => map.serialize_entry(def.name, xs)?,
                ParamValue::Matrix(rows) => map.serialize_entry(def.name, rows)?,
                ParamValue::Components(ds) => map.serialize_entry(def.name, ds)?,
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Univariate;

    fn parse(src: &str) -> Result<Dist, String> {
        serde_yaml::from_str::<Dist>(src).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_a_normal_in_flow_and_block_style() {
        let a = parse("{normal: {mean: 1.5, std: 2}}").unwrap();
        let b = parse("normal:\n  std: 2.0\n  mean: 1.5\n").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.mean(), 1.5);
    }

    #[test]
    fn reads_a_mixture_of_normals() {
        let d = parse(
            "mixture:\n  weights: [0.3, 0.7]\n  components:\n    - {normal: {mean: -2, std: 0.6}}\n    - {normal: {mean: 1.5, std: 1}}\n",
        )
        .unwrap();
        assert!((d.mean() - 0.45).abs() < 1e-15);
    }

    #[test]
    fn errors_point_at_the_offending_value() {
        let e = parse("normal:\n  mean: 0\n  std: -1\n").unwrap_err();
        assert!(e.contains("normal.std"), "{e}");
        assert!(e.contains("line 3 column 8"), "{e}");
        assert!(e.contains("> 0"), "{e}");

        let e = parse("normal:\n  mean: 0\n  sd: 1\n").unwrap_err();
        assert!(e.contains("unknown parameter `sd`"), "{e}");
        assert!(e.contains("line 3 column 3"), "{e}");

        let e = parse("mixture:\n  weights: [0.3, 0.6]\n  components: [{normal: {mean: 0, std: 1}}, {normal: {mean: 1, std: 1}}]\n").unwrap_err();
        assert!(e.contains("mixture.weights"), "{e}");
        assert!(e.contains("sum to 1"), "{e}");
        assert!(e.contains("line 2"), "{e}");

        let e = parse("no_such_family: {shape: 1}\n").unwrap_err();
        assert!(e.contains("unknown family `no_such_family`"), "{e}");

        let e = parse("normal: {mean: 0}\n").unwrap_err();
        assert!(e.contains("missing parameter `std`"), "{e}");

        let e = parse("normal: {mean: zero, std: 1}\n").unwrap_err();
        assert!(e.contains("normal.mean"), "{e}");
    }

    #[test]
    fn reads_multivariate_normals_in_yaml_and_text_and_refuses_bad_ones() {
        let any = |src: &str| serde_yaml::from_str::<AnyDist>(src).map_err(|e| e.to_string());
        let a = any("{mvnormal: {mean: [0, 1], cov: [[1, 0.5], [0.5, 2]]}}").unwrap();
        let b = any("\"mvnormal(mean=[0, 1], cov=[[1, 0.5], [0.5, 2]])\"").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.family_name(), "mvnormal");
        let back: AnyDist = serde_yaml::from_str(&serde_yaml::to_string(&a).unwrap()).unwrap();
        assert_eq!(back, a);
        let n = any("{normal: {mean: 0, std: 1}}").unwrap();
        assert_eq!(
            n,
            AnyDist::Uni(parse("{normal: {mean: 0, std: 1}}").unwrap())
        );
        let e = any("mvnormal:\n  mean: [0, 0]\n  cov: [[1, 2], [2, 1]]\n").unwrap_err();
        assert!(e.contains("cov") && e.contains("positive definite"), "{e}");
        let e = any("{mvnormal: {mean: [0, 0]}}").unwrap_err();
        assert!(e.contains("missing parameter `cov`"), "{e}");
        let e = any("{mvnormal: {mean: [0, 0], covariance: [[1]]}}").unwrap_err();
        assert!(e.contains("unknown parameter `covariance`"), "{e}");
    }

    #[test]
    fn accepts_the_text_syntax_as_a_string() {
        let a = parse("\"normal(mean=1.5, std=2)\"").unwrap();
        assert_eq!(a, parse("{normal: {mean: 1.5, std: 2}}").unwrap());
        let e = parse("\"normal(mean=1.5, std=-2)\"").unwrap_err();
        assert!(e.contains("column 22") && e.contains("std"), "{e}");
    }

    #[test]
    fn serializes_back_to_the_same_syntax() {
        let src = "mixture:\n  weights: [0.3, 0.7]\n  components: [{normal: {mean: -2, std: 0.6}}, {normal: {mean: 1.5, std: 1}}]\n";
        let d = parse(src).unwrap();
        let yaml = serde_yaml::to_string(&d).unwrap();
        assert_eq!(parse(&yaml).unwrap(), d);
    }
}
