//! Native predicates: the common shapes of rule conditions, compiled to plain Rust at load.
//!
//! CEL stays the language of rules. But most conditions are one of a few shapes — a scene
//! test, a score against a threshold, a link of some category, a restricted function — and
//! evaluating those through the interpreter costs more than the analysis that found the
//! facts: every fact is first copied into CEL values. So at load each condition is also
//! compiled, when it can be, into a [`Predicate`] over the facts themselves, with the
//! profile's flags and thresholds folded in as constants:
//!
//! ```text
//! scene == "moment" && links.exists(l, l.category == "ecommerce" && l.foreign)
//! scene in ["group", "comment"] && [scores.fraud, scores.spam].exists(s, s >= thresholds.hold)
//! "share_codes" in sender.restrictions
//! ```
//!
//! A condition with any other part (a function call, arithmetic, a field the predicates do
//! not read) is not compiled and runs in CEL. A compiled one answers "I cannot say" where the
//! interpreter could fail (a score the facts do not carry): the rule then runs in CEL for that
//! message, so its result and its error are the interpreter's own. Every example and case of
//! a profile is decided both ways by `menshen policy test`, which reports any difference.

use cel::common::ast::{ComprehensionExpr, Expr, LiteralValue, operators};
use cel::parser::Expression;
use menshen_detect::{Category, Facts};

use crate::{Sanctions, Scene, Situation};

/// A compiled condition.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Predicate {
    Const(bool),
    Not(Box<Predicate>),
    And(Box<Predicate>, Box<Predicate>),
    Or(Box<Predicate>, Box<Predicate>),
    /// The scene is one of these (bit `i` for `Scene::ALL[i]`).
    Scene(u8),
    /// `"FUNCTION" in sender.restrictions`.
    Restricted(String),
    /// One of the named scores compares so with `value` (`scores.fraud >= thresholds.warn`, or
    /// `[scores.a, scores.b].exists(s, s >= 0.8)`).
    Score {
        names: Vec<String>,
        cmp: Cmp,
        value: f64,
    },
    /// Some link satisfies the inner predicate (`links.exists(l, …)`).
    AnyLink(Box<Predicate>),
    /// Some share code satisfies the inner predicate (`share_codes.exists(c, …)`).
    AnyShareCode(Box<Predicate>),
    /// A test of the link in hand: the `exists` variable, or `link` in a per-link rule.
    Link(LinkTest),
    /// A test of the share code in hand.
    ShareCode(CodeTest),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Cmp {
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
}

impl Cmp {
    fn of(operator: &str) -> Option<Self> {
        Some(match operator {
            operators::LESS => Cmp::Less,
            operators::LESS_EQUALS => Cmp::LessEqual,
            operators::GREATER => Cmp::Greater,
            operators::GREATER_EQUALS => Cmp::GreaterEqual,
            _ => return None,
        })
    }

    /// The same comparison with its sides swapped (`0.8 <= s` is `s >= 0.8`).
    fn flipped(self) -> Self {
        match self {
            Cmp::Less => Cmp::Greater,
            Cmp::LessEqual => Cmp::GreaterEqual,
            Cmp::Greater => Cmp::Less,
            Cmp::GreaterEqual => Cmp::LessEqual,
        }
    }

    fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Cmp::Less => left < right,
            Cmp::LessEqual => left <= right,
            Cmp::Greater => left > right,
            Cmp::GreaterEqual => left >= right,
        }
    }
}

/// What a predicate can read of a link.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum LinkTest {
    /// Its category is one of these.
    Category(Vec<Category>),
    Foreign,
    Sanctioned,
    Obfuscated,
    /// `l.host == "…"`, `l.domain == "…"`, `l.platform == "…"` (absent reads `""`).
    Text(LinkText, String),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum LinkText {
    Host,
    Domain,
    Platform,
}

/// What a predicate can read of a share code.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum CodeTest {
    Foreign,
    Sanctioned,
    /// `c.platform == "…"`.
    Platform(String),
    /// `c.kind == "…"`.
    Kind(String),
}

/// What a condition's constants resolve against: the profile's flags and thresholds.
pub(crate) struct Constants<'a> {
    pub flags: &'a std::collections::BTreeMap<String, bool>,
    pub thresholds: &'a std::collections::BTreeMap<String, f64>,
}

/// The item an `exists` variable (or a per-link rule's `link`) stands for.
#[derive(Clone, Copy, PartialEq)]
enum Item {
    Link,
    ShareCode,
}

