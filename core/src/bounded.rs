//! Decoding with limits: a value that arrives from the network (an operation's field) is read
//! into memory only if it is small — strings, arrays, objects and nesting are bounded while it
//! is decoded, so a request cannot make the server build a huge value before it is refused.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// The longest string one field may hold, in bytes (the longest text a form takes is 2,000
/// characters: at most 8,000 bytes of UTF-8).
pub const MAX_STRING_BYTES: usize = 16 * 1024;
/// The most items in one array (multiple choices, skills) or keys in one object (a visit's
/// answers).
pub const MAX_ITEMS: usize = 256;
/// How deep values nest (a visit's answers hold arrays: depth 3).
pub const MAX_DEPTH: usize = 4;

/// Deserializes a JSON value within the limits above (for `#[serde(deserialize_with)]`).
pub fn value<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    d.deserialize_any(Bounded { depth: 0 })
}

struct Bounded {
    depth: usize,
}

impl Bounded {
    fn string<E: de::Error>(v: &str) -> Result<Value, E> {
        if v.len() > MAX_STRING_BYTES {
            return Err(E::custom(format!("a text value is longer than {MAX_STRING_BYTES} bytes")));
        }
        Ok(Value::String(v.to_string()))
    }
}

impl<'de> Visitor<'de> for Bounded {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v).map(Value::Number).ok_or_else(|| E::custom("not a finite number"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Bounded::string(v)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Bounded::string(&v)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if self.depth >= MAX_DEPTH {
            return Err(de::Error::custom(format!("values nest deeper than {MAX_DEPTH} levels")));
        }
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(Seed(self.depth + 1))? {
            if items.len() == MAX_ITEMS {
                return Err(de::Error::custom(format!("a list holds more than {MAX_ITEMS} items")));
            }
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        if self.depth >= MAX_DEPTH {
            return Err(de::Error::custom(format!("values nest deeper than {MAX_DEPTH} levels")));
        }
        let mut out = Map::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if out.len() == MAX_ITEMS {
                return Err(de::Error::custom(format!("an object holds more than {MAX_ITEMS} keys")));
            }
            if key.len() > 128 {
                return Err(de::Error::custom("an object key is longer than 128 bytes"));
            }
            let v = map.next_value_seed(Seed(self.depth + 1))?;
            out.insert(key.into_owned(), v);
        }
        Ok(Value::Object(out))
    }
}

struct Seed(usize);

impl<'de> de::DeserializeSeed<'de> for Seed {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(Bounded { depth: self.0 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Holder {
        #[serde(deserialize_with = "value")]
        v: Value,
    }

    fn read(json: &str) -> Result<Value, String> {
        serde_json::from_str::<Holder>(json).map(|h| h.v).map_err(|e| e.to_string())
    }

    #[test]
    fn small_values_decode_as_they_are() {
        let v = read(r#"{"v": {"a": [1, 2.5, "tiga", null, true], "b": {"c": "d"}}}"#).unwrap();
        assert_eq!(v, serde_json::json!({"a": [1, 2.5, "tiga", null, true], "b": {"c": "d"}}));
    }

    #[test]
    fn large_or_deep_values_are_refused_while_decoding() {
        let long = format!(r#"{{"v": "{}"}}"#, "x".repeat(MAX_STRING_BYTES + 1));
        assert!(read(&long).unwrap_err().contains("longer than"));
        let many = format!(r#"{{"v": [{}]}}"#, vec!["1"; MAX_ITEMS + 1].join(","));
        assert!(read(&many).unwrap_err().contains("more than"));
        assert!(read(r#"{"v": [[[[[1]]]]]}"#).unwrap_err().contains("deeper"));
        assert!(read(&format!(r#"{{"v": "{}"}}"#, "x".repeat(MAX_STRING_BYTES))).is_ok());
    }
}
