//! Hash values: a listpack (insertion order, as the server returns small hashes) until a
//! field or value grows past `hash-max-listpack-value` or the count past
//! `hash-max-listpack-entries`; a hash table after that.

use super::Encodings;
use super::Hasher;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub enum HashValue {
    Listpack(Vec<(Vec<u8>, Vec<u8>)>),
    Table(HashMap<Vec<u8>, Vec<u8>, Hasher>),
}

impl Default for HashValue {
    fn default() -> Self {
        HashValue::Listpack(Vec::new())
    }
}

impl HashValue {
    pub fn len(&self) -> usize {
        match self {
            HashValue::Listpack(v) => v.len(),
            HashValue::Table(m) => m.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_listpack(&self) -> bool {
        matches!(self, HashValue::Listpack(_))
    }

    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match self {
            HashValue::Listpack(v) => v.iter().find(|(f, _)| f == field).map(|(_, v)| v.as_slice()),
            HashValue::Table(m) => m.get(field).map(Vec::as_slice),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// `hashTypeTryConversion`: converts before a write whose arguments are too long for a
    /// listpack.
    pub fn prepare_for<'a>(&mut self, args: impl Iterator<Item = &'a [u8]>, enc: &Encodings) {
        if self.is_listpack() && args.into_iter().any(|a| a.len() > enc.hash_max_listpack_value) {
            self.convert();
        }
    }

    /// Sets a field; true when the field is new.
    pub fn set(&mut self, field: &[u8], value: &[u8], enc: &Encodings) -> bool {
        let added = match self {
            HashValue::Listpack(v) => match v.iter_mut().find(|(f, _)| f == field) {
                Some(slot) => {
                    slot.1 = value.to_vec();
                    false
                }
                None => {
                    v.push((field.to_vec(), value.to_vec()));
                    true
                }
            },
            HashValue::Table(m) => m.insert(field.to_vec(), value.to_vec()).is_none(),
        };
        if self.is_listpack() && self.len() > enc.hash_max_listpack_entries {
            self.convert();
        }
        added
    }

    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            HashValue::Listpack(v) => match v.iter().position(|(f, _)| f == field) {
                Some(i) => {
                    v.remove(i);
                    true
                }
                None => false,
            },
            HashValue::Table(m) => m.remove(field).is_some(),
        }
    }

    fn convert(&mut self) {
        if let HashValue::Listpack(v) = self {
            let map = std::mem::take(v).into_iter().collect();
            *self = HashValue::Table(map);
        }
    }

    pub fn iter(&self) -> Box<dyn Iterator<Item = (&[u8], &[u8])> + '_> {
        match self {
            HashValue::Listpack(v) => Box::new(v.iter().map(|(f, v)| (f.as_slice(), v.as_slice()))),
            HashValue::Table(m) => Box::new(m.iter().map(|(f, v)| (f.as_slice(), v.as_slice()))),
        }
    }
}