/// Compile a condition, or `None` when some part of it is not one of the native shapes.
/// `link` says whether the rule runs per link (with `link` bound).
pub(crate) fn compile(
    expr: &Expression,
    constants: &Constants<'_>,
    link: bool,
) -> Option<Predicate> {
    let scope = link.then_some(("link", Item::Link));
    Compiler { constants }.predicate(expr, scope)
}

struct Compiler<'a> {
    constants: &'a Constants<'a>,
}

/// A scene set from the scenes' names (a name that is no scene matches nothing, as in CEL).
fn scenes<'e>(names: impl IntoIterator<Item = &'e str>) -> u8 {
    names.into_iter().fold(0, |bits, name| {
        Scene::ALL
            .iter()
            .position(|s| s.as_str() == name)
            .map_or(bits, |i| bits | 1 << i)
    })
}

fn string(expr: &Expression) -> Option<&str> {
    match &expr.expr {
        Expr::Literal(LiteralValue::String(s)) => Some(s.inner()),
        _ => None,
    }
}

fn ident(expr: &Expression) -> Option<&str> {
    match &expr.expr {
        Expr::Ident(name) => Some(name),
        _ => None,
    }
}

/// `root.field` or `root["field"]`.
fn member(expr: &Expression) -> Option<(&str, &str)> {
    match &expr.expr {
        Expr::Select(select) if !select.test => Some((ident(&select.operand)?, &select.field)),
        Expr::Call(call) if call.func_name == operators::INDEX && call.args.len() == 2 => {
            Some((ident(&call.args[0])?, string(&call.args[1])?))
        }
        _ => None,
    }
}

fn string_list(expr: &Expression) -> Option<Vec<&str>> {
    match &expr.expr {
        Expr::List(list) if list.optional_indices.is_empty() => {
            list.elements.iter().map(string).collect()
        }
        _ => None,
    }
}

/// The `exists` macro as the parser expands it: `range.exists(var, body)`.
fn exists(comprehension: &ComprehensionExpr) -> Option<(&Expression, &str, &Expression)> {
    let accumulator = comprehension.accu_var.as_str();
    let starts_false = matches!(
        &comprehension.accu_init.expr,
        Expr::Literal(LiteralValue::Boolean(b)) if !*b.inner()
    );
    let Expr::Call(step) = &comprehension.loop_step.expr else {
        return None;
    };
    let or_accumulates = step.func_name == operators::LOGICAL_OR
        && step.args.len() == 2
        && ident(&step.args[0]) == Some(accumulator);
    let returns_accumulator = ident(&comprehension.result) == Some(accumulator);
    (starts_false && or_accumulates && returns_accumulator && comprehension.iter_var2.is_none())
        .then(|| {
            (
                &comprehension.iter_range,
                comprehension.iter_var.as_str(),
                &step.args[1],
            )
        })
}

