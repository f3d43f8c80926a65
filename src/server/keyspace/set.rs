//! Set values with the server's three encodings: an intset (sorted integers) while every
//! member is an integer, a listpack (insertion order) while small, a hash table after. The
//! encoding decides the order SMEMBERS and SSCAN return, so it follows the server's rules
//! for creating and converting (`setTypeCreate`, `setTypeAdd`, `maybeConvertIntset`).

use super::Encodings;
use super::Hasher;
use crate::server::num::{i64_to_vec, parse_i64};
use std::collections::HashSet;

#[derive(Debug, Clone)]
pub enum SetValue {
    Intset(Vec<i64>),
    Listpack(Vec<Vec<u8>>),
    Table(HashSet<Vec<u8>, Hasher>),
}

impl SetValue {
    /// `setTypeCreate`: the encoding for a new set about to receive `size_hint` members,
    /// the first of which is `first`.
    pub fn create(first: &[u8], size_hint: usize, enc: &Encodings) -> Self {
        if parse_i64(first).is_some() && size_hint <= enc.set_max_intset_entries {
            SetValue::Intset(Vec::new())
        } else if size_hint <= enc.set_max_listpack_entries {
            SetValue::Listpack(Vec::new())
        } else {
            SetValue::Table(HashSet::default())
        }
    }

    pub fn len(&self) -> usize {
        match self {
            SetValue::Intset(v) => v.len(),
            SetValue::Listpack(v) => v.len(),
            SetValue::Table(s) => s.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether members come back in a fixed order (SSCAN returns them all at once then).
    pub fn is_compact(&self) -> bool {
        !matches!(self, SetValue::Table(_))
    }

    pub fn contains(&self, member: &[u8]) -> bool {
        match self {
            SetValue::Intset(v) => parse_i64(member).is_some_and(|i| v.binary_search(&i).is_ok()),
            SetValue::Listpack(v) => v.iter().any(|m| m == member),
            SetValue::Table(s) => s.contains(member),
        }
    }

    /// `setTypeAdd`; true when the member is new.
    pub fn add(&mut self, member: &[u8], enc: &Encodings) -> bool {
        match self {
            SetValue::Intset(v) => {
                if let Some(i) = parse_i64(member) {
                    match v.binary_search(&i) {
                        Ok(_) => return false,
                        Err(pos) => v.insert(pos, i),
                    }
                    if v.len() > enc.set_max_intset_entries {
                        *self = SetValue::Table(v.iter().map(|&i| i64_to_vec(i)).collect());
                    }
                    return true;
                }
                let members: Vec<Vec<u8>> = v.iter().map(|&i| i64_to_vec(i)).collect();
                let max_len = members.iter().map(Vec::len).max().unwrap_or(0);
                if members.len() < enc.set_max_listpack_entries
                    && member.len() <= enc.set_max_listpack_value
                    && max_len <= enc.set_max_listpack_value
                {
                    let mut members = members;
                    members.push(member.to_vec());
                    *self = SetValue::Listpack(members);
                } else {
                    let mut table: HashSet<Vec<u8>, Hasher> = members.into_iter().collect();
                    table.insert(member.to_vec());
                    *self = SetValue::Table(table);
                }
                true
            }
            SetValue::Listpack(v) => {
                if v.iter().any(|m| m == member) {
                    return false;
                }
                if v.len() < enc.set_max_listpack_entries && member.len() <= enc.set_max_listpack_value {
                    v.push(member.to_vec());
                } else {
                    let mut table: HashSet<Vec<u8>, Hasher> = std::mem::take(v).into_iter().collect();
                    table.insert(member.to_vec());
                    *self = SetValue::Table(table);
                }
                true
            }
            SetValue::Table(s) => s.insert(member.to_vec()),
        }
    }

    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            SetValue::Intset(v) => match parse_i64(member).map(|i| v.binary_search(&i)) {
                Some(Ok(pos)) => {
                    v.remove(pos);
                    true
                }
                _ => false,
            },
            SetValue::Listpack(v) => match v.iter().position(|m| m == member) {
                Some(pos) => {
                    v.remove(pos);
                    true
                }
                None => false,
            },
            SetValue::Table(s) => s.remove(member),
        }
    }

    /// Members in the server's iteration order for compact encodings.
    pub fn members(&self) -> Vec<Vec<u8>> {
        match self {
            SetValue::Intset(v) => v.iter().map(|&i| i64_to_vec(i)).collect(),
            SetValue::Listpack(v) => v.clone(),
            SetValue::Table(s) => s.iter().cloned().collect(),
        }
    }

    /// The member at a position in iteration order (for random picks).
    pub fn nth(&self, i: usize) -> Option<Vec<u8>> {
        match self {
            SetValue::Intset(v) => v.get(i).map(|&n| i64_to_vec(n)),
            SetValue::Listpack(v) => v.get(i).cloned(),
            SetValue::Table(s) => s.iter().nth(i).cloned(),
        }
    }
}