impl Compiler<'_> {
    fn predicate(&self, expr: &Expression, item: Option<(&str, Item)>) -> Option<Predicate> {
        match &expr.expr {
            Expr::Literal(LiteralValue::Boolean(b)) => Some(Predicate::Const(*b.inner())),
            Expr::Comprehension(comprehension) => self.exists(comprehension),
            Expr::Call(call) if call.target.is_none() => {
                let args = &call.args;
                match (call.func_name.as_str(), args.len()) {
                    (operators::LOGICAL_NOT, 1) => {
                        Some(Predicate::Not(Box::new(self.predicate(&args[0], item)?)))
                    }
                    (operators::LOGICAL_AND, 2) => Some(Predicate::And(
                        Box::new(self.predicate(&args[0], item)?),
                        Box::new(self.predicate(&args[1], item)?),
                    )),
                    (operators::LOGICAL_OR, 2) => Some(Predicate::Or(
                        Box::new(self.predicate(&args[0], item)?),
                        Box::new(self.predicate(&args[1], item)?),
                    )),
                    (operators::EQUALS, 2) => self.equals(&args[0], &args[1], item),
                    (operators::NOT_EQUALS, 2) => Some(Predicate::Not(Box::new(
                        self.equals(&args[0], &args[1], item)?,
                    ))),
                    (operators::IN, 2) => self.within(&args[0], &args[1], item),
                    (operator, 2) => {
                        let cmp = Cmp::of(operator)?;
                        self.score(&args[0], cmp, &args[1])
                            .or_else(|| self.score(&args[1], cmp.flipped(), &args[0]))
                    }
                    _ => None,
                }
            }
            _ => self.flag(expr, item),
        }
    }

    /// A boolean read on its own: `flags.name`, `l.foreign`, `c.sanctioned`, ….
    fn flag(&self, expr: &Expression, item: Option<(&str, Item)>) -> Option<Predicate> {
        let (root, field) = member(expr)?;
        if root == "flags" {
            return self
                .constants
                .flags
                .get(field)
                .map(|&on| Predicate::Const(on));
        }
        match item {
            Some((var, Item::Link)) if var == root => Some(Predicate::Link(match field {
                "foreign" => LinkTest::Foreign,
                "sanctioned" => LinkTest::Sanctioned,
                "obfuscated" => LinkTest::Obfuscated,
                _ => return None,
            })),
            Some((var, Item::ShareCode)) if var == root => {
                Some(Predicate::ShareCode(match field {
                    "foreign" => CodeTest::Foreign,
                    "sanctioned" => CodeTest::Sanctioned,
                    _ => return None,
                }))
            }
            _ => None,
        }
    }

    /// `left == right`, in either order.
    fn equals(
        &self,
        left: &Expression,
        right: &Expression,
        item: Option<(&str, Item)>,
    ) -> Option<Predicate> {
        let (value, other) = match (string(left), string(right)) {
            (Some(value), None) => (value, right),
            (None, Some(value)) => (value, left),
            _ => return None,
        };
        self.text_test(other, &[value], item)
    }

    /// `needle in haystack`: a field in a list of strings, or a string in the sender's
    /// restrictions.
    fn within(
        &self,
        needle: &Expression,
        haystack: &Expression,
        item: Option<(&str, Item)>,
    ) -> Option<Predicate> {
        if let (Some(function), Some(("sender", "restrictions"))) =
            (string(needle), member(haystack))
        {
            return Some(Predicate::Restricted(function.to_owned()));
        }
        self.text_test(needle, &string_list(haystack)?, item)
    }

    /// A text-valued variable or field equal to one of `values`.
    fn text_test(
        &self,
        expr: &Expression,
        values: &[&str],
        item: Option<(&str, Item)>,
    ) -> Option<Predicate> {
        if ident(expr) == Some("scene") {
            return Some(Predicate::Scene(scenes(values.iter().copied())));
        }
        let (root, field) = member(expr)?;
        let one = || match values {
            [value] => Some((*value).to_owned()),
            _ => None,
        };
        match item {
            Some((var, Item::Link)) if var == root => Some(Predicate::Link(match field {
                "category" => LinkTest::Category(
                    Category::ALL
                        .into_iter()
                        .filter(|c| values.contains(&c.as_str()))
                        .collect(),
                ),
                "host" => LinkTest::Text(LinkText::Host, one()?),
                "domain" => LinkTest::Text(LinkText::Domain, one()?),
                "platform" => LinkTest::Text(LinkText::Platform, one()?),
                _ => return None,
            })),
            Some((var, Item::ShareCode)) if var == root => {
                Some(Predicate::ShareCode(match field {
                    "platform" => CodeTest::Platform(one()?),
                    "kind" => CodeTest::Kind(one()?),
                    _ => return None,
                }))
            }
            _ => None,
        }
    }

    /// A constant a score is compared with: `thresholds.name` or a double.
    fn constant(&self, expr: &Expression) -> Option<f64> {
        match &expr.expr {
            Expr::Literal(LiteralValue::Double(d)) => Some(*d.inner()),
            _ => match member(expr)? {
                ("thresholds", name) => self.constants.thresholds.get(name).copied(),
                _ => None,
            },
        }
    }

    /// `scores.name CMP constant`.
    fn score(&self, score: &Expression, cmp: Cmp, constant: &Expression) -> Option<Predicate> {
        let ("scores", name) = member(score)? else {
            return None;
        };
        Some(Predicate::Score {
            names: vec![name.to_owned()],
            cmp,
            value: self.constant(constant)?,
        })
    }

    fn exists(&self, comprehension: &ComprehensionExpr) -> Option<Predicate> {
        let (range, var, body) = exists(comprehension)?;
        // A variable named like one of the message's would hide it inside the body.
        if crate::bind::Var::ALL.iter().any(|v| v.name() == var) {
            return None;
        }
        match ident(range) {
            // The body sees only its own variable: an outer one is not compiled.
            Some("links") => Some(Predicate::AnyLink(Box::new(
                self.predicate(body, Some((var, Item::Link)))?,
            ))),
            Some("share_codes") => Some(Predicate::AnyShareCode(Box::new(
                self.predicate(body, Some((var, Item::ShareCode)))?,
            ))),
            _ => {
                // `[scores.a, scores.b].exists(s, s CMP constant)`.
                let Expr::List(list) = &range.expr else {
                    return None;
                };
                let names = list
                    .elements
                    .iter()
                    .map(|e| match member(e)? {
                        ("scores", name) => Some(name.to_owned()),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?;
                let Expr::Call(call) = &body.expr else {
                    return None;
                };
                let cmp = Cmp::of(&call.func_name)?;
                let [left, right] = call.args.as_slice() else {
                    return None;
                };
                let (cmp, constant) = match (ident(left), ident(right)) {
                    (Some(v), _) if v == var => (cmp, right),
                    (_, Some(v)) if v == var => (cmp.flipped(), left),
                    _ => return None,
                };
                Some(Predicate::Score {
                    names,
                    cmp,
                    value: self.constant(constant)?,
                })
            }
        }
    }
}

/// What a predicate reads besides its constants.
pub(crate) struct Env<'a> {
    pub facts: &'a Facts,
    pub situation: Situation<'a>,
    pub home: &'a str,
}

/// The item in hand while a predicate is evaluated.
#[derive(Clone, Copy)]
pub(crate) enum Current {
    None,
    Link(usize),
    ShareCode(usize),
}

impl Predicate {
    /// The condition's value, or `None` where the interpreter could fail (a score the facts do
    /// not carry, or one that is not a number): the caller then asks CEL.
    pub(crate) fn eval(&self, env: &Env<'_>, current: Current) -> Option<bool> {
        Some(match self {
            Predicate::Const(b) => *b,
            Predicate::Not(p) => !p.eval(env, current)?,
            // As in CEL, a false left side decides `&&` and a true one `||`.
            Predicate::And(a, b) => a.eval(env, current)? && b.eval(env, current)?,
            Predicate::Or(a, b) => a.eval(env, current)? || b.eval(env, current)?,
            Predicate::Scene(set) => {
                let scene = Scene::ALL.iter().position(|s| *s == env.situation.scene);
                scene.is_some_and(|i| set & (1 << i) != 0)
            }
            Predicate::Restricted(function) => env
                .situation
                .standing
                .is_some_and(|s| s.restrictions.iter().any(|r| r == function)),
            Predicate::Score { names, cmp, value } => {
                // CEL builds the whole list before testing any score: one missing one fails it.
                let mut any = false;
                for name in names {
                    let score = env.facts.scores.get(name).filter(|s| !s.is_nan())?;
                    any |= cmp.holds(score, *value);
                }
                any
            }
            Predicate::AnyLink(p) => {
                for i in 0..env.facts.links.len() {
                    if p.eval(env, Current::Link(i))? {
                        return Some(true);
                    }
                }
                false
            }
            Predicate::AnyShareCode(p) => {
                for i in 0..env.facts.share_codes.len() {
                    if p.eval(env, Current::ShareCode(i))? {
                        return Some(true);
                    }
                }
                false
            }
            Predicate::Link(test) => {
                let Current::Link(i) = current else {
                    return None;
                };
                let link = &env.facts.links[i];
                let platform = link.platform.as_deref().unwrap_or_default();
                match test {
                    LinkTest::Category(set) => set.contains(&link.category),
                    LinkTest::Foreign => menshen_detect::registry::is_foreign(platform, env.home),
                    LinkTest::Sanctioned => {
                        link_sanctioned(env.situation.sanctions, &link.host, platform)
                    }
                    LinkTest::Obfuscated => link.obfuscated,
                    LinkTest::Text(LinkText::Host, value) => link.host == *value,
                    LinkTest::Text(LinkText::Domain, value) => {
                        link.domain.as_deref().unwrap_or_default() == value
                    }
                    LinkTest::Text(LinkText::Platform, value) => platform == value,
                }
            }
            Predicate::ShareCode(test) => {
                let Current::ShareCode(i) = current else {
                    return None;
                };
                let code = &env.facts.share_codes[i];
                match test {
                    CodeTest::Foreign => {
                        menshen_detect::registry::is_foreign(&code.platform, env.home)
                    }
                    CodeTest::Sanctioned => env.situation.sanctions.apps.contains(&code.platform),
                    CodeTest::Platform(value) => code.platform == *value,
                    CodeTest::Kind(value) => code.kind.as_str() == value,
                }
            }
        })
    }
}

/// Whether a link is sanctioned: its host or a parent domain of it, or its platform's share
/// interface. A domain sanction never covers an IP address, whose dotted tail (`3.4` of
/// `1.2.3.4`) is no domain.
pub(crate) fn link_sanctioned(sanctions: &Sanctions, host: &str, platform: &str) -> bool {
    sanctions.apps.contains(platform) || host_sanctioned(sanctions, host)
}

fn host_sanctioned(sanctions: &Sanctions, host: &str) -> bool {
    if sanctions.domains.is_empty() || host.parse::<std::net::IpAddr>().is_ok() {
        return false;
    }
    let mut suffix = host;
    loop {
        if sanctions.domains.contains(suffix) {
            return true;
        }
        match suffix.split_once('.') {
            Some((_, rest)) if rest.contains('.') => suffix = rest,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn compiled(when: &str) -> Option<Predicate> {
        let flags = BTreeMap::from([("trial".to_owned(), true)]);
        let thresholds = BTreeMap::from([("warn".to_owned(), 0.5)]);
        let program = cel::Program::compile(when).expect("parses");
        let constants = Constants {
            flags: &flags,
            thresholds: &thresholds,
        };
        compile(program.expression(), &constants, false)
    }

    #[test]
    fn the_common_shapes_compile() {
        assert_eq!(
            compiled(r#"scene in ["moment", "group"]"#),
            Some(Predicate::Scene(0b0110))
        );
        assert_eq!(
            compiled(r#""moment" != scene"#),
            Some(Predicate::Not(Box::new(Predicate::Scene(0b0100))))
        );
        assert_eq!(
            compiled("0.5 < scores.fraud"),
            Some(Predicate::Score {
                names: vec!["fraud".into()],
                cmp: Cmp::Greater,
                value: 0.5
            })
        );
        assert_eq!(
            compiled("[scores.a, scores['b']].exists(s, thresholds.warn <= s)"),
            Some(Predicate::Score {
                names: vec!["a".into(), "b".into()],
                cmp: Cmp::GreaterEqual,
                value: 0.5
            })
        );
        assert_eq!(
            compiled(r#"!flags.trial && links.exists(l, l.category in ["adult", "nonsense"])"#),
            Some(Predicate::And(
                Box::new(Predicate::Not(Box::new(Predicate::Const(true)))),
                Box::new(Predicate::AnyLink(Box::new(Predicate::Link(
                    LinkTest::Category(vec![Category::Adult])
                ))))
            ))
        );
        assert_eq!(
            compiled(r#""share_codes" in sender.restrictions"#),
            Some(Predicate::Restricted("share_codes".into()))
        );
    }

    #[test]
    fn comparisons_hold_as_in_cel_at_and_around_the_boundary() {
        for (operator, cmp) in [
            ("<", Cmp::Less),
            ("<=", Cmp::LessEqual),
            (">", Cmp::Greater),
            (">=", Cmp::GreaterEqual),
        ] {
            let program = cel::Program::compile(&format!("x {operator} y")).expect("parses");
            for (x, y) in [(0.5, 0.5), (0.4, 0.5), (0.6, 0.5)] {
                let mut context = cel::Context::default();
                context.add_variable_from_value("x", x);
                context.add_variable_from_value("y", y);
                let cel = program.execute(&context) == Ok(cel::Value::Bool(true));
                assert_eq!(cmp.holds(x, y), cel, "{x} {operator} {y}");
                assert_eq!(cmp.flipped().holds(y, x), cel, "{y} flipped {operator} {x}");
            }
        }
    }

    #[test]
    fn other_shapes_are_left_to_cel() {
        for when in [
            "links.size() > 0",
            "flags.undefined",
            "scores.fraud >= thresholds.undefined",
            "scores.fraud >= 1",
            "links.exists(l, links.exists(m, m.host == l.host))",
            "links.all(l, l.foreign)",
            "share_codes.exists(c, c.confidence > 0.9)",
            "sender.strikes > 2",
            r#"l.foreign"#,
            r#"terms.exists(t, t.category == "fraud")"#,
        ] {
            assert_eq!(compiled(when), None, "{when}");
        }
    }
}
